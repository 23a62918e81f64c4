namespace FastSmb.Datapath.Sessions;

public sealed partial class Smb2Session
{
    /// <summary>The server's durable opens (set by <see cref="SessionRegistry.Create"/>; null for sessions made
    /// without a registry, which then grant no durability).</summary>
    public DurableOpenTable? DurableOpens { get; init; }

    /// <summary>
    /// The session ends without a LOGOFF (its last connection is lost, or a reconnecting client named it as its
    /// PreviousSessionId): [MS-SMB2] 3.3.7.1 — durable opens are kept, disconnected, for their reconnect; every
    /// other open and the tree connects close as <see cref="CloseAll"/> closes them.
    /// </summary>
    public void DisconnectAll()
    {
        if (DurableOpens is { } table)
            foreach (var tree in Trees)
                tree.DetachDurableOpens(table);
        CloseAll();
    }
}

public sealed partial class TreeConnect
{
    /// <summary>The share's "durable handles" (default yes, as Samba's): whether opens on it may be durable.</summary>
    public bool DurableHandles { get; set; } = true;

    /// <summary>Takes the durable opens out of this tree connect and leaves them in <paramref name="table"/>,
    /// disconnected; what they hold at the FSA stays.</summary>
    internal void DetachDurableOpens(DurableOpenTable table)
    {
        foreach (var open in _opens.Values.ToArray())
        {
            if (open.Durable is not { IsClosed: false } durable) continue;
            _opens.Remove(open.FileId.Volatile);
            table.Disconnect(durable);
        }
    }
}
