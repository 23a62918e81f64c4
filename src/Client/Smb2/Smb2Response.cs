using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Client.Smb2;

/// <summary>One SMB2 response message as received (header first). Owns its bytes.</summary>
public sealed class Smb2Response(byte[] message)
{
    public byte[] Message { get; } = message;
    public Smb2Header Header { get { Smb2Header.TryParse(Message, out var h); return h; } }
    public NtStatus Status => Header.Status;
    public Smb2Command Command => Header.Command;
    public ulong MessageId => Header.MessageId;
    public ulong SessionId => Header.SessionId;
    public uint TreeId => Header.TreeId;
    public ushort CreditGrant => Header.CreditRequest;
    public bool IsSigned => Header.IsSigned;
}
