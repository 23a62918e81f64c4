using FastSmb.Datapath.Transport;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Server.Tests.Datapath;

public class DirectTcpFramingTests
{
    [Test]
    public void TryReadFrame_Complete()
    {
        byte[] frame = [0, 0, 0, 3, 0xAA, 0xBB, 0xCC, 0xDD];
        Assert.That(DirectTcpFraming.TryReadFrame(frame, 1000, out int len), Is.EqualTo(DirectTcpFraming.FrameResult.Complete));
        Assert.That(len, Is.EqualTo(3));
    }

    [Test]
    public void TryReadFrame_EveryPrefix_NeedsMore()
    {
        byte[] frame = [0, 0, 1, 0, .. new byte[256]];
        for (int i = 0; i < frame.Length; i++)
            Assert.That(DirectTcpFraming.TryReadFrame(frame.AsSpan(0, i), 1000, out _), Is.EqualTo(DirectTcpFraming.FrameResult.NeedMore), $"prefix {i}");
    }

    [TestCase(new byte[] { 0x81, 0, 0, 0 }, TestName = "NetBIOS session request")]
    [TestCase(new byte[] { 0, 0, 0, 0 }, TestName = "Zero length")]
    [TestCase(new byte[] { 0, 0x10, 0, 0 }, TestName = "Longer than the limit")]
    public void TryReadFrame_Invalid(byte[] header) =>
        Assert.That(DirectTcpFraming.TryReadFrame(header, 1000, out _), Is.EqualTo(DirectTcpFraming.FrameResult.Invalid));

    [Test]
    public void WriteHeader_BigEndian24()
    {
        var b = new byte[4];
        DirectTcpFraming.WriteHeader(b, 0x012345);
        Assert.That(b, Is.EqualTo(new byte[] { 0, 0x01, 0x23, 0x45 }));
    }
}
