using FastSmb.Fsa.Locks;

namespace FastSmb.Fsa;

public abstract partial class FsaOpen
{
    /// <summary>
    /// A copy of the byte-range locks this open holds, for `fastsmb status` (smbstatus -L). Takes the file's lock-list
    /// lock for the copy only, like any LOCK does, so it is safe from any thread; empty when nobody locked the file.
    /// </summary>
    public IReadOnlyList<(ulong Offset, ulong Length, bool Exclusive)> ListLocks()
    {
        if (Node is not { } node || Volatile.Read(ref node.Locks) is not { } locks) return [];
        List<(ulong, ulong, bool)>? held = null;
        lock (locks.Gate)
        {
            foreach (var granted in locks.Granted)
                if (granted.Owner == this) (held ??= []).Add((granted.Range.Offset, granted.Range.Length, granted.Exclusive));
        }
        return held is null ? [] : held;
    }
}
