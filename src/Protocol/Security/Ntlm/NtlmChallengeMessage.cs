using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>[MS-NLMP] 2.2.1.2 CHALLENGE_MESSAGE, a view over the server's token.</summary>
public readonly ref struct NtlmChallengeMessage
{
    private const int OffTargetName = 12, OffFlags = 20, OffChallenge = 24, OffReserved = 32, OffTargetInfo = 40,
        OffVersion = 48;
    /// <summary>Up to and including TargetInfoFields; the VERSION that follows is optional.</summary>
    public const int MinimumSize = 48;
    private const int FixedSizeWithVersion = 56;

    private readonly ReadOnlySpan<byte> _b;
    private readonly int _nameOff, _nameLen, _infoOff, _infoLen;

    private NtlmChallengeMessage(ReadOnlySpan<byte> b, int nameOff, int nameLen, int infoOff, int infoLen)
    {
        _b = b; _nameOff = nameOff; _nameLen = nameLen; _infoOff = infoOff; _infoLen = infoLen;
    }

    public ReadOnlySpan<byte> Bytes => _b;
    public NtlmNegotiateFlags Flags => (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffFlags..]);
    public ReadOnlySpan<byte> ServerChallenge => _b.Slice(OffChallenge, 8);
    public ReadOnlySpan<byte> TargetName => _b.Slice(_nameOff, _nameLen);
    /// <summary>The AV_PAIR list ([MS-NLMP] 2.2.2.1); empty when the server sent none.</summary>
    public ReadOnlySpan<byte> TargetInfo => _b.Slice(_infoOff, _infoLen);

    public static bool TryParse(ReadOnlySpan<byte> message, out NtlmChallengeMessage result)
    {
        result = default;
        if (!NtlmWire.HasHeader(message, NtlmWire.TypeChallenge, MinimumSize)) return false;
        if (!NtlmWire.TryField(message, OffTargetName, out int nameOff, out int nameLen)) return false;
        if (!NtlmWire.TryField(message, OffTargetInfo, out int infoOff, out int infoLen)) return false;
        if (infoLen > 0 && !AvPairs.TryValidate(message.Slice(infoOff, infoLen))) return false;
        result = new NtlmChallengeMessage(message, nameOff, nameLen, infoOff, infoLen);
        return true;
    }

    public static int GetSize(int targetNameLength, int targetInfoLength) =>
        FixedSizeWithVersion + targetNameLength + targetInfoLength;

    /// <summary>Writes a CHALLENGE with a VERSION; returns its length (<see cref="GetSize"/>).</summary>
    public static int Write(Span<byte> dest, NtlmNegotiateFlags flags, ReadOnlySpan<byte> serverChallenge,
        ReadOnlySpan<byte> targetName, ReadOnlySpan<byte> targetInfo)
    {
        if (serverChallenge.Length != 8) throw new ArgumentException("the server challenge is 8 bytes", nameof(serverChallenge));
        int size = GetSize(targetName.Length, targetInfo.Length);
        dest[..FixedSizeWithVersion].Clear();
        NtlmWire.Signature.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], NtlmWire.TypeChallenge);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffFlags..], (uint)flags);
        serverChallenge.CopyTo(dest[OffChallenge..]);
        dest.Slice(OffReserved, 8).Clear();
        NtlmWire.WriteVersion(dest[OffVersion..]);
        int cursor = FixedSizeWithVersion;
        NtlmWire.Put(dest, OffTargetName, targetName, ref cursor);
        NtlmWire.Put(dest, OffTargetInfo, targetInfo, ref cursor);
        return size;
    }
}
