using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Control.Shares;
using FastSmb.Datapath.Pipes;
using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>
/// Client-side marshalling of srvsvc [in] parameters (as smbtorture's rpc.srvsvc sends them: ServerName
/// "\\127.0.0.1", empty containers, no ResumeHandle unless asked) and a direct way to run one routine.
/// </summary>
internal static class SrvsvcRequests
{
    public const string ServerUnc = @"\\127.0.0.1";

    /// <summary>A clock stopped at Tuesday 2024-02-27 13:14:15.670 UTC, in UTC+01:00, 123456 ms after boot.</summary>
    public sealed class FixedClock : TimeProvider
    {
        public static readonly DateTimeOffset Now = new(2024, 2, 27, 13, 14, 15, 670, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
        public override TimeZoneInfo LocalTimeZone { get; } =
            TimeZoneInfo.CreateCustomTimeZone("test+1", TimeSpan.FromHours(1), "test+1", "test+1");
        public override long TimestampFrequency => 1000;
        public override long GetTimestamp() => 123456;
    }

    public static SrvsvcService Service(IShareRegistry? shares = null) =>
        new(shares ?? RpcTestKit.SambaLikeShares(), new ServerInfo("FASTSMB", Workgroup: "SAMBAGRP"), new FixedClock());

    /// <summary>Runs opnum's routine on <paramref name="stub"/>: its return (0 or a fault status) and the response stub.</summary>
    public static uint Invoke(SrvsvcService service, ushort opnum, byte[] stub, out byte[] response, PipeCaller? caller = null)
    {
        Assert.That(service.TryGetOperation(opnum, out var op), Is.True, $"opnum {opnum} is served");
        var w = new NdrWriter();
        uint result = op(stub, new RpcCallContext(caller ?? RpcTestKit.Caller, @"\PIPE\srvsvc", 1, 0, opnum), w);
        response = w.ToArray();
        return result;
    }

    public static void ServerName(NdrWriter w) => OptionalString(w, ServerUnc);

    /// <summary>An [in, string, unique] wchar_t* at top level: pointer, then the string at once.</summary>
    public static void OptionalString(NdrWriter w, string? value)
    {
        if (w.WritePointer(value is null) != 0) w.WriteConformantVaryingString(value!);
    }

    /// <summary>
    /// An enumeration's [in] parameters: ServerName, <paramref name="filters"/> ([in, string, unique] strings such
    /// as Qualifier or ClientName/UserName), InfoStruct with an empty container (or none when the level is no arm
    /// of the union), PreferedMaximumLength, ResumeHandle.
    /// </summary>
    public static byte[] Enum(uint level, bool isArm, string?[] filters, uint? resume = null)
    {
        var w = new NdrWriter();
        ServerName(w);
        foreach (var f in filters) OptionalString(w, f);
        w.WriteUInt32(level);
        w.WriteUnionDiscriminant(level);
        if (isArm)
        {
            w.WriteUniquePointer(false, c => { c.WriteUInt32(0); c.WritePointer(isNull: true); });
            w.FlushDeferred();
        }
        w.WriteUInt32(uint.MaxValue);
        if (w.WritePointer(resume is null) != 0) w.WriteUInt32(resume!.Value);
        return w.ToArray();
    }

    /// <summary>ServerName then 32-bit values (NetrServerGetInfo: Level; NetrRemoteTOD: none).</summary>
    public static byte[] ServerAnd(params uint[] values)
    {
        var w = new NdrWriter();
        ServerName(w);
        foreach (var v in values) w.WriteUInt32(v);
        return w.ToArray();
    }

    /// <summary>ServerName, a [ref, string] wchar_t*, then 32-bit values (NetrShareCheck, NetprNameValidate).</summary>
    public static byte[] ServerStringAnd(string s, params uint[] values)
    {
        var w = new NdrWriter();
        ServerName(w);
        w.WriteConformantVaryingString(s);
        foreach (var v in values) w.WriteUInt32(v);
        return w.ToArray();
    }

    /// <summary>NetrServerDiskEnum: ServerName NULL (as smbtorture sends it), Level, an empty container, PreferedMaximumLength, ResumeHandle 0.</summary>
    public static byte[] DiskEnum(uint level)
    {
        var w = new NdrWriter();
        w.WritePointer(isNull: true);
        w.WriteUInt32(level);
        w.WriteUInt32(0);
        w.WritePointer(isNull: true);
        w.WriteUInt32(uint.MaxValue);
        if (w.WritePointer(false) != 0) w.WriteUInt32(0);
        return w.ToArray();
    }

    private static void Must(bool ok, string what = "stub did not decode") { if (!ok) Assert.Fail(what); }

    public sealed record EmptyEnumOut(uint Level, bool HasArm, bool ContainerNull, uint EntriesRead, uint TotalEntries, uint? Resume, uint Status);

    /// <summary>Decodes an enumeration's [out] parameters when the container must hold no entries.</summary>
    public static EmptyEnumOut DecodeEmptyEnum(byte[] stub, Func<uint, bool> isArm)
    {
        var r = new NdrReader(stub);
        Must(r.TryReadUInt32(out uint level) && r.TryReadUInt32(out uint disc) && disc == level, "level/switch");
        uint ctr = 0, count = 0;
        if (isArm(level))
        {
            Must(r.TryReadPointer(out ctr));
            if (ctr != 0)
            {
                Must(r.TryReadUInt32(out count));
                Must(r.TryReadPointer(out uint array));
                Assert.That(array, Is.Zero, "an empty container has no array");
            }
        }
        Must(r.TryReadUInt32(out uint total));
        Must(r.TryReadPointer(out uint resumePtr));
        uint resume = 0;
        if (resumePtr != 0) Must(r.TryReadUInt32(out resume));
        Must(r.TryReadUInt32(out uint status));
        Assert.That(r.AtEnd, "status is the last thing in the stub");
        return new EmptyEnumOut(level, isArm(level), ctr == 0, count, total, resumePtr != 0 ? resume : null, status);
    }
}
