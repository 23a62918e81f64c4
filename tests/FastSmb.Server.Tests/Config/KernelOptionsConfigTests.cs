using FastSmb.Control.Config;
using FastSmb.Control.Shares;

namespace FastSmb.Server.Tests.Config;

/// <summary>"kernel change notify" and "kernel oplocks" (Samba's names): [global] sets every share's default, a share
/// may say otherwise; both off unless configured.</summary>
public class KernelOptionsConfigTests
{
    private static ShareDefinition Share(ServerConfig config, string name) =>
        ConfiguredShares.From(config).Single(s => s.Name == name);

    [Test]
    public void Default_BothOff()
    {
        var r = SmbConfParser.Parse("[global]\n[data]\npath = /srv\n");
        Assert.That(Share(r.Config!, "data").KernelChangeNotify, Is.False);
        Assert.That(Share(r.Config!, "data").KernelOplocks, Is.False);
    }

    [Test]
    public void Global_IsEveryShareDefault_ShareOverrides_FormattedBack()
    {
        const string text = "[global]\nkernel change notify = yes\nkernel oplocks = yes\n"
            + "[a]\npath = /srv/a\n[b]\npath = /srv/b\nkernel change notify = no\nkernel oplocks = no\n";
        var r = SmbConfParser.Parse(text, "x.conf");
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.Warnings, Is.Empty);
        foreach (var config in new[] { r.Config!, SmbConfParser.Parse(SmbConfWriter.Format(r.Config!)).Config! })
        {
            Assert.That(Share(config, "a").KernelChangeNotify, Is.True);
            Assert.That(Share(config, "a").KernelOplocks, Is.True);
            Assert.That(Share(config, "b").KernelChangeNotify, Is.False);
            Assert.That(Share(config, "b").KernelOplocks, Is.False);
        }
    }

    [TestCase("[global]\nkernel oplocks = maybe\n", "x.conf:2: invalid value 'maybe'")]
    [TestCase("[s]\npath = /s\nkernel change notify = often\n", "x.conf:3: invalid value 'often'")]
    public void Parse_NotBoolean_Error(string text, string error) =>
        Assert.That(SmbConfParser.Parse(text, "x.conf").Errors, Has.Some.StartsWith(error));
}
