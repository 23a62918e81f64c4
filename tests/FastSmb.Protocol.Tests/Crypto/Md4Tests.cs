using System.Text;
using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Tests.Crypto;

public class Md4Tests
{
    // RFC 1320 A.5 test suite.
    [TestCase("", "31d6cfe0d16ae931b73c59d7e0c089c0")]
    [TestCase("a", "bde52cb31de33e46245e05fbdbd6fb24")]
    [TestCase("abc", "a448017aaf21d8525fc10ae87aa6729d")]
    [TestCase("message digest", "d9130a8164549fe818874806e1c7014b")]
    [TestCase("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9")]
    [TestCase("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4")]
    [TestCase("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536")]
    public void HashData_Rfc1320Suite_MatchesDigest(string input, string expected)
    {
        Assert.That(Convert.ToHexStringLower(Md4.HashData(Encoding.ASCII.GetBytes(input))), Is.EqualTo(expected));
    }

    [Test]
    public void HashData_NtHashOfPassword_MatchesMsNlmpExample()
    {
        // [MS-NLMP] 4.2.2.1.2 NTOWFv1("Password") = MD4(UNICODE("Password")).
        Assert.That(Convert.ToHexStringLower(Md4.HashData(Encoding.Unicode.GetBytes("Password"))),
            Is.EqualTo("a4f49c406510bdcab6824ee7c30fd852"));
    }

    [Test]
    public void HashData_Lengths55To65_DoNotThrowAndDiffer()
    {
        // Padding boundaries: 55 bytes fit in one block with the length, 56 need a second block.
        var seen = new HashSet<string>();
        for (int n = 50; n < 130; n++)
            Assert.That(seen.Add(Convert.ToHexString(Md4.HashData(new byte[n]))), Is.True);
    }
}
