using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Tests.Crypto;

public class AesCmacTests
{
    private static readonly byte[] Key = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
    private static readonly byte[] Message = Convert.FromHexString(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");

    // RFC 4493 section 4, examples 1-4.
    [TestCase(0, "bb1d6929e95937287fa37d129b756746")]
    [TestCase(16, "070a16b46b4d4144f79bdd9dd04a287c")]
    [TestCase(40, "dfa66747de9ae63030ca32611497c827")]
    [TestCase(64, "51f0bebf7e3b9d92fc49741779363cfe")]
    public void ComputeMac_Rfc4493Example_MatchesMac(int length, string expected)
    {
        using var cmac = new AesCmac(Key);
        var mac = new byte[16];
        cmac.ComputeMac(Message.AsSpan(0, length), mac);
        Assert.That(Convert.ToHexStringLower(mac), Is.EqualTo(expected));
    }

    [Test]
    public void ComputeMac_RepeatedAndInterleavedCalls_GiveSameMacs()
    {
        // The instance keeps its CBC encryptor between messages; every MAC must still start from a zero IV.
        using var cmac = new AesCmac(Key);
        var a = new byte[16];
        var b = new byte[16];
        for (int i = 0; i < 3; i++)
        {
            cmac.ComputeMac(Message.AsSpan(0, 40), a);
            cmac.ComputeMac(ReadOnlySpan<byte>.Empty, b);
            Assert.That(Convert.ToHexStringLower(a), Is.EqualTo("dfa66747de9ae63030ca32611497c827"));
            Assert.That(Convert.ToHexStringLower(b), Is.EqualTo("bb1d6929e95937287fa37d129b756746"));
        }
    }

    // Longer than the internal 4 KiB chunk; expected values computed with PyCryptodome's CMAC (AES) over
    // bytes (i*7+3) & 0xff, i = 0..n-1.
    [TestCase(4113, "24b98c00d747aa9c1c5f037e875758b7")]
    [TestCase(10000, "c92f1d367f8be55078e5212455d8cb2a")]
    public void ComputeMac_MessageLongerThanChunk_MatchesReference(int length, string expected)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)((i * 7 + 3) & 0xff);
        var mac = new byte[16];
        AesCmac.ComputeMac(Key, data, mac);
        Assert.That(Convert.ToHexStringLower(mac), Is.EqualTo(expected));
    }

    [Test]
    public void ComputeMac_SteadyState_AllocatesNothing()
    {
        using var cmac = new AesCmac(Key);
        var data = new byte[9000];
        var mac = new byte[16];
        cmac.ComputeMac(data, mac);
        AesCmac.ComputeMac(Key, data, mac);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            cmac.ComputeMac(data, mac);
            AesCmac.ComputeMac(Key, data, mac);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
