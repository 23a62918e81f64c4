namespace FastSmb.Fsa;

/// <summary>
/// [MS-FSA] 2.1.1.5 Per Open: one successful open of a file or directory, what it was granted and how it shares
/// the file. The backend adds its handle. Owned by the SMB open that holds it (one connection's owner); the node
/// it points to is shared through the volume's <see cref="ShareModeTable"/>.
/// </summary>
public abstract partial class FsaOpen(IFsaVolume volume, AccessMask grantedAccess, FileShareAccess shareAccess, bool isDirectory)
{
    public IFsaVolume Volume { get; } = volume;
    public AccessMask GrantedAccess { get; } = grantedAccess;
    public FileShareAccess ShareAccess { get; } = shareAccess;
    public bool IsDirectory { get; } = isDirectory;

    /// <summary>[MS-FSA] 2.1.1.5 Open.DeleteOnClose (FILE_DELETE_ON_CLOSE at create).</summary>
    public bool DeleteOnClose { get; internal set; }

    /// <summary>[MS-FSCC] 2.4.35 FilePositionInformation: set by the client, and moved to the end of each READ and
    /// WRITE (as Samba does); SMB2 I/O carries its own offsets and never reads it.</summary>
    public long Position { get; set; }

    /// <summary>[MS-FSCC] 2.4.26 FileModeInformation as last set.</summary>
    public uint Mode { get; set; }

    /// <summary>The directory enumeration in progress on this open ([MS-FSA] 2.1.5.6 QueryDirectory); null until the first.</summary>
    public FsaEnumeration? Enumeration { get; internal set; }

    /// <summary>The named stream this open is of ([MS-FSA] 2.1.1.5 Open.Stream), as the client spelled it; null for the
    /// default data stream.</summary>
    public string? StreamName { get; internal set; }

    /// <summary>[MS-FSA] 2.1.5.14.2: a LastWriteTime set through this open (or -1) stops writes through it from
    /// moving the time; the frozen value, or 0 when the file system updates it as usual (after -2).</summary>
    internal long FrozenLastWriteTime { get; set; }

    /// <summary>The same for LastAccessTime.</summary>
    internal long FrozenLastAccessTime { get; set; }

    /// <summary>A write through this open has started the delayed write-time update (<see cref="WriteTimeState"/>);
    /// later writes do not start another.</summary>
    internal bool WriteTimeTriggered { get; set; }

    /// <summary>This open wrote since the file's write time was last updated for it: its close sets the write time.</summary>
    internal bool WriteTimeUpdateOnClose { get; set; }

    /// <summary>[MS-FSA] 2.1.5.12.1 FileFullEaInformation: the index of the next EA a query without a list returns
    /// (Open.NextEaIndex; 0 after a restart).</summary>
    public int NextEaIndex { get; set; }

    /// <summary>The most the opener could have been granted ([MS-SMB2] 2.2.14.2.5 MxAc), from the access check at
    /// open; FILE_ALL_ACCESS where no DACL check ran.</summary>
    public AccessMask MaximalAccess { get; internal set; } = AccessMask.FileAllAccess;

    internal FileNode? Node { get; set; }

    public FileKey Key => Node!.Key;

    /// <summary>The file's current name as the client spells paths: relative to the share, backslashes, "" for the root.</summary>
    public string ClientPath => Node!.Path.Replace('/', '\\');

    public bool DeletePending => Node!.DeletePending;
}

/// <summary>
/// A directory listing in progress: the names that match the pattern, taken when it started (or restarted), and
/// a cursor. Entries are returned with their metadata; <see cref="Advance"/> moves on once the caller has used one,
/// so a response buffer that fills up resumes at the entry that did not fit. Owned by its open.
/// </summary>
public abstract class FsaEnumeration(string pattern, IReadOnlyList<string> names)
{
    public string Pattern { get; } = pattern;
    public int Position { get; private set; }
    public int Count => names.Count;
    protected IReadOnlyList<string> Names => names;

    /// <summary>The entry at the cursor, skipping names that vanished or cannot be shown; false at the end.</summary>
    public bool TryPeek(out DirectoryEntry entry)
    {
        while (Position < names.Count)
        {
            if (TryDescribe(names[Position], out var metadata))
            {
                entry = new DirectoryEntry(names[Position], metadata);
                return true;
            }
            Position++;
        }
        entry = default;
        return false;
    }

    public void Advance() => Position++;

    protected abstract bool TryDescribe(string name, out FileMetadata metadata);
}
