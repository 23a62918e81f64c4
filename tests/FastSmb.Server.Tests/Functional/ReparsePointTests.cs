using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>Symlinks seen through the dispatcher: FILE_OPEN_REPARSE_POINT, FSCTL_GET_REPARSE_POINT's buffer
/// ([MS-FSCC] 2.1.2.4), FileAttributeTagInformation, and SET/DELETE_REPARSE_POINT answered as Samba 4.17 does.</summary>
[CancelAfter(30_000)]
public class ReparsePointTests
{
    private const uint OpenReparsePoint = 0x00200000, ReadAttributes = 0x80, WriteAttributes = 0x100;

    [Test]
    public async Task GetReparsePoint_OpenOfALink_ReturnsTheSymlinkBuffer()
    {
        await using var server = TestServer.Start();
        Directory.CreateDirectory(Path.Combine(server.ShareDir, "dir"));
        File.WriteAllText(Path.Combine(server.ShareDir, "dir", "target.txt"), "t");
        File.CreateSymbolicLink(Path.Combine(server.ShareDir, "link"), "dir/target.txt");
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);

        var (status, link, _) = await c.CreateAsync(tree, "link", Open, ReadAttributes | WriteAttributes, OpenReparsePoint);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var (get, buffer) = await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_GET_REPARSE_POINT, [], 1024);
        Assert.That(get, Is.EqualTo(NtStatus.Success));
        Assert.That(SymlinkReparseBuffer.TryParse(buffer, out var substitute, out var print, out uint flags), Is.True);
        Assert.That((substitute, print, flags), Is.EqualTo((@"dir\target.txt", @"dir\target.txt", SymlinkReparseBuffer.FlagRelative)));

        var (overflow, part) = await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_GET_REPARSE_POINT, [], 12);
        Assert.That((overflow, part), Is.EqualTo((NtStatus.BufferOverflow, buffer[..12])));
        Assert.That((await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_GET_REPARSE_POINT, [], 4)).Status, Is.EqualTo(NtStatus.BufferTooSmall));

        var (tagStatus, tag, _) = await c.QueryInfoAsync(tree, link, Smb2InfoType.File, (byte)FileInformationClass.FileAttributeTagInformation);
        Assert.That(tagStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(tag) & FileAttribute.ReparsePoint, Is.EqualTo(FileAttribute.ReparsePoint));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4)), Is.EqualTo(ReparseDataBuffer.TagSymlink));

        // No general reparse store, as in Samba 4.17: SET and DELETE are refused; a malformed buffer first.
        Assert.That((await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_SET_REPARSE_POINT, buffer, 0)).Status,
            Is.EqualTo(NtStatus.NotAReparsePoint));
        Assert.That((await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_SET_REPARSE_POINT, buffer[..7], 0)).Status,
            Is.EqualTo(NtStatus.IoReparseDataInvalid));
        byte[] deleteHeader = [.. buffer[..4], 0, 0, 0, 0]; // the tag, ReparseDataLength 0
        Assert.That((await c.FsctlAsync(tree, link, FsctlCodes.FSCTL_DELETE_REPARSE_POINT, deleteHeader, 0)).Status,
            Is.EqualTo(NtStatus.NotAReparsePoint));
        await c.CloseAsync(tree, link);

        // Without FILE_OPEN_REPARSE_POINT the link inside the share is followed: the target is opened.
        var (followedStatus, followed, _) = await c.CreateAsync(tree, "link", Open, GenericRead);
        Assert.That(followedStatus, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.ReadAsync(tree, followed, 0, 16)).Data, Is.EqualTo("t"u8.ToArray()));
        Assert.That((await c.FsctlAsync(tree, followed, FsctlCodes.FSCTL_GET_REPARSE_POINT, [], 1024)).Status,
            Is.EqualTo(NtStatus.NotAReparsePoint));
        await c.CloseAsync(tree, followed);
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task OpenReparsePoint_LinkOutTheShare_DeletedWithoutTouchingTheTarget()
    {
        await using var server = TestServer.Start();
        string outside = Path.Combine(Path.GetTempPath(), "fastsmb-outside-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(outside, "secret");
        try
        {
            File.CreateSymbolicLink(Path.Combine(server.ShareDir, "escape"), outside);
            var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
            Assert.That((await c.CreateAsync(tree, "escape", Open, GenericRead)).Status, Is.EqualTo(NtStatus.AccessDenied));
            var (status, link, _) = await c.CreateAsync(tree, "escape", Open, 0x10000 /* DELETE */ | ReadAttributes,
                OpenReparsePoint | DeleteOnClose);
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            Assert.That(await c.CloseAsync(tree, link), Is.EqualTo(NtStatus.Success));
            Assert.That(Path.Exists(Path.Combine(server.ShareDir, "escape")), Is.False);
            Assert.That(File.ReadAllText(outside), Is.EqualTo("secret"));
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
