namespace FastSmb.Datapath.Identity;

/// <summary>
/// The Unix credentials a session's file system calls run with (ARCHITECTURE.md, "How a request flows", step 3):
/// the fsuid, the fsgid and the supplementary groups. Decided by the control plane at logon (and adjusted by a
/// share's "force user" / "force group" at TREE_CONNECT); immutable, so sessions and tree connects share it freely.
/// </summary>
public sealed record UnixIdentity(uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    /// <summary>Groups as the setgroups syscall takes them, built once.</summary>
    internal uint[] GroupArray { get; } = [.. Groups];

    public override string ToString() => $"uid={Uid} gid={Gid} groups={string.Join(',', Groups)}";

    public bool Equals(UnixIdentity? other) =>
        other is not null && Uid == other.Uid && Gid == other.Gid && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => HashCode.Combine(Uid, Gid, Groups.Count);
}
