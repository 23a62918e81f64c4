using FastSmb.Fsa;

namespace FastSmb.Server.Tests.Fsa;

public class ShortNamesTests
{
    [TestCase("README.TXT")]
    [TestCase("readme.txt")]
    [TestCase("A")]
    [TestCase("NOEXT")]
    [TestCase("12345678.123")]
    public void Get_Legal83Name_IsItself(string name) => Assert.That(ShortNames.Get(name), Is.EqualTo(name));

    [TestCase("Program Files.txt", @"^PROGR~[0-9A-Z]{2}\.TXT$")]
    [TestCase("archive.tar.gz", @"^ARCHI~[0-9A-Z]{2}\.GZ$")]
    [TestCase("123456789", @"^12345~[0-9A-Z]{2}$")]
    [TestCase(".bashrc", @"^BASHR~[0-9A-Z]{2}$")]
    [TestCase("été.html", @"^T~[0-9A-Z]{2}\.HTM$")]
    [TestCase("+++", @"^_~[0-9A-Z]{2}$")]
    public void Get_LongName_Mangled(string name, string pattern)
    {
        string shortName = ShortNames.Get(name);
        Assert.That(shortName, Does.Match(pattern));
        Assert.That(ShortNames.Is8Dot3(shortName), Is.True);
        Assert.That(ShortNames.Get(name), Is.EqualTo(shortName), "the same on every call");
    }

    [TestCase("a.b.c", false)]
    [TestCase("name.", false)]
    [TestCase("with space", false)]
    [TestCase("LONGNAME1.TXT", false)]
    [TestCase("ok.txtx", false)]
    [TestCase("$Q~1.{}", true)]
    public void Is8Dot3_Rules(string name, bool expected) => Assert.That(ShortNames.Is8Dot3(name), Is.EqualTo(expected));

    [TestCase("Program Files.txt")]
    [TestCase("torture_search.txt")]
    [TestCase("+++")]
    public void Format_LongName_WritesWhatGetReturns(string name)
    {
        Span<char> dest = stackalloc char[ShortNames.MaxLength];
        int length = ShortNames.Format(name, dest);
        Assert.That(new string(dest[..length]), Is.EqualTo(ShortNames.Get(name)));
    }

    [TestCase("README.TXT")]
    [TestCase("a.txt")]
    [TestCase(".")]
    [TestCase("..")]
    public void Format_Legal83Name_HasNoShortNameOfItsOwn(string name)
    {
        Span<char> dest = stackalloc char[ShortNames.MaxLength];
        Assert.That(ShortNames.Format(name, dest), Is.Zero);
    }
}
