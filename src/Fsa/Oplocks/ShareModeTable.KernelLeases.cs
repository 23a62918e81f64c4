using FastSmb.Fsa.Oplocks;

namespace FastSmb.Fsa;

/// <summary>"kernel oplocks": the grants that also hold a Linux lease, and what a break by the kernel does.</summary>
public sealed partial class ShareModeTable
{
    /// <summary>Takes a kernel lease for an open's new grant (write caching or read only); false when the kernel
    /// refuses. Set by a volume that can; null grants nothing under kernel oplocks.</summary>
    public Func<FsaOpen, CachingState, bool>? KernelLeaseTaker { get; set; }

    /// <summary>
    /// Under the table lock, for a new grant of <paramref name="want"/> on a share with kernel oplocks: false when the
    /// open gets nothing. As Samba with Linux kernel oplocks: no level II oplocks (a read lease cannot be had on a
    /// descriptor open for writing, and Samba refuses them all), and no grant the kernel will not back with a lease.
    /// Directories and streams have no kernel lease of their own and keep what the table grants.
    /// </summary>
    private bool TakeKernelLease(FsaOpen open, CachingRequest request, CachingState want)
    {
        if (want == CachingState.None || open.IsDirectory) return true;
        if (!request.IsLease && (want & CachingState.Write) == 0) return false;
        return KernelLeaseTaker?.Invoke(open, want) == true;
    }

    /// <summary>An open of the file <paramref name="key"/> that <paramref name="match"/> picks, if any.</summary>
    internal FsaOpen? FindOpen(FileKey key, Func<FsaOpen, bool> match)
    {
        lock (_lock) return _files.TryGetValue(key, out var node) ? node.Opens.FirstOrDefault(match) : null;
    }

    /// <summary>
    /// A local process opened the file and the kernel is breaking the lease <paramref name="open"/>'s descriptor
    /// holds (from the kernel-lease thread): the SMB grant breaks to none, and <paramref name="release"/> gives the
    /// kernel lease up once the holder acknowledged (or timed out, or closed), so the local opener only goes on when
    /// the client's cached writes are on disk; at once when nothing needs acknowledging.
    /// </summary>
    public void KernelLeaseBroken(FsaOpen open, Action release)
    {
        lock (_lock)
        {
            if (open.Grant is not { } grant || open.Node is not { } node)
            {
                release();
                return;
            }
            StartBreak(grant, CachingState.None);
            if (grant.Breaking) node.BreakWaiters.Add(release);
            else release();
        }
    }
}
