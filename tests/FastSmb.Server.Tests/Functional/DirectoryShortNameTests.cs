using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The ShortName of FileBothDirectoryInformation and FileIdBothDirectoryInformation ([MS-FSCC] 2.4.8, 2.4.17) is the
/// name FileAlternateNameInformation reports for the same file (smbtorture smb2.dir.one compares them); a name that
/// is a legal 8.3 name has none, as on NTFS.
/// </summary>
[CancelAfter(30_000)]
public class DirectoryShortNameTests
{
    [TestCase(FileInformationClass.FileBothDirectoryInformation)]
    [TestCase(FileInformationClass.FileIdBothDirectoryInformation)]
    public async Task QueryDirectory_BothClasses_ShortNameIsTheAlternateName(FileInformationClass informationClass)
    {
        await using var server = TestServer.Start();
        File.WriteAllText(Path.Combine(server.ShareDir, "torture_search.txt"), "x");
        File.WriteAllText(Path.Combine(server.ShareDir, "SHORT.TXT"), "x");
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "torture_search.txt", Open);
        var (status, alternate, _) = await c.QueryInfoAsync(tree, file, Protocol.Smb2.Commands.Smb2InfoType.File,
            (byte)FileInformationClass.FileAlternateNameInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        string alternateName = FileNameInformation.TryParse(alternate, out var parsed) ? parsed.FileName : "";
        var (_, dir, _) = await c.CreateAsync(tree, "", Open, GenericRead, DirectoryFile);

        var (listed, output) = await c.QueryDirectoryAsync(tree, dir, informationClass, outputLength: 4096);

        Assert.That(listed, Is.EqualTo(NtStatus.Success));
        var shortNames = new Dictionary<string, string>();
        ReadShortNames(output, informationClass, shortNames);
        Assert.That(shortNames["torture_search.txt"], Is.EqualTo(alternateName).And.Not.Empty);
        Assert.That(shortNames["SHORT.TXT"], Is.Empty, "an 8.3 name is its own short name");
        Assert.That(shortNames["."], Is.Empty);
        await c.CloseAsync(tree, dir);
        await c.CloseAsync(tree, file);
    }

    private static void ReadShortNames(byte[] output, FileInformationClass informationClass, Dictionary<string, string> into)
    {
        var reader = new EntryChainReader(output);
        while (reader.TryNext(out var entry))
        {
            Assert.That(DirectoryEntry.TryParse(entry, informationClass, out var e), Is.True);
            into[e.FileName] = e.ShortName;
        }
    }

    [Test]
    public async Task QueryDirectory_FullClass_HasNoShortNameField_ListingUnchanged()
    {
        await using var server = TestServer.Start();
        File.WriteAllText(Path.Combine(server.ShareDir, "a-rather-long-name.txt"), "x");
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, dir, _) = await c.CreateAsync(tree, "", Open, GenericRead, DirectoryFile);
        var (listed, output) = await c.QueryDirectoryAsync(tree, dir, FileInformationClass.FileFullDirectoryInformation,
            outputLength: 4096);
        Assert.That(listed, Is.EqualTo(NtStatus.Success));
        Assert.That(Names(output, FileInformationClass.FileFullDirectoryInformation),
            Is.EquivalentTo(new[] { ".", "..", "a-rather-long-name.txt" }));
        await c.CloseAsync(tree, dir);
    }
}
