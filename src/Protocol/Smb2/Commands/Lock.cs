using System.Buffers.Binary;
using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.26.1 SMB2_LOCK_ELEMENT: Offset 8, Length 8, Flags 4, Reserved 4.</summary>
public readonly record struct LockElement(ulong Offset, ulong Length, uint Flags)
{
    public const int Size = 24;
    /// <summary>SMB2_LOCKFLAG_SHARED_LOCK: "A shared lock is requested."</summary>
    public const uint FlagSharedLock = 0x00000001;
    /// <summary>SMB2_LOCKFLAG_EXCLUSIVE_LOCK: "An exclusive lock is requested."</summary>
    public const uint FlagExclusiveLock = 0x00000002;
    /// <summary>SMB2_LOCKFLAG_UNLOCK: "A range is being unlocked."</summary>
    public const uint FlagUnlock = 0x00000004;
    /// <summary>SMB2_LOCKFLAG_FAIL_IMMEDIATELY: "The lock operation MUST fail immediately if it conflicts with an existing lock".</summary>
    public const uint FlagFailImmediately = 0x00000010;

    public bool IsShared => (Flags & FlagSharedLock) != 0;
    public bool IsExclusive => (Flags & FlagExclusiveLock) != 0;
    public bool IsUnlock => (Flags & FlagUnlock) != 0;
    public bool FailImmediately => (Flags & FlagFailImmediately) != 0;

    public static LockElement Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[16..]));

    /// <summary>Writes 24 bytes; Reserved: "This field MUST NOT be used and MUST be reserved. The client MUST set this field to 0".</summary>
    public void Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(dest, Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[8..], Length);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[20..], 0u);
    }
}

/// <summary>[MS-SMB2] 2.2.26 SMB2 LOCK Request.</summary>
public readonly ref struct LockRequest
{
    /// <summary>
    /// "The client MUST set this field to 48, indicating the size of an SMB2 LOCK Request with a single SMB2_LOCK_ELEMENT
    /// structure. This value is set regardless of the number of locks that are sent."
    /// </summary>
    public const ushort StructureSize = 48;
    /// <summary>The fixed part before the Locks array.</summary>
    public const int FixedSize = 24;

    private const int OffLockCount = 2, OffLockSequence = 4, OffFileId = 8, OffLocks = 24;

    private readonly ReadOnlySpan<byte> _body;

    private LockRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> locks)
    {
        _body = body;
        Locks = locks;
    }

    /// <summary>"MUST be set to the number of SMB2_LOCK_ELEMENT structures that are contained in the Locks[] array."</summary>
    public ushort LockCount => U16(_body, OffLockCount);
    /// <summary>
    /// The raw LockSequenceNumber/LockSequenceIndex field. "In the SMB 2.0.2 dialect, this field is unused and MUST be
    /// reserved"; in later dialects the low 4 bits are LockSequenceNumber and the high 28 bits LockSequenceIndex (3.3.5.14).
    /// </summary>
    public uint LockSequence => U32(_body, OffLockSequence);
    public byte LockSequenceNumber => (byte)(LockSequence & 0xF);
    public uint LockSequenceIndex => LockSequence >> 4;
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    /// <summary>The LockCount × 24 bytes of SMB2_LOCK_ELEMENT; read one with <see cref="GetLock"/>.</summary>
    public ReadOnlySpan<byte> Locks { get; }

    public LockElement GetLock(int index) => LockElement.Read(Locks.Slice(index * LockElement.Size, LockElement.Size));

    public static bool TryParse(ReadOnlySpan<byte> message, out LockRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        // LockCount: "The lock count MUST be greater than or equal to 1."
        int count = U16(body, OffLockCount);
        if (count == 0) return false;
        int end = OffLocks + count * LockElement.Size;
        if (body.Length < end) return false;
        value = new LockRequest(body, body[OffLocks..end]);
        return true;
    }

    /// <summary>Client side; returns 24 + 24 × locks. <paramref name="locks"/> "MUST" hold at least one element.</summary>
    public static int Write(Span<byte> body, uint lockSequence, FileId fileId, ReadOnlySpan<LockElement> locks)
    {
        if (locks.IsEmpty) throw new ArgumentException("LockCount MUST be greater than or equal to 1.", nameof(locks));
        W16(body, 0, StructureSize);
        W16(body, OffLockCount, locks.Length);
        W32(body, OffLockSequence, lockSequence);
        fileId.Write(body[OffFileId..]);
        for (int i = 0; i < locks.Length; i++) locks[i].Write(body[(OffLocks + i * LockElement.Size)..]);
        return OffLocks + locks.Length * LockElement.Size;
    }

    /// <summary>Packs LockSequenceNumber (low 4 bits) and LockSequenceIndex (high 28 bits).</summary>
    public static uint MakeLockSequence(byte number, uint index) => (index << 4) | (number & 0xFu);
}

/// <summary>[MS-SMB2] 2.2.27 SMB2 LOCK Response: StructureSize and Reserved only.</summary>
public readonly ref struct LockResponse
{
    /// <summary>"The server MUST set this to 4, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 4;
    public const int Size = 4;

    public static bool TryParse(ReadOnlySpan<byte> message, out LockResponse value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Returns 4.</summary>
    public static int Write(Span<byte> body) => FourByteBody.Write(body, StructureSize);
}
