using FastSmb.Datapath.Pipes;
using FastSmb.Fsa;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// [MS-SMB2] 3.3.1.10 Per Open: either a named pipe instance on IPC$ (<see cref="Pipe"/>) or a file or directory
/// on a disk share (<see cref="File"/>, an FSA open) — exactly one of the two, as the tree connect's type decides.
/// Owned by its tree connect's connection owner.
/// </summary>
public sealed partial class Open : IDisposable
{
    private static long s_nextVolatileId;

    public Open(FileId fileId, TreeConnect tree, string name, INamedPipe pipe)
    {
        FileId = fileId;
        Tree = tree;
        Name = name;
        Pipe = pipe;
    }

    public Open(FileId fileId, TreeConnect tree, string name, FsaOpen file)
    {
        FileId = fileId;
        Tree = tree;
        Name = name;
        File = file;
    }

    /// <summary>A fresh FileId: volatile ids are unique in the process, the persistent part repeats them until
    /// durable handles give it its own meaning.</summary>
    public static FileId NewFileId()
    {
        ulong id = (ulong)Interlocked.Increment(ref s_nextVolatileId);
        return new FileId(id, id);
    }

    public FileId FileId { get; }
    public TreeConnect Tree { get; }
    public string Name { get; }
    public INamedPipe? Pipe { get; }
    public FsaOpen? File { get; }
    public uint GrantedAccess { get; init; }

    /// <summary>A READ on this pipe waiting for data (a message-mode pipe read blocks until a write produces
    /// output), with the length it asked for.</summary>
    public (Dispatch.AsyncOperation Operation, uint Length)? PendingRead { get; set; }

    public void Dispose()
    {
        PendingRead?.Operation.OnCancel?.Invoke();
        PendingRead = null;
        EndPendingLocks();
        EndNotify();

        ResumeKeyTable.Forget(this);
        ForgetDurable();
        Pipe?.Dispose();
        File?.Volume.Close(File);
    }
}
