using FastSmb.Datapath.Pipes;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// [MS-SMB2] 3.3.1.10 Per Open. For now an open is a named pipe instance on IPC$; files join in the FSA issue.
/// Owned by its tree connect's connection owner.
/// </summary>
public sealed class Open(FileId fileId, TreeConnect tree, string name, INamedPipe? pipe) : IDisposable
{
    public FileId FileId { get; } = fileId;
    public TreeConnect Tree { get; } = tree;
    public string Name { get; } = name;
    public INamedPipe? Pipe { get; } = pipe;
    public uint GrantedAccess { get; init; }

    /// <summary>A READ on this pipe waiting for data (a message-mode pipe read blocks until a write produces
    /// output), with the length it asked for.</summary>
    public (Dispatch.AsyncOperation Operation, uint Length)? PendingRead { get; set; }

    public void Dispose()
    {
        PendingRead?.Operation.OnCancel?.Invoke();
        PendingRead = null;
        Pipe?.Dispose();
    }
}
