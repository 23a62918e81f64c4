using FastSmb.Datapath.CoreLoops;

namespace FastSmb.Datapath.Connections;

public sealed partial class Smb2Connection
{
    /// <summary>The file I/O of this connection's core loop (its io_uring and registered buffers), or null when the
    /// connection is not on a loop (sockets mode, the in-memory transport): then file calls are synchronous. Set by
    /// the owner.</summary>
    internal RingFileIo? RingFiles { get; set; }

    /// <summary>Frames that live in memory someone else owns (a registered buffer holding a READ's data), sent by
    /// the owner after <see cref="Outbox"/>; each owner hears when its frame is sent or dropped.</summary>
    internal Queue<OutboundFrame> FrameOutbox { get; } = new();
}

/// <summary>A frame on <see cref="Smb2Connection.FrameOutbox"/>: its bytes, and whom to tell when they are no longer needed.</summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, IOutboundFrameOwner Owner);

internal interface IOutboundFrameOwner
{
    /// <summary>The frame was sent, or the connection dropped it: its memory is the owner's again.</summary>
    void Released();
}
