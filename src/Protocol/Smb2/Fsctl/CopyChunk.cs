using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2.Fsctl;

/// <summary>[MS-SMB2] 2.2.31.1.1 SRV_COPYCHUNK: one range to copy from the source open to the target.</summary>
public readonly record struct SrvCopyChunk(ulong SourceOffset, ulong TargetOffset, uint Length);

/// <summary>
/// [MS-SMB2] 2.2.31.1 SRV_COPYCHUNK_COPY, the input of FSCTL_SRV_COPYCHUNK and FSCTL_SRV_COPYCHUNK_WRITE: the
/// source's 24-byte resume key, ChunkCount, 4 reserved bytes, then ChunkCount 24-byte SRV_COPYCHUNK entries.
/// A view over the request's input buffer; bytes after the last chunk are ignored.
/// </summary>
public readonly ref struct SrvCopyChunkCopy
{
    public const int KeySize = 24, FixedSize = 32, ChunkSize = 24;

    private readonly ReadOnlySpan<byte> _input;

    private SrvCopyChunkCopy(ReadOnlySpan<byte> input) => _input = input;

    public ReadOnlySpan<byte> SourceKey => _input[..KeySize];
    public uint ChunkCount => BinaryPrimitives.ReadUInt32LittleEndian(_input[24..]);

    public SrvCopyChunk Chunk(int index)
    {
        var c = _input.Slice(FixedSize + index * ChunkSize, ChunkSize);
        return new SrvCopyChunk(BinaryPrimitives.ReadUInt64LittleEndian(c), BinaryPrimitives.ReadUInt64LittleEndian(c[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(c[16..]));
    }

    /// <summary>False when the buffer is shorter than the fixed part or than the chunks ChunkCount announces
    /// (3.3.5.15.6: "If the InputCount ... is less than the size of the Buffer field containing the
    /// SRV_COPYCHUNK_COPY structure, the server MUST fail the request with STATUS_INVALID_PARAMETER").</summary>
    public static bool TryParse(ReadOnlySpan<byte> input, out SrvCopyChunkCopy value)
    {
        value = default;
        if (input.Length < FixedSize) return false;
        ulong needed = FixedSize + (ulong)BinaryPrimitives.ReadUInt32LittleEndian(input[24..]) * ChunkSize;
        if (needed > (ulong)input.Length) return false;
        value = new SrvCopyChunkCopy(input);
        return true;
    }

    /// <summary>Client side: writes the structure and returns its length (32 + 24 per chunk).</summary>
    public static int Write(Span<byte> dest, ReadOnlySpan<byte> sourceKey, ReadOnlySpan<SrvCopyChunk> chunks)
    {
        int length = FixedSize + chunks.Length * ChunkSize;
        dest[..length].Clear();
        sourceKey[..KeySize].CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[24..], (uint)chunks.Length);
        for (int i = 0; i < chunks.Length; i++)
        {
            var c = dest.Slice(FixedSize + i * ChunkSize, ChunkSize);
            BinaryPrimitives.WriteUInt64LittleEndian(c, chunks[i].SourceOffset);
            BinaryPrimitives.WriteUInt64LittleEndian(c[8..], chunks[i].TargetOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], chunks[i].Length);
        }
        return length;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.32.1 SRV_COPYCHUNK_RESPONSE: ChunksWritten, ChunkBytesWritten, TotalBytesWritten. On
/// STATUS_INVALID_PARAMETER for a request over the server's limits the three fields carry those limits instead
/// (maximum chunks, maximum chunk size, maximum total bytes).
/// </summary>
public readonly record struct SrvCopyChunkResponse(uint ChunksWritten, uint ChunkBytesWritten, uint TotalBytesWritten)
{
    public const int Size = 12;

    public int Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dest, ChunksWritten);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], ChunkBytesWritten);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], TotalBytesWritten);
        return Size;
    }

    public static bool TryParse(ReadOnlySpan<byte> output, out SrvCopyChunkResponse value)
    {
        value = default;
        if (output.Length < Size) return false;
        value = new SrvCopyChunkResponse(BinaryPrimitives.ReadUInt32LittleEndian(output),
            BinaryPrimitives.ReadUInt32LittleEndian(output[4..]), BinaryPrimitives.ReadUInt32LittleEndian(output[8..]));
        return true;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.32.3 SRV_REQUEST_RESUME_KEY Response: the 24-byte ResumeKey, ContextLength (0), and the Context,
/// which Windows sends as 4 zero bytes (product behavior note &lt;56&gt;; Samba's smbtorture parses 32 bytes).
/// </summary>
public static class SrvRequestResumeKeyResponse
{
    public const int KeySize = 24;
    /// <summary>Key and ContextLength: the least a response can be.</summary>
    public const int MinimumSize = 28;
    /// <summary>What Windows sends: the key, ContextLength 0 and 4 zero bytes of Context.</summary>
    public const int Size = 32;

    public static int Write(Span<byte> dest, ReadOnlySpan<byte> resumeKey)
    {
        dest[..Size].Clear();
        resumeKey[..KeySize].CopyTo(dest);
        return Size;
    }

    public static bool TryParse(ReadOnlySpan<byte> output, out ReadOnlySpan<byte> resumeKey)
    {
        resumeKey = default;
        if (output.Length < MinimumSize) return false;
        uint contextLength = BinaryPrimitives.ReadUInt32LittleEndian(output[KeySize..]);
        if ((ulong)MinimumSize + contextLength > (ulong)output.Length) return false;
        resumeKey = output[..KeySize];
        return true;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.32.2 SRV_SNAPSHOT_ARRAY, the output of FSCTL_SRV_ENUMERATE_SNAPSHOTS: NumberOfSnapShots,
/// NumberOfSnapShotsReturned, SnapShotArraySize, then the "@GMT-..." names. Only the empty array is written here
/// (FastSmb keeps no previous versions).
/// </summary>
public static class SrvSnapshotArray
{
    public const int FixedSize = 12;
    /// <summary>3.3.5.15.1: "If the MaxOutputResponse of the request is less than 16 bytes, the server MUST fail the
    /// request with STATUS_INVALID_PARAMETER."</summary>
    public const int MinimumMaxOutput = 16;

    public static int WriteEmpty(Span<byte> dest)
    {
        dest[..FixedSize].Clear();
        return FixedSize;
    }

    public static bool TryParse(ReadOnlySpan<byte> output, out uint numberOfSnapShots, out uint returned, out uint arraySize)
    {
        numberOfSnapShots = returned = arraySize = 0;
        if (output.Length < FixedSize) return false;
        numberOfSnapShots = BinaryPrimitives.ReadUInt32LittleEndian(output);
        returned = BinaryPrimitives.ReadUInt32LittleEndian(output[4..]);
        arraySize = BinaryPrimitives.ReadUInt32LittleEndian(output[8..]);
        return (ulong)FixedSize + arraySize <= (ulong)output.Length || returned == 0;
    }
}
