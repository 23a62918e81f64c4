using FastSmb.Datapath.Connections;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// [MS-SMB2] 3.3.1.14 Per Channel: one connection a session is bound to. The connection that created the session is
/// its first (primary) channel and signs with the session's key; a channel added by session binding (3.3.5.5.2) has
/// its own Channel.SigningKey, empty while the binding's authentication is in progress. Owned by the session.
/// </summary>
public sealed class Smb2Channel(Smb2Connection connection, bool primary)
{
    public Smb2Connection Connection { get; } = connection;
    public bool IsPrimary { get; } = primary;

    /// <summary>Channel.SigningKey of a bound channel (3.3.5.5.3); empty on the primary channel and during binding.</summary>
    public byte[] SigningKey { get; set; } = [];
    public SigningAlgorithm SigningAlgorithm { get; set; }

    /// <summary>The binding's security exchange in progress (the control plane's ISecurityContext).</summary>
    public object? PendingAuthentication { get; set; }

    /// <summary>3.1.1: the binding exchange's hash, seeded from the binding connection's
    /// (3.3.5.5.2 Connection.PreauthSessionTable), the context of Channel.SigningKey.</summary>
    public PreauthIntegrity PreauthIntegrity { get; } = new();

    /// <summary>True once requests other than the binding SESSION_SETUP may use this channel.</summary>
    public bool IsBound => IsPrimary || SigningKey.Length > 0;
}

public sealed partial class Smb2Session
{
    // Session.ChannelList; the primary channel first. Mutated only under the session's gate.
    private readonly List<Smb2Channel> _channels = [new Smb2Channel(connection, primary: true)];

    public IReadOnlyList<Smb2Channel> Channels => _channels;

    public Smb2Channel? FindChannel(Smb2Connection connection)
    {
        foreach (var channel in _channels)
            if (channel.Connection == connection) return channel;
        return null;
    }

    /// <summary>Whether requests on <paramref name="connection"/> reach this session (3.3.5.2.9: the session is in
    /// Connection.SessionTable): its primary channel or a completed binding.</summary>
    public bool IsBoundTo(Smb2Connection connection) => FindChannel(connection) is { IsBound: true };

    /// <summary>
    /// The key that signs and verifies on <paramref name="connection"/> ([MS-SMB2] 3.3.5.2.4, 3.3.4.1.1): a bound
    /// channel's Channel.SigningKey, otherwise (the primary channel, a binding in progress, 2.x) the session's.
    /// </summary>
    public byte[] SigningKeyFor(Smb2Connection connection, out SigningAlgorithm algorithm)
    {
        var channel = FindChannel(connection);
        if (channel is { IsPrimary: false, SigningKey.Length: > 0 })
        {
            algorithm = channel.SigningAlgorithm;
            return channel.SigningKey;
        }
        algorithm = SigningAlgorithm;
        return SigningKey;
    }

    /// <summary>Starts a binding on <paramref name="connection"/> (3.3.5.5.2): a channel without a key yet.</summary>
    public Smb2Channel AddChannel(Smb2Connection connection)
    {
        var channel = new Smb2Channel(connection, primary: false);
        _channels.Add(channel);
        return channel;
    }

    /// <summary>Drops the channel of <paramref name="connection"/>: a failed binding or a connection that went away.
    /// Returns how many bound channels remain; at zero the session has no way left to the client.</summary>
    public int RemoveChannel(Smb2Connection connection)
    {
        _channels.RemoveAll(c => c.Connection == connection);
        int bound = 0;
        foreach (var channel in _channels)
            if (channel.IsBound && !channel.Connection.IsClosed) bound++;
        return bound;
    }

    /// <summary>A bound channel whose connection is still open, or null. Safe from any thread: the list is read by
    /// index, and a channel removed meanwhile only ends the search early.</summary>
    public Smb2Connection? AnyLiveConnection()
    {
        var channels = _channels;
        for (int i = 0; i < channels.Count; i++)
        {
            Smb2Channel channel;
            try { channel = channels[i]; }
            catch (ArgumentOutOfRangeException) { return null; } // the list shrank under us
            if (channel.IsBound && !channel.Connection.IsClosed) return channel.Connection;
        }
        return null;
    }

    public bool HasLiveChannel() => AnyLiveConnection() is not null;

    /// <summary>
    /// Sends an unsolicited or out-of-turn message (an async final response whose channel died, an oplock or lease
    /// break) on one live channel of the session: <paramref name="preferred"/> when it is still bound and open, else
    /// the first bound open one. <paramref name="buildFrame"/> gets the chosen connection and writes the frame for it
    /// (signed with <see cref="SigningKeyFor"/>, or encrypted); the frame goes on that connection's outbox and its
    /// owner is woken to send it. Call under the session's gate. False when no channel is left.
    /// </summary>
    public bool SendOnAnyLiveChannel(Func<Smb2Connection, byte[]> buildFrame, Smb2Connection? preferred = null)
    {
        Smb2Connection? target = null;
        if (preferred is not null && !preferred.IsClosed && IsBoundTo(preferred)) target = preferred;
        else
        {
            foreach (var channel in _channels)
                if (channel.IsBound && !channel.Connection.IsClosed) { target = channel.Connection; break; }
        }
        if (target is null) return false;
        target.Outbox.Enqueue(buildFrame(target));
        target.WakeOwner();
        return true;
    }
}
