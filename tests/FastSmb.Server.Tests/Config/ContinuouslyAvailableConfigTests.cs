using FastSmb.Control.Config;
using FastSmb.Control.Shares;

namespace FastSmb.Server.Tests.Config;

/// <summary>The share option "continuously available" (Samba's name): persistent handles on the share.</summary>
public class ContinuouslyAvailableConfigTests
{
    [Test]
    public void Default_No()
    {
        var r = SmbConfParser.Parse("[data]\npath = /srv/data\n", "x.conf");
        Assert.That(r.Config!.Shares.Single().ContinuouslyAvailable, Is.False);
    }

    [Test]
    public void Parse_Yes_OnInTheShareDefinitionAndFormattedBack()
    {
        var r = SmbConfParser.Parse("[data]\npath = /srv/data\ncontinuously available = yes\n", "x.conf");
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.Config!.Shares.Single().ContinuouslyAvailable, Is.True);
        Assert.That(ConfiguredShares.From(r.Config).Single(s => s.Name == "data").ContinuouslyAvailable, Is.True);
        var again = SmbConfParser.Parse(SmbConfWriter.Format(r.Config));
        Assert.That(again.Config!.Shares.Single().ContinuouslyAvailable, Is.True);
        Assert.That(again.Config.Shares.Single(), Is.EqualTo(r.Config.Shares.Single()));
    }

    [Test]
    public void Parse_NotBoolean_Error()
    {
        var r = SmbConfParser.Parse("[data]\npath = /srv/data\ncontinuously available = maybe\n", "x.conf");
        Assert.That(r.Errors, Has.Some.StartsWith("x.conf:3: invalid value 'maybe'"));
    }
}
