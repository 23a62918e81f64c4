using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace FastSmb.Control.Accounts;

/// <summary>
/// A local user as the directory keeps it. <see cref="Uid"/>/<see cref="Gid"/>, when set, are the Unix
/// credentials its file calls run as; null: the Unix account of the same name decides
/// (<see cref="Identity.UnixIdentityResolver"/>).
/// </summary>
public sealed record DirectoryUser(string Name, byte[] NtHash, string Sid, uint? Uid = null, uint? Gid = null, bool Disabled = false);

/// <summary>A local group: its name, SID and member user names.</summary>
public sealed record DirectoryGroup(string Name, string Sid, IReadOnlyList<string> Members);

/// <summary>Per-node settings: the machine SID (generated once), the next RIDs to hand out, the format version.</summary>
public sealed record NodeSettings(string MachineSid, uint NextUserRid, uint NextGroupRid);

/// <summary>What a directory change did; the admin protocol and the CLI turn it into a message.</summary>
public enum DirectoryResult { Ok, AlreadyExists, NotFound, InvalidName }

/// <summary>
/// The JSON shapes of the directory's values. JSON rather than a blittable struct: records are few and small,
/// read once per logon, and a self-describing value lets a later format add a field without rewriting the store
/// (the format version still says what a reader must understand).
/// </summary>
[JsonSerializable(typeof(DirectoryUser))]
[JsonSerializable(typeof(DirectoryGroup))]
[JsonSerializable(typeof(NodeSettings))]
internal sealed partial class DirectoryJson : JsonSerializerContext;

/// <summary>Windows security identifiers as the directory hands them out ([MS-DTYP] 2.4.2.1 string form).</summary>
public static class Sids
{
    /// <summary>Samba's first RID for local accounts (tdbsam starts its counter at 1000); groups start at 2000.</summary>
    public const uint FirstUserRid = 1000, FirstGroupRid = 2000;

    /// <summary>S-1-5-21-x-y-z: the NT-authority, non-unique-domain prefix with three random sub-authorities.</summary>
    public static string NewMachineSid()
    {
        Span<byte> r = stackalloc byte[12];
        RandomNumberGenerator.Fill(r);
        // Windows keeps each of the three sub-authorities non-zero; so do we.
        uint a = BitConverter.ToUInt32(r) | 1, b = BitConverter.ToUInt32(r[4..]) | 1, c = BitConverter.ToUInt32(r[8..]) | 1;
        return $"S-1-5-21-{a}-{b}-{c}";
    }

    public static string WithRid(string machineSid, uint rid) => $"{machineSid}-{rid}";

    public static bool TryGetRid(string sid, out uint rid)
    {
        int dash = sid.LastIndexOf('-');
        return uint.TryParse(sid.AsSpan(dash + 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out rid);
    }
}
