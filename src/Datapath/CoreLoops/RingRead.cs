using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.IoUring;
using FastSmb.Datapath.Transport;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// One SMB2 READ ([MS-SMB2] 3.3.5.12) that would wait for the disk (preadv2 RWF_NOWAIT said so), served on its
/// connection's core loop ring: the file's bytes are read into a
/// registered buffer right behind the room for the response's headers, the response is written around them and sent
/// from that buffer as one frame, and the buffer goes back to the pool once the send is done. The loop serves the
/// connection's other requests meanwhile; responses leave as their reads complete (a deferred response,
/// <see cref="IDeferredResponse"/>). Reused: one object per buffer in flight, kept by <see cref="RingFileIo"/>.
/// </summary>
internal sealed unsafe class RingRead : IRingOperationOwner, IDeferredResponse, IOutboundFrameOwner
{
    private readonly RingFileIo _files;
    private RegisteredBuffer? _buffer;
    private Smb2Connection? _connection;
    private FsaOpen? _file;
    private IFsaRingIo? _volume;
    private DeferredResponseHeader _header;
    private int _slot = -1;
    private int _fd;
    private long _offset;
    private int _length;
    private int _done;
    private uint _minimumCount;
    private bool _completed;
    private bool _deferred;
    private NtStatus _status;

    public RingRead(RingFileIo files) => _files = files;

    /// <summary>
    /// Starts READ <paramref name="read"/> of <paramref name="file"/> on the ring, when the request may be deferred
    /// and the loop has a buffer: returns true with <paramref name="status"/> the handler's answer (Pending, or the
    /// error of a check that failed). False: serve it synchronously.
    /// </summary>
    public static bool TryStart(ref Smb2Request request, in ReadRequest read, FsaOpen file, ResponseBuffer response,
        out NtStatus status)
    {
        status = NtStatus.Success;
        var connection = request.Connection;
        // Multichannel groups share a gate across loops; their owners may run off their loop: keep those synchronous.
        if (connection.RingFiles is not { } files || !request.MayDefer || connection.JoinedClient
            || file.Volume is not IFsaRingIo volume)
            return false;
        int length = (int)read.Length;
        long offset = (long)read.Offset;
        status = volume.BeginRead(file, offset, length, out int fd);
        if (status != NtStatus.Success) return true;
        if (fd < 0) return false;
        // What the page cache holds is read at once into the response, as the synchronous path does: the ring only
        // takes reads that would wait for the disk (and short ones: the end of the file), which must not stall the loop.
        var body = response.GetBodySpan(ReadResponse.FixedSize + Math.Max(length, 1));
        if (files.TryCachedFirst && volume.TryReadCached(fd, offset, body.Slice(ReadResponse.FixedSize, length)))
        {
            status = Handlers.Files.ReadHandler.Answer(response, in read, file, length);
            return true;
        }
        if (!files.TryRent(length, out var op)) return false;
        op!.Start(connection, file, volume, fd, offset, length, read.MinimumCount);
        request.Deferred = op;
        status = NtStatus.Pending;
        return true;
    }

    internal void Attach(RegisteredBuffer buffer) => _buffer = buffer;

    private void Start(Smb2Connection connection, FsaOpen file, IFsaRingIo volume, int fd, long offset, int length,
        uint minimumCount)
    {
        _connection = connection;
        _file = file;
        _volume = volume;
        _fd = fd;
        _offset = offset;
        _length = length;
        _minimumCount = minimumCount;
        _done = 0;
        _completed = false;
        _deferred = false;
        if (_slot < 0) _slot = _files.Loop.Register(this);
        QueueRead();
    }

    void IDeferredResponse.Deferred(in DeferredResponseHeader header)
    {
        _header = header;
        _deferred = true;
        // A read that already ended: only one that could not even be queued (its completion comes from the loop).
        if (_completed) Respond();
    }

    private void QueueRead()
    {
        var ring = _files.Loop.Ring;
        var buffer = _buffer!;
        int start = RingFileIo.DataStart + _done;
        int left = _length - _done;
        ulong userData = CoreLoop.UserData(_slot, 0);
        bool queued = _files.Registered
            ? ring.ReadFixed(_fd, buffer, start, left, _offset + _done, userData)
            : ring.Read(_fd, buffer.Pointer + start, left, _offset + _done, userData);
        if (!queued)
        {
            Finish(NtStatus.InsufficientResources);
            return;
        }
        if (!_files.Registered) buffer.BeginIo();
        // Now, not at the loop's next wait: the kernel takes its reference to the file at submission, so a CLOSE
        // processed before then cannot pull the descriptor from under the read.
        ring.Submit();
    }

    void IRingOperationOwner.OnCompletion(byte kind, in IoCompletion completion)
    {
        _buffer!.EndIo();
        int result = completion.Result;
        if (result < 0)
        {
            Finish(result == -Errno.ECANCELED ? NtStatus.Cancelled : _volume!.ReadFailed(-result));
            return;
        }
        _done += result;
        // A regular file reads short only at its end, but a read may stop early (a signal): go on until 0 or full.
        if (result > 0 && _done < _length && !(_connection!.IsClosed))
        {
            QueueRead();
            return;
        }
        // [MS-SMB2] 3.3.5.12: fewer bytes than MinimumCount, or none at the end of the file, is STATUS_END_OF_FILE.
        Finish((_done == 0 && _length > 0) || (uint)_done < _minimumCount ? NtStatus.EndOfFile : NtStatus.Success);
    }

    private void Finish(NtStatus status)
    {
        _status = status;
        _completed = true;
        if (_deferred) Respond();
    }

    private void Respond()
    {
        var connection = _connection!;
        if (connection.IsClosed)
        {
            Released();
            return;
        }
        var frame = _buffer!.Span;
        var message = frame[DirectTcpFraming.HeaderSize..];
        var body = message[Smb2Header.Size..];
        int bodyLength;
        if (_status == NtStatus.Success)
        {
            // FilePositionInformation then reports the end of this read, as ReadHandler does.
            _file!.Position = _offset + _done;
            ReadResponse.WriteHeader(body, (uint)_done, 0);
            if (_done == 0) body[ReadResponse.FixedSize] = 0; // StructureSize 17 counts one byte of Buffer
            bodyLength = ReadResponse.FixedSize + Math.Max(_done, 1);
        }
        else
        {
            bodyLength = ErrorResponse.Write(body, default);
        }
        int messageLength = Smb2Header.Size + bodyLength;
        _header.WriteAndSign(message[..messageLength], connection, _status);
        DirectTcpFraming.WriteHeader(frame, messageLength);
        connection.FrameOutbox.Enqueue(new OutboundFrame(_buffer.Memory[..(DirectTcpFraming.HeaderSize + messageLength)], this));
        // The owner sends it: at once if it is between requests (a posted wake-up), else after its current response.
        connection.WakeOwner();
    }

    /// <summary>The response was sent (or dropped with its connection): the buffer goes back to the pool.</summary>
    public void Released()
    {
        var buffer = _buffer!;
        _buffer = null;
        _connection = null;
        _file = null;
        _volume = null;
        buffer.Pool.Return(buffer);
        _files.Return(this);
    }
}
