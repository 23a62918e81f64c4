using FastSmb.Control.Config;

namespace FastSmb.Server.Tests.Config;

/// <summary>"smb3 directory leases" (Samba's name) and its alias "fastsmb directory leases".</summary>
public class DirectoryLeasesConfigTests
{
    [Test]
    public void Default_On() => Assert.That(new GlobalConfig().DirectoryLeases, Is.True);

    [TestCase("smb3 directory leases")]
    [TestCase("fastsmb directory leases")]
    public void Parse_No_OffAndFormattedBack(string key)
    {
        var r = SmbConfParser.Parse($"[global]\n{key} = no\n", "x.conf");
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.Config!.Global.DirectoryLeases, Is.False);
        var again = SmbConfParser.Parse(SmbConfWriter.Format(r.Config));
        Assert.That(again.Config!.Global.DirectoryLeases, Is.False);
    }

    [Test]
    public void Parse_NotBoolean_Error()
    {
        var r = SmbConfParser.Parse("[global]\nsmb3 directory leases = auto-ish\n", "x.conf");
        Assert.That(r.Errors, Has.Some.StartsWith("x.conf:2: invalid value 'auto-ish'"));
    }
}
