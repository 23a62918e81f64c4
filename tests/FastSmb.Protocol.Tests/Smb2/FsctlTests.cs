using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

/// <summary>
/// The FSCTL payloads of [MS-SMB2] 2.2.31.1 / 2.2.32.1 / 2.2.32.3 and [MS-FSCC] 2.3: layouts checked against bytes
/// written out by hand from the spec's field tables (little-endian), round trips, and every truncated prefix.
/// </summary>
public class FsctlTests
{
    // SRV_COPYCHUNK_COPY with key 00..17, ChunkCount 2, Reserved 0, chunks (0x1000, 0x2000, 0x100) and (1, 2, 3).
    private static readonly byte[] CopyChunkCopy = Convert.FromHexString(
        "000102030405060708090A0B0C0D0E0F1011121314151617" + "02000000" + "00000000"
        + "0010000000000000" + "0020000000000000" + "00010000" + "00000000"
        + "0100000000000000" + "0200000000000000" + "03000000" + "00000000");

    [Test]
    public void SrvCopyChunkCopy_Parse_Fields()
    {
        Assert.That(SrvCopyChunkCopy.TryParse(CopyChunkCopy, out var copy), Is.True);
        Assert.That(copy.SourceKey.ToArray(), Is.EqualTo(CopyChunkCopy[..24]));
        Assert.That(copy.ChunkCount, Is.EqualTo(2));
        Assert.That(copy.Chunk(0), Is.EqualTo(new SrvCopyChunk(0x1000, 0x2000, 0x100)));
        Assert.That(copy.Chunk(1), Is.EqualTo(new SrvCopyChunk(1, 2, 3)));
    }

    [Test]
    public void SrvCopyChunkCopy_Write_MatchesSpecLayout()
    {
        var buffer = new byte[CopyChunkCopy.Length];
        int n = SrvCopyChunkCopy.Write(buffer, CopyChunkCopy[..24], [new(0x1000, 0x2000, 0x100), new(1, 2, 3)]);
        Assert.That(buffer[..n], Is.EqualTo(CopyChunkCopy));
    }

    [Test]
    public void SrvCopyChunkCopy_TruncatedOrCorrupted_Rejected()
    {
        ParserRobustness.Check(CopyChunkCopy, b => SrvCopyChunkCopy.TryParse(b, out var c) && Touch(c));

        static bool Touch(SrvCopyChunkCopy c)
        {
            for (int i = 0; i < (int)c.ChunkCount; i++) _ = c.Chunk(i);
            return true;
        }
    }

    [Test]
    public void SrvCopyChunkCopy_HugeChunkCount_RejectedWithoutOverflow()
    {
        var bad = (byte[])CopyChunkCopy.Clone();
        bad[24] = bad[25] = bad[26] = bad[27] = 0xFF;
        Assert.That(SrvCopyChunkCopy.TryParse(bad, out _), Is.False);
    }

    [Test]
    public void SrvCopyChunkResponse_RoundTrip_AndTruncated()
    {
        var bytes = Convert.FromHexString("000100000000100000000001");
        Assert.That(SrvCopyChunkResponse.TryParse(bytes, out var r), Is.True);
        Assert.That(r, Is.EqualTo(new SrvCopyChunkResponse(256, 1024 * 1024, 16 * 1024 * 1024)));
        var back = new byte[12];
        r.Write(back);
        Assert.That(back, Is.EqualTo(bytes));
        ParserRobustness.Check(bytes, b => SrvCopyChunkResponse.TryParse(b, out _));
    }

    [Test]
    public void ResumeKeyResponse_WindowsLayout_RoundTrip_AndTruncated()
    {
        var key = Enumerable.Range(0x40, 24).Select(i => (byte)i).ToArray();
        var output = new byte[SrvRequestResumeKeyResponse.Size];
        Assert.That(SrvRequestResumeKeyResponse.Write(output, key), Is.EqualTo(32));
        Assert.That(output, Is.EqualTo(key.Concat(new byte[8]).ToArray()), "key, ContextLength 0, 4 bytes of zero Context");
        Assert.That(SrvRequestResumeKeyResponse.TryParse(output, out var parsed) && parsed.SequenceEqual(key), Is.True);
        ParserRobustness.Check(output, b => SrvRequestResumeKeyResponse.TryParse(b, out _),
            minimumValidLength: SrvRequestResumeKeyResponse.MinimumSize);
        var lying = (byte[])output.Clone();
        lying[24] = 0x10; // ContextLength 16, but only 4 bytes follow
        Assert.That(SrvRequestResumeKeyResponse.TryParse(lying, out _), Is.False);
    }

    [Test]
    public void FileZeroDataInformation_Layout_RoundTrip_AndTruncated()
    {
        var bytes = Convert.FromHexString("0010000000000000" + "0820000000000000");
        Assert.That(FileZeroDataInformation.TryParse(bytes, out var z), Is.True);
        Assert.That(z, Is.EqualTo(new FileZeroDataInformation(0x1000, 0x2008)));
        var back = new byte[16];
        z.Write(back);
        Assert.That(back, Is.EqualTo(bytes));
        ParserRobustness.Check(bytes, b => FileZeroDataInformation.TryParse(b, out _));
    }

    [Test]
    public void FileAllocatedRangeBuffer_Layout_RoundTrip_AndTruncated()
    {
        var bytes = Convert.FromHexString("0002000000000000" + "FFFFFFFFFFFFFFFF");
        Assert.That(FileAllocatedRangeBuffer.TryParse(bytes, out var r), Is.True);
        Assert.That(r, Is.EqualTo(new FileAllocatedRangeBuffer(512, -1)), "signed: a length of ~0 is -1, which the FSA refuses");
        var back = new byte[16];
        r.Write(back);
        Assert.That(back, Is.EqualTo(bytes));
        ParserRobustness.Check(bytes, b => FileAllocatedRangeBuffer.TryParse(b, out _));
    }

    [Test]
    public void FileSetSparseBuffer_NoBufferMeansTrue_FirstByteDecides()
    {
        Assert.That(FileSetSparseBuffer.SetSparse([]), Is.True);
        Assert.That(FileSetSparseBuffer.SetSparse([0xFF]), Is.True);
        Assert.That(FileSetSparseBuffer.SetSparse([0x00]), Is.False);
        Assert.That(FileSetSparseBuffer.SetSparse(new byte[100]), Is.False, "an oversize buffer: only the first byte counts");
    }

    [Test]
    public void CompressionState_RoundTrip_AndTruncated()
    {
        var bytes = new byte[] { 0x02, 0x00 };
        Assert.That(CompressionState.TryParse(bytes, out ushort format) && format == CompressionState.FormatLznt1, Is.True);
        var back = new byte[2];
        CompressionState.Write(back, CompressionState.FormatLznt1);
        Assert.That(back, Is.EqualTo(bytes));
        ParserRobustness.Check(bytes, b => CompressionState.TryParse(b, out _));
    }

    [Test]
    public void SrvSnapshotArray_Empty_AndTruncated()
    {
        var output = new byte[12];
        Assert.That(SrvSnapshotArray.WriteEmpty(output), Is.EqualTo(12));
        Assert.That(output, Is.EqualTo(new byte[12]));
        Assert.That(SrvSnapshotArray.TryParse(output, out uint n, out uint r, out uint size) && (n, r, size) == (0u, 0u, 0u), Is.True);
        ParserRobustness.Check(output, b => SrvSnapshotArray.TryParse(b, out _, out _, out _));
        // Two "@GMT-" names claimed (2 returned, 100 bytes of array) but none sent.
        var lying = Convert.FromHexString("02000000" + "02000000" + "64000000");
        Assert.That(SrvSnapshotArray.TryParse(lying, out _, out _, out _), Is.False);
    }

    [Test]
    public void DuplicateExtentsData_Layout_RoundTrip_AndTruncated()
    {
        var bytes = Convert.FromHexString("0700000000000000" + "0900000000000000" + "0010000000000000" + "0020000000000000"
            + "0030000000000000");
        Assert.That(DuplicateExtentsData.TryParse(bytes, out var d), Is.True);
        Assert.That(d, Is.EqualTo(new DuplicateExtentsData(new FileId(7, 9), 0x1000, 0x2000, 0x3000)));
        var back = new byte[40];
        d.Write(back);
        Assert.That(back, Is.EqualTo(bytes));
        ParserRobustness.Check(bytes, b => DuplicateExtentsData.TryParse(b, out _));
    }
}
