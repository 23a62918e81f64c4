using System.Buffers.Binary;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// [MS-SMB2] 3.3.5.2.5 Verifying the Credit Charge and the Payload Size: a multi-credit request must pay one
/// credit per started 64 KiB of its larger direction. Runs after the size table, so the fixed fields read here
/// are present.
/// </summary>
public static class Smb2CreditCharge
{
    private const int Unit = 65536;

    public static bool IsSufficient(ReadOnlySpan<byte> message, Smb2Command command, Smb2Dialect dialect, ushort charge)
    {
        var body = message[Smb2Header.Size..];
        ulong payload = command switch
        {
            Smb2Command.Read or Smb2Command.Write or Smb2Command.ChangeNotify or Smb2Command.SetInfo => U32(body, 4),
            Smb2Command.QueryDirectory => U32(body, 28),
            Smb2Command.QueryInfo => Math.Max(U32(body, 4), U32(body, 12)),
            Smb2Command.Ioctl => Math.Max(U32(body, 28) + U32(body, 40), U32(body, 32) + U32(body, 44)),
            _ => 0,
        };
        if (!dialect.SupportsMultiCredit())
            return payload <= Unit; // 2.0.2 has no multi-credit requests: 64 KiB is the most one may move
        ulong needed = payload == 0 ? 1 : (payload - 1) / Unit + 1;
        return Math.Max((ushort)1, charge) >= needed;
    }

    private static ulong U32(ReadOnlySpan<byte> body, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(body[offset..]);
}
