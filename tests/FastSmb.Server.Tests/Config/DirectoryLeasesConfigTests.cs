using FastSmb.Control.Config;

namespace FastSmb.Server.Tests.Config;

/// <summary>"smb3 directory leases" (Samba's name) and its alias "fastsmb directory leases".</summary>
public class DirectoryLeasesConfigTests
{
    [Test]
    public void Default_Off() => Assert.That(new GlobalConfig().DirectoryLeases, Is.False);

    [TestCase("smb3 directory leases")]
    [TestCase("fastsmb directory leases")]
    public void Parse_Yes_OnAndFormattedBack(string key)
    {
        var r = SmbConfParser.Parse($"[global]\n{key} = yes\n", "x.conf");
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.Config!.Global.DirectoryLeases, Is.True);
        var again = SmbConfParser.Parse(SmbConfWriter.Format(r.Config));
        Assert.That(again.Config!.Global.DirectoryLeases, Is.True);
    }

    [Test]
    public void Parse_NotBoolean_Error()
    {
        var r = SmbConfParser.Parse("[global]\nsmb3 directory leases = auto-ish\n", "x.conf");
        Assert.That(r.Errors, Has.Some.StartsWith("x.conf:2: invalid value 'auto-ish'"));
    }
}
