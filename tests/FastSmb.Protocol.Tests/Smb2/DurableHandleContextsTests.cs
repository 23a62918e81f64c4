using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class DurableHandleContextsTests
{
    private static readonly Guid CreateGuid = new("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    [Test]
    public void RequestV2RoundTrips()
    {
        var data = new byte[DurableHandleContexts.RequestV2Size];
        DurableHandleContexts.WriteRequestV2(data, 60000, DurableHandleContexts.FlagPersistent, CreateGuid);
        Assert.That(DurableHandleContexts.TryParseRequestV2(data, out var timeout, out var flags, out var guid), Is.True);
        Assert.That((timeout, flags, guid), Is.EqualTo((60000u, DurableHandleContexts.FlagPersistent, CreateGuid)));
    }

    [Test]
    public void ReconnectV2RoundTrips()
    {
        var data = new byte[DurableHandleContexts.ReconnectV2Size];
        DurableHandleContexts.WriteReconnectV2(data, new FileId(7, 9), CreateGuid, 0);
        Assert.That(DurableHandleContexts.TryParseReconnectV2(data, out var fileId, out var guid, out var flags), Is.True);
        Assert.That((fileId, guid, flags), Is.EqualTo((new FileId(7, 9), CreateGuid, 0u)));
    }

    [Test]
    public void ReconnectV1RoundTrips()
    {
        var data = new byte[DurableHandleContexts.ReconnectV1Size];
        DurableHandleContexts.WriteReconnectV1(data, new FileId(0x1122, 0x3344));
        Assert.That(DurableHandleContexts.TryParseReconnectV1(data, out var fileId), Is.True);
        Assert.That(fileId, Is.EqualTo(new FileId(0x1122, 0x3344)));
    }

    [Test]
    public void TruncatedAndCorruptedContextsAreRejectedWithoutThrowing()
    {
        var v2 = new byte[DurableHandleContexts.RequestV2Size];
        DurableHandleContexts.WriteRequestV2(v2, 1, 0, CreateGuid);
        ParserRobustness.Check(v2, b => DurableHandleContexts.TryParseRequestV2(b, out _, out _, out _));
        var c2 = new byte[DurableHandleContexts.ReconnectV2Size];
        DurableHandleContexts.WriteReconnectV2(c2, new FileId(1, 2), CreateGuid, 0);
        ParserRobustness.Check(c2, b => DurableHandleContexts.TryParseReconnectV2(b, out _, out _, out _));
        var c1 = new byte[DurableHandleContexts.ReconnectV1Size];
        DurableHandleContexts.WriteReconnectV1(c1, new FileId(1, 2));
        ParserRobustness.Check(c1, b => DurableHandleContexts.TryParseReconnectV1(b, out _));
        var r2 = new byte[DurableHandleContexts.ResponseV2Size];
        DurableHandleContexts.WriteResponseV2(r2, 5, 0);
        ParserRobustness.Check(r2, b => DurableHandleContexts.TryParseResponseV2(b, out _, out _));
    }
}
