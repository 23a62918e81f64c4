using System.Buffers.Binary;
using FastSmb.Control.State;
using FastSmb.Datapath.State;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Server.Tests.State;

public sealed class StateRecordCodecTests
{
    [Test]
    public void Open_RoundTrip_KeepsEveryField()
    {
        var open = StateSamples.Open(42) with { DisconnectedUntilUtcTicks = 123456789 };
        Assert.That(StateRecordCodec.TryDecode(StateRecordCodec.Encode(open), out OpenGlobalRecord back), Is.True);
        StateSamples.AssertSame(back, open);
    }

    [Test]
    public void OtherRecords_RoundTrip_KeepEveryField()
    {
        var session = StateSamples.Session(9);
        var tree = StateSamples.Tree(9, 3);
        var lease = StateSamples.Lease(Guid.NewGuid(), Guid.NewGuid());
        var version = new TableVersion(StateTable.Lease, 1, Guid.NewGuid());
        Assert.Multiple(() =>
        {
            Assert.That(StateRecordCodec.TryDecode(StateRecordCodec.Encode(session), out SessionGlobalRecord s) ? s : null, Is.EqualTo(session));
            Assert.That(StateRecordCodec.TryDecode(StateRecordCodec.Encode(tree), out TreeConnectGlobalRecord t) ? t : null, Is.EqualTo(tree));
            Assert.That(StateRecordCodec.TryDecode(StateRecordCodec.Encode(lease), out LeaseGlobalRecord l) ? l : null, Is.EqualTo(lease));
            Assert.That(StateRecordCodec.TryDecode(StateRecordCodec.Encode(version), out TableVersion v) ? v : default, Is.EqualTo(version));
            Assert.That(StateRecordCodec.TryDecodeNumber(StateRecordCodec.EncodeNumber(StateBlobKind.Meta, 77), StateBlobKind.Meta, out var n) ? n : 0, Is.EqualTo(77UL));
        });
    }

    [Test]
    public void Decode_OfAnotherKind_IsRejected()
    {
        var session = StateRecordCodec.Encode(StateSamples.Session(1));
        Assert.That(StateRecordCodec.TryDecode(session, out OpenGlobalRecord _), Is.False);
        Assert.That(StateRecordCodec.TryDecodeNumber(StateRecordCodec.EncodeNumber(StateBlobKind.Meta, 1), StateBlobKind.OpenDeleted, out _), Is.False);
    }

    [Test]
    public void Decode_WithAFlippedPayloadBit_FailsTheChecksum()
    {
        var blob = StateRecordCodec.Encode(StateSamples.Open(1));
        for (int i = StateRecordCodec.HeaderLength; i < blob.Length; i++)
        {
            var copy = (byte[])blob.Clone();
            copy[i] ^= 0x10;
            Assert.That(StateRecordCodec.TryDecode(copy, out OpenGlobalRecord _), Is.False, $"flip at byte {i}");
        }
    }

    [Test]
    public void Open_TruncatedOrCorrupted_IsRejectedWithoutThrowing()
    {
        var blob = StateRecordCodec.Encode(StateSamples.Open(7));
        ParserRobustness.Check(blob, b => StateRecordCodec.TryDecode(b, out OpenGlobalRecord _));
        // The checksum hides the payload parser from random corruption; recompute it, so the parser itself meets
        // bad lengths, counts and flags.
        ParserRobustness.SurvivesCorruption(blob, b => StateRecordCodec.TryDecode(Resealed(b), out OpenGlobalRecord _));
    }

    [Test]
    public void OtherRecords_TruncatedOrCorrupted_AreRejectedWithoutThrowing()
    {
        var session = StateRecordCodec.Encode(StateSamples.Session(1));
        var tree = StateRecordCodec.Encode(StateSamples.Tree(1, 2));
        var lease = StateRecordCodec.Encode(StateSamples.Lease(Guid.NewGuid(), Guid.NewGuid()));
        var version = StateRecordCodec.Encode(new TableVersion(StateTable.OpenGlobal, 1, Guid.NewGuid()));
        ParserRobustness.Check(session, b => StateRecordCodec.TryDecode(b, out SessionGlobalRecord _));
        ParserRobustness.Check(tree, b => StateRecordCodec.TryDecode(b, out TreeConnectGlobalRecord _));
        ParserRobustness.Check(lease, b => StateRecordCodec.TryDecode(b, out LeaseGlobalRecord _));
        ParserRobustness.Check(version, b => StateRecordCodec.TryDecode(b, out TableVersion _));
        ParserRobustness.SurvivesCorruption(session, b => StateRecordCodec.TryDecode(Resealed(b), out SessionGlobalRecord _));
        ParserRobustness.SurvivesCorruption(lease, b => StateRecordCodec.TryDecode(Resealed(b), out LeaseGlobalRecord _));
        ParserRobustness.SurvivesCorruption(version, b => StateRecordCodec.TryDecode(Resealed(b), out TableVersion _));
    }

    [Test]
    public void Open_WithALockCountBeyondTheData_IsRejected()
    {
        var open = StateSamples.Open(3) with { Locks = [] };
        var blob = StateRecordCodec.Encode(open);
        // The lock count sits just before the trailing 8-byte sequence when there are no locks.
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(blob.Length - 12), 0x7fffffff);
        Assert.That(StateRecordCodec.TryDecode(Resealed(blob), out OpenGlobalRecord _), Is.False);
    }

    private static byte[] Resealed(ReadOnlySpan<byte> blob)
    {
        var copy = blob.ToArray();
        if (copy.Length >= StateRecordCodec.HeaderLength)
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(2), StateRecordCodec.Crc32C(copy.AsSpan(StateRecordCodec.HeaderLength)));
        return copy;
    }
}
