using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers;

/// <summary>
/// [MS-SMB2] 3.3.5.15.12 Handling a Validate Negotiate Info Request: a 3.0/3.0.2 client re-sends what it offered
/// in NEGOTIATE over a signed channel, so a man in the middle cannot have downgraded the dialect or disabled
/// signing. Any mismatch drops the connection.
/// </summary>
public static class ValidateNegotiateHandler
{
    // [MS-SMB2] 2.2.31.4 VALIDATE_NEGOTIATE_INFO Request: Capabilities(4) Guid(16) SecurityMode(2) DialectCount(2) Dialects.
    private const int RequestFixed = 24;
    // [MS-SMB2] 2.2.32.6 VALIDATE_NEGOTIATE_INFO Response: Capabilities(4) Guid(16) SecurityMode(2) Dialect(2).
    private const int ResponseSize = 24;

    public static NtStatus Handle(ref Smb2Request request, in IoctlRequest ioctl, ResponseBuffer response)
    {
        var connection = request.Connection;
        // 3.1.1 protects the negotiation with the preauth integrity hash instead; the request is illegal there.
        if (connection.Dialect == Smb2Dialect.Smb311)
        {
            connection.RequestDisconnect("VALIDATE_NEGOTIATE_INFO on 3.1.1");
            return NtStatus.InvalidParameter;
        }
        var input = ioctl.Input;
        if (input.Length < RequestFixed)
        {
            connection.RequestDisconnect("short VALIDATE_NEGOTIATE_INFO");
            return NtStatus.InvalidParameter;
        }
        int dialectCount = BinaryPrimitives.ReadUInt16LittleEndian(input[22..]);
        if (input.Length < RequestFixed + 2 * dialectCount)
        {
            connection.RequestDisconnect("short VALIDATE_NEGOTIATE_INFO dialects");
            return NtStatus.InvalidParameter;
        }
        if (ioctl.MaxOutputResponse < ResponseSize) return NtStatus.InvalidParameter;

        bool same = BinaryPrimitives.ReadUInt32LittleEndian(input) == connection.ClientCapabilities
            && new Guid(input.Slice(4, 16)) == connection.ClientGuid
            && BinaryPrimitives.ReadUInt16LittleEndian(input[20..]) == connection.ClientSecurityMode
            && dialectCount == connection.ClientDialects.Length;
        for (int i = 0; same && i < dialectCount; i++)
            same = BinaryPrimitives.ReadUInt16LittleEndian(input[(RequestFixed + 2 * i)..]) == connection.ClientDialects[i];
        if (!same)
        {
            connection.RequestDisconnect("VALIDATE_NEGOTIATE_INFO mismatch: possible downgrade");
            return NtStatus.AccessDenied;
        }

        var body = response.GetBodySpan(IoctlResponse.FixedSize + ResponseSize);
        var output = body.Slice(IoctlResponse.FixedSize, ResponseSize);
        BinaryPrimitives.WriteUInt32LittleEndian(output, connection.ServerCapabilities);
        connection.ServerGuid.TryWriteBytes(output.Slice(4, 16));
        BinaryPrimitives.WriteUInt16LittleEndian(output[20..], connection.ServerSecurityMode);
        BinaryPrimitives.WriteUInt16LittleEndian(output[22..], (ushort)connection.Dialect);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, ResponseSize);
        response.Advance(IoctlResponse.FixedSize + ResponseSize);
        return NtStatus.Success;
    }
}
