using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// File system controls through the real dispatcher ([MS-SMB2] 3.3.5.15): server-side copy with resume keys, the
/// copy limits and errors, sparse files, allocated ranges and the controls FastSmb answers without a file system
/// feature behind them.
/// </summary>
[CancelAfter(30_000)]
public class FileIoctlTests
{
    private const uint ReadAttributes = 0x80, ReadData = 0x1, WriteData = 0x2, Execute = 0x20, Synchronize = 0x100000;

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i + 8 <= length; i += 8) BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i), (ulong)i);
        return data;
    }

    private static async Task<FileId> CreateFilledAsync(Smb2ClientConnection c, uint tree, string name, byte[] data,
        uint access = GenericAll)
    {
        var (status, file, _) = await c.CreateAsync(tree, name, OverwriteIf, access);
        Assert.That(status, Is.EqualTo(NtStatus.Success), "create " + name);
        if (data.Length > 0)
        {
            var (writer, wfile, _) = (await c.CreateAsync(tree, name, Open, GenericAll));
            Assert.That(writer, Is.EqualTo(NtStatus.Success));
            for (int offset = 0; offset < data.Length; offset += 32 * 1024)
                Assert.That(await c.WriteAsync(tree, wfile, (ulong)offset, data[offset..Math.Min(data.Length, offset + 32 * 1024)]),
                    Is.EqualTo(NtStatus.Success));
            await c.CloseAsync(tree, wfile);
        }
        return file;
    }

    [Test]
    public async Task CopyChunk_TwoChunks_CopiesAndCounts()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var data = Pattern(8192);
        var src = await CreateFilledAsync(c, tree, "src.dat", data);
        var dst = await CreateFilledAsync(c, tree, "dst.dat", []);
        var (keyStatus, key) = await c.RequestResumeKeyAsync(tree, src);
        Assert.That(keyStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(key, Has.Length.EqualTo(24));
        Assert.That((await c.RequestResumeKeyAsync(tree, src)).Key, Is.EqualTo(key), "one key per open");

        var (status, result) = await c.CopyChunkAsync(tree, dst, key, [new(4096, 0, 4096), new(0, 4096, 4096)]);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(result, Is.EqualTo(new SrvCopyChunkResponse(2, 0, 8192)));
        var expected = data[4096..].Concat(data[..4096]).ToArray();
        Assert.That(File.ReadAllBytes(Path.Combine(server.ShareDir, "dst.dat")), Is.EqualTo(expected));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task CopyChunk_SourceInAnotherTreeConnect_Works_AndClosedSourceIsNotFound()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (tcStatus, tree2, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(tcStatus, Is.EqualTo(NtStatus.Success));
        var src = await CreateFilledAsync(c, tree, "a.dat", Pattern(4096));
        var dst = await CreateFilledAsync(c, tree2, "b.dat", []);
        var (_, key) = await c.RequestResumeKeyAsync(tree, src);
        var (status, result) = await c.CopyChunkAsync(tree2, dst, key, [new(0, 0, 4096)]);
        Assert.That((status, result.TotalBytesWritten), Is.EqualTo((NtStatus.Success, 4096u)));

        await c.CloseAsync(tree, src);
        Assert.That((await c.CopyChunkAsync(tree2, dst, key, [new(0, 0, 4096)])).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        var forged = (byte[])key.Clone();
        forged[20] ^= 0x5A;
        Assert.That((await c.CopyChunkAsync(tree2, dst, forged, [new(0, 0, 1)])).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [TestCase(257, 16u, Description = "more chunks than ServerSideCopyMaxNumberofChunks")]
    [TestCase(1, 1024u * 1024 + 1, Description = "a chunk over ServerSideCopyMaxChunkSize")]
    [TestCase(17, 1024u * 1024, Description = "more than ServerSideCopyMaxDataSize in all")]
    [TestCase(1, 0u, Description = "an empty chunk")]
    public async Task CopyChunk_OverLimits_InvalidParameterWithTheLimits(int chunks, uint length)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var src = await CreateFilledAsync(c, tree, "s", Pattern(64));
        var dst = await CreateFilledAsync(c, tree, "d", []);
        var (_, key) = await c.RequestResumeKeyAsync(tree, src);
        var list = Enumerable.Range(0, chunks).Select(_ => new SrvCopyChunk(0, 0, length)).ToArray();
        var (status, result) = await c.CopyChunkAsync(tree, dst, key, list);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(result, Is.EqualTo(new SrvCopyChunkResponse(256, 1024 * 1024, 16 * 1024 * 1024)));
        Assert.That(new FileInfo(Path.Combine(server.ShareDir, "d")).Length, Is.Zero);
    }

    [Test]
    public async Task CopyChunk_SecondChunkPastSourceEnd_InvalidViewSize_FirstCounted()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var src = await CreateFilledAsync(c, tree, "s", Pattern(8192));
        var dst = await CreateFilledAsync(c, tree, "d", []);
        var (_, key) = await c.RequestResumeKeyAsync(tree, src);
        var (status, result) = await c.CopyChunkAsync(tree, dst, key, [new(0, 0, 4096), new(4096, 4096, 8192)]);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidViewSize));
        Assert.That(result, Is.EqualTo(new SrvCopyChunkResponse(1, 0, 4096)));
    }

    [Test]
    public async Task CopyChunk_RangeLockedByAnotherOpen_FileLockConflictWithZeroCounts_ThenCopiesOnceUnlocked()
    {
        const uint Exclusive = 0x2, Unlock = 0x4;
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var src = await CreateFilledAsync(c, tree, "s", Pattern(4096));
        var dst = await CreateFilledAsync(c, tree, "d", new byte[4096]);
        var (_, key) = await c.RequestResumeKeyAsync(tree, src);
        SrvCopyChunk[] one = [new(0, 0, 4096)];
        foreach (var lockedName in new[] { "s", "d" })
        {
            var (os, locker, _) = await c.CreateAsync(tree, lockedName, Open, GenericAll);
            Assert.That(os, Is.EqualTo(NtStatus.Success));
            Assert.That(await c.LockRangeAsync(tree, locker, 0, 4096, Exclusive), Is.EqualTo(NtStatus.Success));
            var (status, result) = await c.CopyChunkAsync(tree, dst, key, one);
            Assert.That(status, Is.EqualTo(NtStatus.FileLockConflict), lockedName + " locked");
            Assert.That(result, Is.EqualTo(new SrvCopyChunkResponse(0, 0, 0)), "the response still comes, nothing copied");
            Assert.That(await c.LockRangeAsync(tree, locker, 0, 4096, Unlock), Is.EqualTo(NtStatus.Success));
            await c.CloseAsync(tree, locker);
        }
        var (done, copied) = await c.CopyChunkAsync(tree, dst, key, one);
        Assert.That(done, Is.EqualTo(NtStatus.Success));
        Assert.That(copied, Is.EqualTo(new SrvCopyChunkResponse(1, 0, 4096)));
        Assert.That(File.ReadAllBytes(Path.Combine(server.ShareDir, "d")), Is.EqualTo(Pattern(4096)));
    }

    [Test]
    public async Task CreateOrGetObjectId_SameIdForEveryOpenOfTheFile_DifferentForAnother_ShortBufferRefused()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var a = await CreateFilledAsync(c, tree, "a", Pattern(64));
        var b = await CreateFilledAsync(c, tree, "b", Pattern(64));
        var (os, a2, _) = await c.CreateAsync(tree, "a", Open, ReadAttributes | Synchronize);
        Assert.That(os, Is.EqualTo(NtStatus.Success));

        var (status, first) = await c.FsctlAsync(tree, a, FsctlCodes.FSCTL_CREATE_OR_GET_OBJECT_ID, [], 64);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(first, Has.Length.EqualTo(64), "FILE_OBJECTID_BUFFER");
        Assert.That(first[..16], Is.Not.EqualTo(new byte[16]), "a non-zero object id");
        Assert.That(first[32..48], Is.EqualTo(first[..16]), "born here: the birth object id is the object id");
        Assert.That((await c.FsctlAsync(tree, a2, FsctlCodes.FSCTL_CREATE_OR_GET_OBJECT_ID, [], 64)).Output, Is.EqualTo(first),
            "another open of the same file gets the same id");
        Assert.That((await c.FsctlAsync(tree, b, FsctlCodes.FSCTL_CREATE_OR_GET_OBJECT_ID, [], 64)).Output[..16],
            Is.Not.EqualTo(first[..16]), "another file, another id");
        Assert.That((await c.FsctlAsync(tree, a, FsctlCodes.FSCTL_CREATE_OR_GET_OBJECT_ID, [], 63)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task SetZeroData_RangeLockedByAnotherOpen_FileLockConflict()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var f = await CreateFilledAsync(c, tree, "z", Pattern(8192));
        var (os, locker, _) = await c.CreateAsync(tree, "z", Open, GenericAll);
        Assert.That(os, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LockRangeAsync(tree, locker, 0, 8192, 0x2), Is.EqualTo(NtStatus.Success));
        var zero = new byte[16];
        new FileZeroDataInformation(0, 4096).Write(zero);
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_ZERO_DATA, zero, 0)).Status,
            Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That(File.ReadAllBytes(Path.Combine(server.ShareDir, "z")), Is.EqualTo(Pattern(8192)), "nothing zeroed");
        new FileZeroDataInformation(8192, 12288).Write(zero);
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_ZERO_DATA, zero, 0)).Status, Is.EqualTo(NtStatus.Success),
            "past the end of file there is nothing to zero");
    }

    [Test]
    public async Task CopyChunk_AccessAndRequestChecks()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var src = await CreateFilledAsync(c, tree, "s", Pattern(4096));
        var (_, key) = await c.RequestResumeKeyAsync(tree, src);
        SrvCopyChunk[] one = [new(0, 0, 4096)];

        // The target needs WRITE_DATA, and READ_DATA as well for FSCTL_SRV_COPYCHUNK (not for _WRITE).
        var writeOnly = await CreateFilledAsync(c, tree, "w", [], WriteData | ReadAttributes | Synchronize);
        Assert.That((await c.CopyChunkAsync(tree, writeOnly, key, one)).Status, Is.EqualTo(NtStatus.AccessDenied));
        Assert.That((await c.CopyChunkAsync(tree, writeOnly, key, one, writeOnly: true)).Status, Is.EqualTo(NtStatus.Success));
        var readOnly = await CreateFilledAsync(c, tree, "r", [], ReadData | ReadAttributes);
        Assert.That((await c.CopyChunkAsync(tree, readOnly, key, one, writeOnly: true)).Status, Is.EqualTo(NtStatus.AccessDenied));

        // The source must be readable: READ_DATA or EXECUTE.
        var dst = await CreateFilledAsync(c, tree, "d", []);
        var (_, attrs, _) = await c.CreateAsync(tree, "s", Open, ReadAttributes);
        var (_, attrsKey) = await c.RequestResumeKeyAsync(tree, attrs);
        Assert.That((await c.CopyChunkAsync(tree, dst, attrsKey, one)).Status, Is.EqualTo(NtStatus.AccessDenied));
        var (_, exec, _) = await c.CreateAsync(tree, "s", Open, Execute | ReadAttributes);
        var (_, execKey) = await c.RequestResumeKeyAsync(tree, exec);
        Assert.That((await c.CopyChunkAsync(tree, dst, execKey, one)).Status, Is.EqualTo(NtStatus.Success));

        // MaxOutputResponse below SRV_COPYCHUNK_RESPONSE, and an input shorter than the chunks it announces.
        var input = new byte[SrvCopyChunkCopy.FixedSize + SrvCopyChunkCopy.ChunkSize];
        SrvCopyChunkCopy.Write(input, key, one);
        Assert.That((await c.FsctlAsync(tree, dst, FsctlCodes.FSCTL_SRV_COPYCHUNK, input, 11)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.FsctlAsync(tree, dst, FsctlCodes.FSCTL_SRV_COPYCHUNK, input[..^1], 12)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.FsctlAsync(tree, src, FsctlCodes.FSCTL_SRV_REQUEST_RESUME_KEY, [], 27)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task Sparse_SetZeroQuery_OverTheWire()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        const int Chunk = 64 * 1024;
        var f = await CreateFilledAsync(c, tree, "sp", Pattern(4 * Chunk));

        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_SPARSE, [], 0)).Status, Is.EqualTo(NtStatus.Success));
        var (qs, basic, _) = await c.QueryInfoAsync(tree, f, Smb2InfoType.File, (byte)FileInformationClass.FileBasicInformation);
        Assert.That(qs, Is.EqualTo(NtStatus.Success));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(basic.AsSpan(32)) & 0x200, Is.EqualTo(0x200u), "FILE_ATTRIBUTE_SPARSE_FILE");

        var zero = new byte[16];
        new FileZeroDataInformation(Chunk, 2 * Chunk).Write(zero);
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_ZERO_DATA, zero, 0)).Status, Is.EqualTo(NtStatus.Success));
        new FileZeroDataInformation(2 * Chunk, Chunk).Write(zero);
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_ZERO_DATA, zero, 0)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        var (_, hole) = await c.ReadAsync(tree, f, Chunk, Chunk);
        Assert.That(hole, Is.EqualTo(new byte[Chunk]));

        var query = new byte[16];
        new FileAllocatedRangeBuffer(0, 4 * Chunk).Write(query);
        var (status, output) = await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES, query, 1024);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(output.Length % 16, Is.Zero);
        var ranges = Enumerable.Range(0, output.Length / 16)
            .Select(i => FileAllocatedRangeBuffer.TryParse(output.AsSpan(i * 16), out var r) ? r : default).ToArray();
        // Whatever the file system deallocates, the zeroed chunk is not reported as data after data: the ranges
        // are ordered, inside the file, and the written chunks are covered.
        Assert.That(ranges, Is.Not.Empty);
        Assert.That(ranges.All(r => r.FileOffset >= 0 && r.FileOffset + r.Length <= 4 * Chunk), Is.True);
        Assert.That(ranges.Any(r => r.FileOffset <= 0 && r.FileOffset + r.Length >= Chunk), Is.True);
        Assert.That(ranges.Any(r => r.FileOffset <= 2 * Chunk && r.FileOffset + r.Length >= 4 * Chunk), Is.True);

        // Room for one range while there are two: STATUS_BUFFER_OVERFLOW with the first; room for none: too small.
        if (ranges.Length > 1)
        {
            var (over, first) = await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES, query, 31);
            Assert.That((over, first.Length), Is.EqualTo((NtStatus.BufferOverflow, 16)));
            Assert.That(FileAllocatedRangeBuffer.TryParse(first, out var r0) && r0 == ranges[0], Is.True);
        }
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES, query, 15)).Status,
            Is.EqualTo(NtStatus.BufferTooSmall));
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES, query[..15], 1024)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        new FileAllocatedRangeBuffer(512, -1).Write(query);
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES, query, 1024)).Status,
            Is.EqualTo(NtStatus.InvalidParameter), "offset + length overflows");
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task ControlsWithoutAFeature_AnswerAsWindows()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var f = await CreateFilledAsync(c, tree, "x", Pattern(16));
        var (get, state) = await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_GET_COMPRESSION, [], 2);
        Assert.That((get, state), Is.EqualTo((NtStatus.Success, new byte[] { 0, 0 })), "COMPRESSION_FORMAT_NONE");
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_COMPRESSION, [2, 0], 0)).Status, Is.EqualTo(NtStatus.NotSupported));
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_COMPRESSION, [0, 0], 0)).Status, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SET_COMPRESSION, [0x42, 0], 0)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_GET_REPARSE_POINT, [], 1024)).Status,
            Is.EqualTo(NtStatus.NotAReparsePoint));
        var (snaps, array) = await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SRV_ENUMERATE_SNAPSHOTS, [], 16);
        Assert.That(snaps, Is.EqualTo(NtStatus.Success));
        Assert.That(SrvSnapshotArray.TryParse(array, out uint number, out uint returned, out _) && number == 0 && returned == 0,
            Is.True, "no previous versions");
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_SRV_ENUMERATE_SNAPSHOTS, [], 15)).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_FILE_LEVEL_TRIM, new byte[8], 4)).Status,
            Is.EqualTo(NtStatus.InvalidDeviceRequest), "a control no file system here does");
        Assert.That((await c.FsctlAsync(tree, f, FsctlCodes.FSCTL_GET_COMPRESSION, [], 16u * 1024 * 1024)).Status,
            Is.EqualTo(NtStatus.InvalidParameter), "MaxOutputResponse over MaxTransactSize");
    }
}
