namespace FastSmb.Interop.Tests.Support;

public class ServerTargetTests
{
    [Test]
    public void TryParse_PasswordWithColons_KeptWhole()
    {
        Assert.That(ServerTarget.TryParse("127.0.0.1:4464:bench:pa:ss", out var target), Is.True);
        Assert.That(target, Is.EqualTo(new ServerTarget("127.0.0.1", 4464, "bench", "pa:ss")));
        Assert.That(target.Credentials, Is.EqualTo("bench%pa:ss"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("127.0.0.1:4464:bench")]
    [TestCase("127.0.0.1:port:bench:pw")]
    [TestCase("127.0.0.1:70000:bench:pw")]
    [TestCase(":4464:bench:pw")]
    public void TryParse_Malformed_False(string? text)
    {
        Assert.That(ServerTarget.TryParse(text, out _), Is.False);
    }
}
