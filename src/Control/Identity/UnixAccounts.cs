using System.Runtime.InteropServices;

namespace FastSmb.Control.Identity;

/// <summary>A Unix account as the system's name service reports it (passwd, then the groups it belongs to).</summary>
public sealed record UnixAccount(string Name, uint Uid, uint Gid, IReadOnlyList<uint> Groups);

/// <summary>
/// Lookups in the system's user database through glibc's reentrant calls (getpwnam_r, getpwuid_r, getgrnam_r,
/// getgrouplist), so NSS modules (files, sss, ldap) answer as they do for Samba. Stateless; thread-safe.
/// </summary>
public static partial class UnixAccounts
{
    private const int ERANGE = 34;

    public static bool TryGetByName(string name, out UnixAccount account)
    {
        account = null!;
        if (!OperatingSystem.IsLinux() || name.Length == 0 || name.Contains('\0')) return false;
        return TryPasswd(name, 0, byName: true, out account);
    }

    public static bool TryGetByUid(uint uid, out UnixAccount account)
    {
        account = null!;
        return OperatingSystem.IsLinux() && TryPasswd(null, uid, byName: false, out account);
    }

    /// <summary>The gid of the Unix group <paramref name="name"/>, or a number given as is.</summary>
    public static unsafe bool TryGetGroupId(string name, out uint gid)
    {
        if (uint.TryParse(name, out gid)) return true;
        if (!OperatingSystem.IsLinux() || name.Length == 0 || name.Contains('\0')) return false;
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Group group;
            nint result;
            int rc;
            fixed (byte* b = buffer)
                rc = getgrnam_r(name, &group, b, (nuint)size, &result);
            if (rc == ERANGE) continue;
            if (rc != 0 || result == 0) return false;
            gid = group.Gid;
            return true;
        }
        return false;
    }

    private static unsafe bool TryPasswd(string? name, uint uid, bool byName, out UnixAccount account)
    {
        account = null!;
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Passwd pw;
            nint result;
            int rc;
            fixed (byte* b = buffer)
                rc = byName ? getpwnam_r(name!, &pw, b, (nuint)size, &result) : getpwuid_r(uid, &pw, b, (nuint)size, &result);
            if (rc == ERANGE) continue;
            if (rc != 0 || result == 0) return false;
            string accountName = Marshal.PtrToStringUTF8(pw.Name) ?? "";
            account = new UnixAccount(accountName, pw.Uid, pw.Gid, GroupsOf(accountName, pw.Gid));
            return true;
        }
        return false;
    }

    /// <summary>The groups <paramref name="name"/> belongs to, its primary group <paramref name="gid"/> first.</summary>
    public static unsafe IReadOnlyList<uint> GroupsOf(string name, uint gid)
    {
        int count = 32;
        while (true)
        {
            var groups = new uint[count];
            int n = count;
            int rc;
            fixed (uint* g = groups)
                rc = getgrouplist(name, gid, g, &n);
            if (rc >= 0) return groups[..n];
            if (n <= count) return [gid];
            count = n;
        }
    }

    /// <summary>The owner and group of <paramref name="path"/> (statx, following symlinks).</summary>
    public static unsafe bool TryGetOwner(string path, out uint uid, out uint gid)
    {
        uid = gid = 0;
        if (!OperatingSystem.IsLinux()) return false;
        const int AT_FDCWD = -100;
        const uint STATX_UID = 0x8, STATX_GID = 0x10;
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_UID | STATX_GID, buffer) != 0) return false;
        // struct statx: stx_uid at offset 20, stx_gid at 24.
        uid = *(uint*)(buffer + 20);
        gid = *(uint*)(buffer + 24);
        return true;
    }

    /// <summary>struct passwd on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint Name, Password;
        public uint Uid, Gid;
        public nint Gecos, Dir, Shell;
    }

    /// <summary>struct group on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public nint Name, Password;
        public uint Gid;
        public nint Members;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int getpwnam_r(string name, Passwd* pwd, byte* buffer, nuint size, nint* result);

    [LibraryImport("libc")]
    private static unsafe partial int getpwuid_r(uint uid, Passwd* pwd, byte* buffer, nuint size, nint* result);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int getgrnam_r(string name, Group* grp, byte* buffer, nuint size, nint* result);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int getgrouplist(string user, uint group, uint* groups, int* ngroups);
}
