using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>Client-side decoding of srvsvc [out] parameters with the NDR reader, to check what the server sent.</summary>
internal static class SrvsvcDecode
{
    private static void Must(bool ok) { if (!ok) Assert.Fail("stub did not decode"); }

    public sealed record EnumOut(uint Level, List<ShareInfo> Shares, bool ContainerNull, uint TotalEntries, uint? ResumeHandle, uint Status);

    public static EnumOut Enum(byte[] stub)
    {
        var r = new NdrReader(stub);
        var shares = new List<ShareInfo>();
        Assert.That(r.TryReadUInt32(out uint level) && r.TryReadUInt32(out uint disc) && disc == level, "InfoStruct level/switch");
        uint ctr = 0;
        if (ShareInfoCodec.IsUnionArm(level)) Assert.That(r.TryReadPointer(out ctr), "container pointer");
        if (ctr != 0)
        {
            var lvl = level;
            r.Defer((ref NdrReader c) => ShareInfoCodec.TryReadContainer(ref c, lvl, shares));
            Assert.That(r.TryReadDeferred(), "container");
        }
        Must(r.TryReadUInt32(out uint total));
        Must(r.TryReadPointer(out uint resumePtr));
        uint resume = 0;
        if (resumePtr != 0) Assert.That(r.TryReadUInt32(out resume));
        Assert.That(r.TryReadUInt32(out uint status) && r.AtEnd, "status at the end");
        return new EnumOut(level, shares, ctr == 0, total, resumePtr != 0 ? resume : null, status);
    }

    public static (uint Level, ShareInfo? Info, uint Status) GetInfo(byte[] stub)
    {
        var r = new NdrReader(stub);
        Must(r.TryReadUInt32(out uint level));
        uint ptr = 0;
        if (ShareInfoCodec.IsUnionArm(level)) Must(r.TryReadPointer(out ptr));
        ShareInfo? info = null;
        if (ptr != 0)
        {
            info = new ShareInfo();
            Assert.That(ShareInfoCodec.TryRead(ref r, level, info) && r.TryReadDeferred());
        }
        Assert.That(r.TryReadUInt32(out uint status) && r.AtEnd);
        return (level, info, status);
    }

    public sealed record ServerOut(uint Level, uint PlatformId, string? Name, uint Major, uint Minor, uint Type, string? Comment, uint Status);

    public static ServerOut ServerGetInfo(byte[] stub)
    {
        var r = new NdrReader(stub);
        Must(r.TryReadUInt32(out uint level));
        Must(r.TryReadPointer(out uint ptr));
        uint platform = 0, major = 0, minor = 0, type = 0;
        string? name = null, comment = null;
        if (ptr != 0)
        {
            Must(r.TryReadUInt32(out platform));
            Must(r.TryReadPointer(out uint np));
            if (level == 101) Assert.That(r.TryReadUInt32(out major) && r.TryReadUInt32(out minor) && r.TryReadUInt32(out type));
            uint cp = 0;
            if (level == 101) Assert.That(r.TryReadPointer(out cp));
            if (np != 0) Assert.That(r.TryReadConformantVaryingString(out name!));
            if (cp != 0) Assert.That(r.TryReadConformantVaryingString(out comment!));
        }
        Assert.That(r.TryReadUInt32(out uint status) && r.AtEnd);
        return new ServerOut(level, platform, name, major, minor, type, comment, status);
    }
}
