namespace FastSmb.Datapath.Connections;

public sealed partial class Smb2Connection
{
    /// <summary>The connections of this connection's client (same ClientGuid, multichannel), in the order they
    /// negotiated; null outside a group (<see cref="ClientTable.Join"/>).</summary>
    internal ClientTable.Group? Client { get; set; }
}
