using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// The data of the "RqLs" create context, request and response alike: [MS-SMB2] 2.2.13.2.8
/// SMB2_CREATE_REQUEST_LEASE / 2.2.14.2.10 SMB2_CREATE_RESPONSE_LEASE (32 bytes: LeaseKey, LeaseState, LeaseFlags,
/// LeaseDuration) and 2.2.13.2.10 SMB2_CREATE_REQUEST_LEASE_V2 / 2.2.14.2.11 SMB2_CREATE_RESPONSE_LEASE_V2 (52 bytes:
/// the same, then ParentLeaseKey, Epoch, Reserved). The version is the length.
/// </summary>
public readonly ref struct LeaseContext
{
    public const int SizeV1 = 32;
    public const int SizeV2 = 52;

    /// <summary>SMB2_LEASE_FLAG_BREAK_IN_PROGRESS (responses): "A break for the lease identified by the lease key is in progress."</summary>
    public const uint FlagBreakInProgress = 0x00000002;

    /// <summary>SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET (v2): "The ParentLeaseKey is set."</summary>
    public const uint FlagParentLeaseKeySet = 0x00000004;

    private const int OffLeaseKey = 0, OffLeaseState = 16, OffLeaseFlags = 20, OffLeaseDuration = 24,
        OffParentLeaseKey = 32, OffEpoch = 48, OffReserved = 50;

    private readonly ReadOnlySpan<byte> _data;

    private LeaseContext(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>1 or 2.</summary>
    public int Version => _data.Length >= SizeV2 ? 2 : 1;
    public Guid LeaseKey => new(_data.Slice(OffLeaseKey, 16));
    public uint LeaseState => U32(_data, OffLeaseState);
    public uint LeaseFlags => U32(_data, OffLeaseFlags);
    public ulong LeaseDuration => U64(_data, OffLeaseDuration);

    /// <summary>V2 only; an empty key for v1.</summary>
    public Guid ParentLeaseKey => Version == 2 ? new Guid(_data.Slice(OffParentLeaseKey, 16)) : Guid.Empty;
    public ushort Epoch => Version == 2 ? U16(_data, OffEpoch) : (ushort)0;

    /// <summary>
    /// Parses the context's data: 52 bytes or more is a v2 lease when <paramref name="allowV2"/> (dialect 3.x,
    /// [MS-SMB2] 3.3.5.9.11), else read as v1; 32 bytes or more a v1 lease; anything shorter is not a lease.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool allowV2, out LeaseContext value)
    {
        value = default;
        if (data.Length < SizeV1) return false;
        value = new LeaseContext(allowV2 && data.Length >= SizeV2 ? data[..SizeV2] : data[..SizeV1]);
        return true;
    }

    /// <summary>Writes a v1 (32 bytes) or v2 (52 bytes) lease context's data; returns its length.</summary>
    public static int Write(Span<byte> data, int version, Guid leaseKey, uint leaseState, uint flags, Guid parentLeaseKey,
        ushort epoch)
    {
        int size = version == 2 ? SizeV2 : SizeV1;
        if (data.Length < size) throw new ArgumentException("The destination is too small for a lease context.", nameof(data));
        leaseKey.TryWriteBytes(data[OffLeaseKey..]);
        W32(data, OffLeaseState, leaseState);
        W32(data, OffLeaseFlags, flags);
        W64(data, OffLeaseDuration, 0UL); // "MUST be set to zero" in a response
        if (version == 2)
        {
            parentLeaseKey.TryWriteBytes(data[OffParentLeaseKey..]);
            W16(data, OffEpoch, epoch);
            W16(data, OffReserved, (ushort)0);
        }
        return size;
    }
}
