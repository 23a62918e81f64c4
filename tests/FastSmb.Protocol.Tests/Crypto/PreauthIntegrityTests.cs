using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Crypto;

/// <summary>
/// The 3.1.1 preauth hash chain and the 3.1.1 key derivations over FastSmb's own captures, with expected values
/// computed independently with Python's hashlib.sha512 and impacket.crypto.KDF_CounterMode (Debian 12
/// python3-impacket 0.10, /usr/bin/python3). Microsoft's published examples are checked in
/// <see cref="MicrosoftPublishedVectorsTests"/>.
/// </summary>
public class PreauthIntegrityTests
{
    // The SessionKey of the SMB 3.0 example of the "anatomy of signing and cryptographic keys" post, reused.
    private static readonly byte[] SessionKey = Convert.FromHexString("7CD451825D0450D235424E44BA6E78CC");

    private const string AfterNegotiateRequest =
        "78d0a588333c4652e98565b184d363f66e21ef42c076603e6c3ada89ebb861459d93e93aa9947757bf7d213b8e04cb2b7be2f128ff9f7987cc35a2c5e1f01149";

    [Test]
    public void Update_SmbclientNegotiateRequest_MatchesSha512OfZerosAndMessage()
    {
        var hash = new PreauthIntegrity();
        Assert.That(hash.Value.ToArray(), Is.EqualTo(new byte[64]));
        hash.Update(Captures.Load("smb2-negotiate-request-smbclient311.hex"));
        Assert.That(Convert.ToHexStringLower(hash.Value), Is.EqualTo(AfterNegotiateRequest));
    }

    [Test]
    public void Update_Twice_Chains()
    {
        var hash = new PreauthIntegrity();
        hash.Update(Captures.Load("smb2-negotiate-request-smbclient311.hex"));
        hash.Update("abc"u8);
        Assert.That(Convert.ToHexStringLower(hash.Value), Is.EqualTo(
            "d0971092d1270c925d0d780875c85f7bcb83d461bba3f7f55138b6087efa1eaceb03eadf476bfbd730c3504f593039838286c61ef09fffbc128bbdd8241f3632"));
    }

    [Test]
    public void CopyFrom_ThenUpdate_LeavesSourceUnchanged()
    {
        var connection = new PreauthIntegrity();
        connection.Update("negotiate"u8);
        var before = connection.Value.ToArray();
        var session = new PreauthIntegrity();
        session.CopyFrom(connection);
        session.Update("session setup"u8);
        Assert.That(connection.Value.ToArray(), Is.EqualTo(before));
        Assert.That(session.Value.ToArray(), Is.Not.EqualTo(before));
        connection.Reset();
        Assert.That(connection.Value.ToArray(), Is.EqualTo(new byte[64]));
    }

    [Test]
    public void Derive_Smb311Keys_MatchImpacket()
    {
        var hash = Convert.FromHexString(AfterNegotiateRequest);
        var signing = new byte[16];
        var c2s = new byte[16];
        var s2c = new byte[16];
        Smb3Kdf.Derive(SessionKey, Smb3Kdf.Smb311SigningLabel, hash, signing);
        Smb3Kdf.Derive(SessionKey, Smb3Kdf.Smb311ServerInLabel, hash, c2s);
        Smb3Kdf.Derive(SessionKey, Smb3Kdf.Smb311ServerOutLabel, hash, s2c);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(signing), Is.EqualTo("3780efae2b6df9ec72c2c371c350e832"));
            Assert.That(Convert.ToHexStringLower(c2s), Is.EqualTo("854b3b081298a47128c54302a1b4a703"));
            Assert.That(Convert.ToHexStringLower(s2c), Is.EqualTo("1ad730924f5f6c0fe3ae2e8f464313ab"));
        });
    }
}
