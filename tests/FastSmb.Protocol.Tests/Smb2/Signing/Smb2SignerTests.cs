using System.Buffers.Binary;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Protocol.Tests.Smb2.Signing;

public class Smb2SignerTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    private static byte[] Message(Smb2Command command = Smb2Command.TreeConnect, bool response = false, int bodyLength = 40)
    {
        var m = new byte[Smb2Header.Size + bodyLength];
        if (response)
            Smb2Header.WriteResponse(m, command, NtStatus.Success, 1, 1, Smb2HeaderFlags.None, 7, 1, 0x1234);
        else
            Smb2Header.WriteRequest(m, command, 1, 1, Smb2HeaderFlags.None, 7, 1, 0x1234);
        for (int i = Smb2Header.Size; i < m.Length; i++) m[i] = (byte)i;
        return m;
    }

    [Test]
    public void Sign_ThenVerify_Succeeds([Values] SigningAlgorithm algorithm)
    {
        var m = Message();
        Smb2Signer.Sign(m, algorithm, Key);
        Assert.Multiple(() =>
        {
            Assert.That(Smb2Header.GetFlags(m).HasFlag(Smb2HeaderFlags.Signed), Is.True);
            Assert.That(m.AsSpan(48, 16).ToArray(), Is.Not.EqualTo(new byte[16]));
            Assert.That(Smb2Signer.Verify(m, algorithm, Key), Is.True);
        });
    }

    [Test]
    public void Verify_AnyByteChanged_Fails([Values] SigningAlgorithm algorithm)
    {
        var m = Message();
        Smb2Signer.Sign(m, algorithm, Key);
        foreach (int at in new[] { 0, 16, 24, 48, 63, 64, m.Length - 1 })
        {
            var t = (byte[])m.Clone();
            t[at] ^= 0x01;
            Assert.That(Smb2Signer.Verify(t, algorithm, Key), Is.False, $"byte {at} flipped");
        }
    }

    [Test]
    public void Verify_WrongKeyOrAlgorithm_Fails([Values] SigningAlgorithm algorithm)
    {
        var m = Message();
        Smb2Signer.Sign(m, algorithm, Key);
        var other = (byte[])Key.Clone();
        other[0] ^= 0x80;
        Assert.That(Smb2Signer.Verify(m, algorithm, other), Is.False);
        foreach (var a in Enum.GetValues<SigningAlgorithm>())
            if (a != algorithm) Assert.That(Smb2Signer.Verify(m, a, Key), Is.False);
    }

    [Test]
    public void Verify_DoesNotModifyInput()
    {
        var m = Message();
        Smb2Signer.Sign(m, SigningAlgorithm.AesCmac, Key);
        var before = (byte[])m.Clone();
        Smb2Signer.Verify(m, SigningAlgorithm.AesCmac, Key);
        Assert.That(m, Is.EqualTo(before));
    }

    [Test]
    public void Verify_ShorterThanHeader_ReturnsFalse()
    {
        Assert.That(Smb2Signer.Verify(new byte[63], SigningAlgorithm.HmacSha256, Key), Is.False);
    }

    [Test]
    public void Sign_Gmac_NonceDependsOnRoleAndCancel()
    {
        // [MS-SMB2] 3.1.4.1: the GMAC nonce carries the sender's role (bit 0) and CANCEL (bit 1), so the same
        // bytes signed as a request, a response or a CANCEL must give different signatures.
        var request = Message(Smb2Command.Cancel);
        Smb2Signer.Sign(request, SigningAlgorithm.AesGmac, Key);
        var response = Message(Smb2Command.Cancel);
        Smb2Header.SetFlags(response, Smb2HeaderFlags.ServerToRedir);
        Smb2Signer.Sign(response, SigningAlgorithm.AesGmac, Key);
        Assert.That(Smb2Signer.Verify(request, SigningAlgorithm.AesGmac, Key), Is.True);
        Assert.That(Smb2Signer.Verify(response, SigningAlgorithm.AesGmac, Key), Is.True);

        // Recompute the request's signature with the nonce a non-CANCEL would use: must not match.
        var copy = (byte[])request.Clone();
        copy.AsSpan(48, 16).Clear();
        var sig = new byte[16];
        using var gcm = new System.Security.Cryptography.AesGcm(Key, 16);
        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce, 7);
        gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, sig, copy);
        Assert.That(sig, Is.Not.EqualTo(request.AsSpan(48, 16).ToArray()));
        BinaryPrimitives.WriteUInt32LittleEndian(nonce.AsSpan(8), 2);
        gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, sig, copy);
        Assert.That(sig, Is.EqualTo(request.AsSpan(48, 16).ToArray()));
    }

    [Test]
    public void Verify_SteadyState_AllocatesNothing([Values] SigningAlgorithm algorithm)
    {
        var m = Message(bodyLength: 8000);
        Smb2Signer.Sign(m, algorithm, Key);
        Smb2Signer.Verify(m, algorithm, Key);
        bool allVerified = true;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            Smb2Signer.Sign(m, algorithm, Key);
            allVerified &= Smb2Signer.Verify(m, algorithm, Key);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allVerified, Is.True);
        Assert.That(allocated, Is.Zero);
    }
}
