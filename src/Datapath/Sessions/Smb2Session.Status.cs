using FastSmb.Datapath.Sessions.Status;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Datapath.Sessions;

public sealed partial class Smb2Session
{
    /// <summary>When SESSION_SETUP created the session (UTC), for `fastsmb status`.</summary>
    public DateTime CreatedAtUtc { get; } = DateTime.UtcNow;

    /// <summary>
    /// Copies the session, its tree connects and their opens into immutable records. Call as the session's owner (under
    /// its connection's gate: <see cref="SessionRegistry.SnapshotAsync"/> posts it there), because the trees, opens and
    /// channels are plain collections only the owner mutates.
    /// </summary>
    internal SessionCapture CaptureStatus(DateTime utcNow)
    {
        var channels = new List<string>(_channels.Count);
        foreach (var channel in _channels)
            if (channel.IsBound && !channel.Connection.IsClosed) channels.Add(channel.Connection.ClientAddress);
        var session = new SessionStatus(SessionId, UserName, Domain, Connection.ClientAddress, Connection.Dialect.ToDisplay(),
            State.ToString().ToLowerInvariant(), CreatedAtUtc)
        {
            Guest = IsGuest,
            Anonymous = IsAnonymous,
            Signing = SigningRequired && SigningKey.Length > 0 ? SigningAlgorithm.ToString() : null,
            Encryption = EncryptData && Encryptor is not null ? Connection.CipherId.ToString() : null,
            Channels = channels,
            ExpiresAtUtc = ExpiresAt,
        };
        var trees = new List<TreeConnectStatus>(_trees.Count);
        var opens = new List<OpenStatus>();
        foreach (var tree in _trees.Values)
        {
            trees.Add(new TreeConnectStatus(SessionId, tree.TreeId, tree.ShareName, tree.ConnectedAtUtc)
            {
                IsPipe = tree.IsPipe,
                Encrypted = tree.EncryptData,
                ClientAddress = Connection.ClientAddress,
                User = UserName,
            });
            tree.CaptureOpens(utcNow, opens);
        }
        return new SessionCapture(session, trees, opens);
    }
}

public sealed partial class TreeConnect
{
    /// <summary>When the TREE_CONNECT succeeded (UTC), for `fastsmb status`.</summary>
    public DateTime ConnectedAtUtc { get; } = DateTime.UtcNow;

    /// <summary>Adds a record of every open of this tree connect. Call as its owner.</summary>
    internal void CaptureOpens(DateTime utcNow, List<OpenStatus> into)
    {
        foreach (var open in _opens.Values)
            into.Add(open.CaptureStatus(utcNow, Session.SessionId, TreeId, Session.UserName, Session.Connection.ClientAddress));
    }
}

/// <summary>One session's part of a <see cref="ServerStatus"/>, as its owner copied it.</summary>
internal sealed record SessionCapture(SessionStatus Session, List<TreeConnectStatus> Trees, List<OpenStatus> Opens);
