using System.Text;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// DOS attributes, extended attributes and named streams through the real dispatcher over the in-memory transport:
/// SET_INFO/QUERY_INFO FileBasicInformation and FileFullEaInformation, the ExtA create context, "file:stream"
/// names and FileStreamInformation, checked against the xattrs on disk.
/// </summary>
[CancelAfter(30_000)]
public class FileMetadataTests
{
    private static byte[] FullEa(params (string Name, string Value)[] eas)
    {
        var buffer = new byte[1024];
        var writer = new FullEaInformationWriter(buffer);
        foreach (var (name, value) in eas) Assert.That(writer.TryAdd(name, Encoding.ASCII.GetBytes(value)), Is.True);
        return buffer[..writer.Length];
    }

    private static List<(string, string)> ParseEas(byte[] output)
    {
        Assert.That(FullEaInformation.TryParse(output, out var entries), Is.True);
        return entries.Select(e => (e.Name, Encoding.ASCII.GetString(e.Value))).ToList();
    }

    private static void RequireXattrs(string dir)
    {
        string probe = Path.Combine(dir, ".xattr-probe");
        File.WriteAllText(probe, "");
        using var fd = new FileDescriptor(Libc.Open(probe, Libc.O_RDONLY, 0));
        bool ok = Xattrs.Set(fd, "user.probe", "1"u8) == 0;
        File.Delete(probe);
        if (!ok) Assert.Ignore("no user xattrs on " + dir);
    }

    [Test]
    public async Task SetBasicInfo_Hidden_QueriedAndStoredAsDosAttrib()
    {
        await using var server = TestServer.Start();
        RequireXattrs(server.ShareDir);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (_, file, _) = await c.CreateAsync(tree, "h.txt", Create);
        var basic = new byte[FileBasicInformation.Size];
        long created = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).ToFileTimeUtc();
        FileBasicInformation.Write(basic, created, 0, 0, 0, FileAttribute.Hidden | FileAttribute.Archive);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileBasicInformation, basic), Is.EqualTo(NtStatus.Success));
        await c.CloseAsync(tree, file);

        (_, file, _) = await c.CreateAsync(tree, "h.txt", Open, GenericRead);
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileBasicInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(FileBasicInformation.TryParse(output, out var back), Is.True);
        Assert.That(back.FileAttributes, Is.EqualTo(FileAttribute.Hidden | FileAttribute.Archive));
        Assert.That(back.CreationTime, Is.EqualTo(created));
        await c.CloseAsync(tree, file);

        using var fd = new FileDescriptor(Libc.Open(Path.Combine(server.ShareDir, "h.txt"), Libc.O_RDONLY, 0));
        Assert.That(Xattrs.Get(fd, "user.DOSATTRIB", out var raw), Is.Zero);
        Assert.That(DosAttrib.TryDecode(raw, out var info) && info.CreationTime == created, Is.True);
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task FullEa_SetQueryListAndEnumerate()
    {
        await using var server = TestServer.Start();
        RequireXattrs(server.ShareDir);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "ea.txt", Create);
        const byte fullEa = (byte)FileInformationClass.FileFullEaInformation;
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, fullEa)).Status, Is.EqualTo(NtStatus.NoEasOnFile));

        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileFullEaInformation,
            FullEa(("First", "one"), ("Second", "two"))), Is.EqualTo(NtStatus.Success));
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, fullEa);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(ParseEas(output), Is.EqualTo(new[] { ("First", "one"), ("Second", "two") }));
        // Enumerated to the end: the next query without a restart has nothing left.
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, fullEa)).Status, Is.EqualTo(NtStatus.NoMoreEas));

        // Restart, one at a time.
        var response = await c.SendAsync(Smb2Command.QueryInfo, body => QueryInfoRequest.Write(body, Smb2InfoType.File, fullEa,
            4096, 0, QueryInfoRequest.FlagRestartScan | QueryInfoRequest.FlagReturnSingleEntry, file), tree);
        Assert.That(QueryInfoResponse.TryParse(response.Message, out var single), Is.True);
        Assert.That(ParseEas(single.OutputBuffer.ToArray()), Is.EqualTo(new[] { ("First", "one") }));

        // A list of names: in that order, a missing one with an empty value.
        response = await c.SendAsync(Smb2Command.QueryInfo, body => QueryInfoRequest.Write(body, Smb2InfoType.File, fullEa,
            4096, 0, 0, file, GetEaInformation.Build("SECOND", "nope")), tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        QueryInfoResponse.TryParse(response.Message, out var listed);
        Assert.That(ParseEas(listed.OutputBuffer.ToArray()), Is.EqualTo(new[] { ("Second", "two"), ("nope", "") }));

        // The enumeration resumes after the single entry; a buffer too small for it is STATUS_BUFFER_TOO_SMALL.
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, fullEa, outputLength: 8)).Status,
            Is.EqualTo(NtStatus.BufferTooSmall));

        (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileEaInformation);
        Assert.That(FileEaInformation.TryParse(output, out var eaInfo), Is.True);
        Assert.That(eaInfo.EaSize, Is.EqualTo(38u), "the chain's size: 8+5+1+3 = 17 padded to 20, then 8+6+1+3 = 18");
        await c.CloseAsync(tree, file);

        using var fd = new FileDescriptor(Libc.Open(Path.Combine(server.ShareDir, "ea.txt"), Libc.O_RDONLY, 0));
        Assert.That(Xattrs.Get(fd, "user.First", out var v), Is.Zero);
        Assert.That(v, Is.EqualTo("one"u8.ToArray()));
    }

    [Test]
    public async Task Create_ExtAContext_SetsEas()
    {
        await using var server = TestServer.Start();
        RequireXattrs(server.ShareDir);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var contexts = new byte[256];
        var w = new CreateContextWriter(contexts);
        w.Add("ExtA"u8, FullEa(("Tag", "value")));
        var (status, file, _) = await c.CreateAsync(tree, "exta.txt", Create, contexts: contexts[..w.Length]);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var (qs, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileFullEaInformation);
        Assert.That(qs, Is.EqualTo(NtStatus.Success));
        Assert.That(ParseEas(output), Is.EqualTo(new[] { ("Tag", "value") }));
        await c.CloseAsync(tree, file);

        w = new CreateContextWriter(contexts);
        w.Add("ExtA"u8, FullEa(("bad:name", "x")));
        Assert.That((await c.CreateAsync(tree, "bad.txt", Create, contexts: contexts[..w.Length])).Status, Is.EqualTo(NtStatus.InvalidEaName));
    }

    [Test]
    public async Task NamedStream_WriteReadAndListed()
    {
        await using var server = TestServer.Start();
        RequireXattrs(server.ShareDir);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "s.txt", Create);
        await c.WriteAsync(tree, file, 0, "main data"u8.ToArray());
        await c.CloseAsync(tree, file);

        var (status, stream, _) = await c.CreateAsync(tree, "s.txt:Zone.Identifier:$DATA", Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.WriteAsync(tree, stream, 0, "[ZoneTransfer]"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        var (rs, data) = await c.ReadAsync(tree, stream, 0, 100);
        Assert.That((rs, Encoding.ASCII.GetString(data)), Is.EqualTo((NtStatus.Success, "[ZoneTransfer]")));

        var (qs, output, _) = await c.QueryInfoAsync(tree, stream, Smb2InfoType.File, (byte)FileInformationClass.FileStreamInformation);
        Assert.That(qs, Is.EqualTo(NtStatus.Success));
        var names = new List<(string, long)>();
        var reader = new EntryChainReader(output);
        while (reader.TryNext(out var entry))
        {
            Assert.That(FileStreamInformation.TryParse(entry, out var si), Is.True);
            names.Add((si.StreamName, si.StreamSize));
        }
        Assert.That(names, Is.EqualTo(new[] { ("::$DATA", 9L), (":Zone.Identifier:$DATA", 14L) }));
        await c.CloseAsync(tree, stream);
        Assert.That(File.ReadAllText(Path.Combine(server.ShareDir, "s.txt")), Is.EqualTo("main data"));
        Assert.That(server.Log.Failures, Is.Empty);
    }
}
