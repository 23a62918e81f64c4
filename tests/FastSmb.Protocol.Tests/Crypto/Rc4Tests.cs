using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Tests.Crypto;

public class Rc4Tests
{
    // RFC 6229 section 2 keystream vectors (offsets 0, 16 and 4096).
    [TestCase("0102030405", "b2396305f03dc027ccc3524a0a1118a8", "6982944f18fc82d589c403a47a0d0919", "ff25b58995996707e51fbdf08b34d875")]
    [TestCase("0102030405060708", "97ab8a1bf0afb96132f2f67258da15a8", "8263efdb45c4a18684ef87e6b19e5b09", "3fb46e2c8f0f068edce8cdcd7dfc5862")]
    public void Transform_Rfc6229Key_ProducesKeystream(string key, string at0, string at16, string at4096)
    {
        var ks = new byte[4112];
        Rc4.Transform(Convert.FromHexString(key), new byte[4112], ks);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(ks, 0, 16), Is.EqualTo(at0));
            Assert.That(Convert.ToHexStringLower(ks, 16, 16), Is.EqualTo(at16));
            Assert.That(Convert.ToHexStringLower(ks, 4096, 16), Is.EqualTo(at4096));
        });
    }

    [Test]
    public void Transform_InPiecesOnOneInstance_ContinuesTheKeystream()
    {
        var key = Convert.FromHexString("0102030405");
        var whole = new byte[100];
        Rc4.Transform(key, new byte[100], whole);
        var rc4 = new Rc4(key);
        var pieces = new byte[100];
        rc4.Transform(new byte[7], pieces.AsSpan(0, 7));
        rc4.Transform(new byte[93], pieces.AsSpan(7));
        Assert.That(pieces, Is.EqualTo(whole));
    }
}
