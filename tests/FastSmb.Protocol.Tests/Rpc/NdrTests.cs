using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Rpc;

public class NdrReaderTests
{
    private sealed class Share { public string? Name; public uint Type; public string? Remark; }

    private sealed record EnumResult(uint Level, List<Share> Shares, uint Total, uint? Resume, uint Status);

    private static byte[] SambaEnumStub()
    {
        var pdu = Captures.Load("rpc-samba-netshareenumall-l1-resp.hex");
        Assert.That(RpcResponse.TryParse(pdu, out var r), Is.True);
        return r.StubData.ToArray();
    }

    /// <summary>
    /// A hand-written decoder of NetrShareEnum's [out] parameters at level 1 ([MS-SRVS] 3.1.4.8), using only the
    /// generic reader: it exercises unions, unique pointers, a conformant array of structures and the deferred
    /// order of the strings embedded in it.
    /// </summary>
    private static bool TryDecodeEnumLevel1(ReadOnlySpan<byte> stub, out EnumResult? result)
    {
        result = null;
        var r = new NdrReader(stub);
        var shares = new List<Share>();
        if (!r.TryReadUInt32(out uint level) || !r.TryReadUInt32(out uint disc) || disc != level || level != 1) return false;
        if (!r.TryReadPointer(out uint ctr)) return false;
        if (ctr != 0)
        {
            r.Defer((ref NdrReader c) =>
            {
                if (!c.TryReadUInt32(out uint count) || !c.TryReadPointer(out uint arr)) return false;
                if (arr == 0) return true;
                c.Defer((ref NdrReader a) =>
                {
                    if (!a.TryReadConformance(out uint max, 12) || max != count) return false;
                    for (int i = 0; i < max; i++)
                    {
                        var s = new Share();
                        shares.Add(s);
                        if (!a.TryReadPointer(out uint n) || !a.TryReadUInt32(out s.Type) || !a.TryReadPointer(out uint m)) return false;
                        if (n != 0) a.Defer((ref NdrReader d) => d.TryReadConformantVaryingString(out s.Name!));
                        if (m != 0) a.Defer((ref NdrReader d) => d.TryReadConformantVaryingString(out s.Remark!));
                    }
                    return true;
                });
                return true;
            });
        }
        if (!r.TryReadDeferred()) return false;
        if (!r.TryReadUInt32(out uint total) || !r.TryReadPointer(out uint resumePtr)) return false;
        uint resume = 0;
        if (resumePtr != 0 && !r.TryReadUInt32(out resume)) return false;
        if (!r.TryReadUInt32(out uint status) || !r.AtEnd) return false;
        result = new EnumResult(level, shares, total, resumePtr != 0 ? resume : null, status);
        return true;
    }

    [Test]
    public void Read_SambaShareEnumLevel1Stub_DecodesTheShareList()
    {
        Assert.That(TryDecodeEnumLevel1(SambaEnumStub(), out var res), Is.True);
        Assert.That(res!.Shares.Select(s => (s.Name, s.Type, s.Remark)), Is.EqualTo(new[]
        {
            ("share", 0u, ""),
            ("IPC$", 0x80000003u, "IPC Service (Samba 4.17.12-Debian)"),
        }));
        Assert.That(res.Total, Is.EqualTo(2));
        Assert.That(res.Resume, Is.EqualTo(0));
        Assert.That(res.Status, Is.Zero);
    }

    [Test]
    public void Read_TruncatedOrCorruptedStub_NeverThrows()
    {
        ParserRobustness.Check(SambaEnumStub(), s => TryDecodeEnumLevel1(s, out _));
    }

    [Test]
    public void Write_SambaShareListWithSambaReferentSeed_IsByteIdenticalToSambaStub()
    {
        // Samba's server numbers referents on from the request's 3 non-null pointers (ids start at 0x2000c).
        var w = new NdrWriter(referentIdSeed: 3);
        (string Name, uint Type, string Remark)[] shares = [("share", 0, ""), ("IPC$", 0x80000003, "IPC Service (Samba 4.17.12-Debian)")];
        w.WriteUInt32(1);
        w.WriteUnionDiscriminant(1);
        w.WriteUniquePointer(false, c =>
        {
            c.WriteUInt32((uint)shares.Length);
            c.WriteUniquePointer(false, a =>
            {
                a.WriteConformance((uint)shares.Length);
                foreach (var s in shares) { a.WriteUniqueString(s.Name); a.WriteUInt32(s.Type); a.WriteUniqueString(s.Remark); }
            });
        });
        w.FlushDeferred();
        w.WriteUInt32(2);
        Assert.That(w.WritePointer(false), Is.Not.Zero);
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        Assert.That(w.ToArray(), Is.EqualTo(SambaEnumStub()));
    }

    [Test]
    public void ReadConformance_CountLargerThanTheData_Rejected()
    {
        byte[] stub = [0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4];
        var r = new NdrReader(stub);
        Assert.That(r.TryReadConformance(out _, 4), Is.False);
    }

    [Test]
    public void ReadString_ActualCountBeyondMaxCount_Rejected()
    {
        var w = new NdrWriter();
        w.WriteUInt32(1); w.WriteUInt32(0); w.WriteUInt32(2); w.WriteUInt32(0x00410041);
        var r = new NdrReader(w.Written);
        Assert.That(r.TryReadConformantVaryingString(out _), Is.False);
    }

    [Test]
    public void Deferred_NestedBeyondTheDepthLimit_RejectedWithoutOverflow()
    {
        // A linked list of unique pointers, each referent holding the next pointer.
        var w = new NdrWriter();
        for (int i = 0; i < 1000; i++) w.WriteUInt32(0x00020000);
        int depth = 0;
        NdrDeferredRead next = null!;
        next = (ref NdrReader d) => { depth++; if (!d.TryReadPointer(out uint p)) return false; if (p != 0) d.Defer(next); return true; };
        var r = new NdrReader(w.Written);
        Assert.That(r.TryReadPointer(out _), Is.True);
        r.Defer(next);
        Assert.That(r.TryReadDeferred(), Is.False);
        Assert.That(depth, Is.LessThanOrEqualTo(NdrReader.MaxDeferredDepth + 1));
    }
}

public class NdrWriterTests
{
    [Test]
    public void Primitives_MixedSizes_AlignedFromStubStartAndReadBack()
    {
        var w = new NdrWriter();
        w.WriteUInt8(0xAA);
        w.WriteUInt64(0x1122334455667788);
        w.WriteUInt16(0xBEEF);
        w.WriteUInt32(0xCAFEBABE);
        var g = Guid.NewGuid();
        w.WriteGuid(g);
        Assert.That(w.Length, Is.EqualTo(8 + 8 + 2 + 2 + 4 + 16));
        var r = new NdrReader(w.Written);
        Assert.That(r.TryReadUInt8(out byte b) && b == 0xAA);
        Assert.That(r.TryReadUInt64(out ulong h) && h == 0x1122334455667788);
        Assert.That(r.TryReadUInt16(out ushort s) && s == 0xBEEF);
        Assert.That(r.TryReadUInt32(out uint u) && u == 0xCAFEBABE);
        Assert.That(r.TryReadGuid(out var g2) && g2 == g);
        Assert.That(r.AtEnd);
    }

    [TestCase("")]
    [TestCase("a")]
    [TestCase("IPC$")]
    [TestCase("ünïcødé 共有")]
    public void ConformantVaryingString_RoundTrip_KeepsValueAndAlignment(string value)
    {
        var w = new NdrWriter();
        w.WriteConformantVaryingString(value);
        w.WriteUInt32(7);
        w.WriteConformantVaryingString8(value);
        var r = new NdrReader(w.Written);
        Assert.That(r.TryReadConformantVaryingString(out var back), Is.True);
        Assert.That(back, Is.EqualTo(value));
        Assert.That(r.TryReadUInt32(out uint seven) && seven == 7);
        Assert.That(r.TryReadConformantVaryingString8(out var back8) && back8 == value);
        Assert.That(r.AtEnd);
    }

    [Test]
    public void FullPointer_SameObjectTwice_SameReferentAndDataOnce()
    {
        var shared = new object();
        var w = new NdrWriter();
        w.WriteFullPointer(shared, x => x.WriteUInt32(42));
        w.WriteFullPointer(shared, x => x.WriteUInt32(42));
        w.WriteFullPointer(null, x => x.WriteUInt32(99));
        w.FlushDeferred();
        Assert.That(w.Length, Is.EqualTo(16));
        var r = new NdrReader(w.Written);
        Assert.That(r.TryReadFullPointer(out uint a, out bool first), Is.True);
        Assert.That(first, Is.True);
        Assert.That(r.TryReadFullPointer(out uint b, out bool again), Is.True);
        Assert.That(again, Is.False);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(r.TryReadFullPointer(out uint n, out _) && n == 0);
        Assert.That(r.TryReadUInt32(out uint v) && v == 42);
        Assert.That(r.AtEnd);
    }

    [Test]
    public void Deferred_ArrayOfStructsWithPointers_ReferentsFollowTheArrayInElementOrder()
    {
        var w = new NdrWriter();
        w.WriteConformance(2);
        w.WriteUniquePointer(false, x => x.WriteUInt32(0xA1));
        w.WriteUniquePointer(false, x => { x.WriteUInt32(0xA2); x.WriteUniquePointer(false, y => y.WriteUInt32(0xA3)); });
        w.WriteUniquePointer(false, x => x.WriteUInt32(0xB1));
        w.WriteUniquePointer(true, x => x.WriteUInt32(0xB2));
        w.FlushDeferred();
        var r = new NdrReader(w.Written);
        var values = new List<uint>();
        Assert.That(r.TryReadConformance(out uint n, 8) && n == 2);
        Assert.That(r.TryReadPointer(out uint p0) && p0 == 0x20000);
        Assert.That(r.TryReadPointer(out uint p1) && p1 == 0x20004);
        Assert.That(r.TryReadPointer(out uint p2) && p2 == 0x20008);
        Assert.That(r.TryReadPointer(out uint p3) && p3 == 0);
        // A2's own embedded referent (A3) comes right after A2, before B1 ([C706] 14.3.12.3).
        while (r.TryReadUInt32(out uint v)) values.Add(v);
        Assert.That(values, Is.EqualTo(new uint[] { 0xA1, 0xA2, 0x2000C, 0xA3, 0xB1 }));
    }
}
