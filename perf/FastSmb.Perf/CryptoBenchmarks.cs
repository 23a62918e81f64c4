using BenchmarkDotNet.Attributes;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Perf;

/// <summary>
/// Per-message crypto on the hot path: signing a response and sealing it in a TRANSFORM header. Sizes are a small
/// control message and a 64 KiB READ response. MemoryDiagnoser must show no allocation.
/// </summary>
[MemoryDiagnoser]
public class CryptoBenchmarks
{
    private byte[] _message = [];
    private byte[] _frame = [];
    private readonly byte[] _key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private Smb2TransformCipher _gcm = null!;
    private Smb2TransformCipher _ccm = null!;

    [Params(128, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _message = new byte[Size];
        Smb2Header.WriteResponse(_message, Smb2Command.Read, 0, 1, 1, Smb2HeaderFlags.None, 7, 1, 0x1234);
        _frame = new byte[TransformHeader.Size + Size];
        _gcm = new Smb2TransformCipher(Smb2CipherId.Aes128Gcm, _key);
        _ccm = new Smb2TransformCipher(Smb2CipherId.Aes128Ccm, _key);
    }

    [Benchmark] public void SignHmacSha256() => Smb2Signer.Sign(_message, SigningAlgorithm.HmacSha256, _key);
    [Benchmark] public void SignAesCmac() => Smb2Signer.Sign(_message, SigningAlgorithm.AesCmac, _key);
    [Benchmark] public void SignAesGmac() => Smb2Signer.Sign(_message, SigningAlgorithm.AesGmac, _key);
    [Benchmark] public void SealAes128Gcm() => _gcm.Seal(_frame, 0x1234);
    [Benchmark] public void SealAes128Ccm() => _ccm.Seal(_frame, 0x1234);
}
