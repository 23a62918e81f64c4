using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class TreeConnectRequestTests
{
    [TestCase("smb2-tree_connect-request-smbclient-ipc.hex", @"\\127.0.0.1\IPC$")]
    [TestCase("smb2-tree_connect-request-smbclient-share.hex", @"\\127.0.0.1\share")]
    public void TryParse_SmbclientCapture_PathAndReencode(string capture, string path)
    {
        var msg = Captures.Load(capture);
        Assert.That(TreeConnectRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Path, Is.EqualTo(path));
        Assert.That(r.HasExtension, Is.False);
        var body = new byte[256];
        int n = TreeConnectRequest.Write(body, r.Flags, path);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, @"\\srv\data"));
        Assert.That(TreeConnectRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Path, Is.EqualTo(@"\\srv\data"));
        Assert.That(r.PathUtf16.Length, Is.EqualTo(20));
    }

    [Test]
    public void Extension_HeaderRelativePathOffset_Parsed()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.TreeConnect, b =>
            TreeConnectRequest.WriteWithExtension(b, TreeConnectRequest.FlagRedirectToOwner, @"\\srv\data"));
        Assert.That(TreeConnectRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.HasExtension, Is.True);
        Assert.That(r.Flags & TreeConnectRequest.FlagExtensionPresent, Is.Not.Zero);
        Assert.That(r.Path, Is.EqualTo(@"\\srv\data"));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Extension_ExtensionRelativePathOffset_Parsed()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.TreeConnect, b =>
            TreeConnectRequest.WriteWithExtension(b, 0, @"\\srv\data"));
        Smb2TestMessages.PutU16(msg, 4, 16); // PathName right after the 16-byte extension header, counted from Buffer
        Assert.That(TreeConnectRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Path, Is.EqualTo(@"\\srv\data"));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Extension_Truncated_Rejected()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.TreeConnect, b => TreeConnectRequest.WriteWithExtension(b, 0, ""));
        Assert.That(TreeConnectRequest.TryParse(msg, out _), Is.True);
        Assert.That(TreeConnectRequest.TryParse(msg.AsSpan(0, msg.Length - 1), out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(msg.AsSpan(0, msg.Length - 1), out _), Is.False);
    }

    [Test]
    public void TryParse_PathPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-tree_connect-request-smbclient-share.hex");
        Smb2TestMessages.PutU16(msg, 6, msg.Length - 72 + 2);
        Assert.That(TreeConnectRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-tree_connect-request-smbclient-share.hex"), m => TreeConnectRequest.TryParse(m, out _));
        var ext = Smb2TestMessages.Request(Smb2Command.TreeConnect, b => TreeConnectRequest.WriteWithExtension(b, 0, @"\\s\x"));
        ParserRobustness.Check(ext, m => TreeConnectRequest.TryParse(m, out var r) && r.Path.Length >= 0);
    }
}

public class TreeConnectResponseTests
{
    [TestCase("smb2-tree_connect-response-samba-ipc.hex", Smb2ShareType.Pipe)]
    [TestCase("smb2-tree_connect-response-samba-share.hex", Smb2ShareType.Disk)]
    public void TryParse_SambaCapture_ShareTypeAndReencode(string capture, byte shareType)
    {
        var msg = Captures.Load(capture);
        Assert.That(TreeConnectResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.ShareType, Is.EqualTo(shareType));
        Assert.That(r.MaximalAccess, Is.Not.Zero);
        var body = new byte[16];
        Assert.That(TreeConnectResponse.Write(body, r.ShareType, r.ShareFlags, r.Capabilities, r.MaximalAccess), Is.EqualTo(16));
        Assert.That(body, Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.TreeConnect, b => TreeConnectResponse.Write(b, Smb2ShareType.Print, 0x30, 0x8, 0x1F01FF));
        Assert.That(TreeConnectResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.ShareType, r.ShareFlags, r.Capabilities, r.MaximalAccess), Is.EqualTo((Smb2ShareType.Print, 0x30u, 0x8u, 0x1F01FFu)));
    }

    [Test]
    public void Robustness() =>
        ParserRobustness.Check(Captures.Load("smb2-tree_connect-response-samba-share.hex"), m => TreeConnectResponse.TryParse(m, out _));
}
