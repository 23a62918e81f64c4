using FastSmb.Control.Config;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Server.Tests.Config;

public class SmbConfParserTests
{
    [Test]
    public void Parse_GlobalAndShares()
    {
        var r = SmbConfParser.Parse("""
            # comment
            [global]
              Server   Signing = mandatory
              workgroup = lab
              server max protocol = SMB3_00
              log level = 3
            ; another comment
            [data]
              path = /srv/data
              comment = Lab data
              read only = yes
            [Scratch]
              path = /srv/scratch
              writable = yes
            """);
        Assert.That(r.Errors, Is.Empty);
        var c = r.Config!;
        Assert.That(c.Global.ServerSigning, Is.EqualTo(SigningPolicy.Mandatory));
        Assert.That(c.Global.Workgroup, Is.EqualTo("LAB"));
        Assert.That(c.Global.MaxProtocol, Is.EqualTo(Smb2Dialect.Smb300));
        Assert.That(c.Shares.Select(s => s.Name), Is.EqualTo(new[] { "data", "Scratch" }));
        Assert.That(c.Shares[0], Is.EqualTo(new ShareConfig("data", "/srv/data", "Lab data", true)));
        Assert.That(c.Shares[1].ReadOnly, Is.False);
        Assert.That(r.Ignored, Has.Count.EqualTo(1).And.Some.Contains("log level"));
    }

    [Test]
    public void Parse_SmbEncrypt_GlobalAndShare()
    {
        var r = SmbConfParser.Parse("""
            [global]
              server smb encrypt = desired
            [secret]
              path = /srv/secret
              smb encrypt = required
            [plain]
              path = /srv/plain
              smb encrypt = off
            [other]
              path = /srv/other
            """);
        Assert.That(r.Errors, Is.Empty);
        var c = r.Config!;
        Assert.That(c.Global.ServerEncryption, Is.EqualTo(EncryptionPolicy.Desired));
        Assert.That(c.Shares.Select(s => s.Encrypt), Is.EqualTo(new[]
            { EncryptionPolicy.Required, EncryptionPolicy.Off, EncryptionPolicy.Default }));
        Assert.That(new GlobalConfig().MaxProtocol, Is.EqualTo(Smb2Dialect.Smb311), "server max protocol defaults to SMB3_11");
    }

    [TestCase("[global]\nserver signing = sometimes\n", "invalid value")]
    [TestCase("[s]\npath = /s\nsmb encrypt = maybe\n", "invalid value")]
    [TestCase("[s]\ncomment = no path\n", "no path")]
    [TestCase("key = outside\n", "inside a section")]
    [TestCase("[a]\npath=/a\n[A]\npath=/b\n", "defined twice")]
    [TestCase("[\n", "bad section")]
    public void Parse_Invalid_ReportsErrorAndNoConfig(string text, string expected)
    {
        var r = SmbConfParser.Parse(text);
        Assert.That(r.Config, Is.Null);
        Assert.That(r.Errors, Has.Some.Contains(expected));
    }
}
