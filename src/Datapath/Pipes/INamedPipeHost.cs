using FastSmb.Protocol;

namespace FastSmb.Datapath.Pipes;

/// <summary>
/// Who opens a named pipe: the authenticated user of the SMB session. DCERPC services use it for
/// access checks; <see cref="SessionKey"/> is the SMB session's key (MS-RPCE 3.3.1.5.2 uses it for
/// ncacn_np application keys).
/// </summary>
public sealed record PipeCaller(string UserName, string Domain, bool IsAnonymous, byte[] SessionKey, string ClientAddress);

/// <summary>
/// Implemented by the control plane: the endpoints behind \PIPE\name on IPC$ (srvsvc, wkssvc, ...).
/// The data path only moves bytes between SMB2 CREATE/READ/WRITE/IOCTL and these objects.
/// </summary>
public interface INamedPipeHost
{
    /// <summary>
    /// Opens the pipe <paramref name="pipeName"/> (as the client sent it in CREATE, without "\PIPE\",
    /// compared case-insensitively). Unknown names give STATUS_OBJECT_NAME_NOT_FOUND.
    /// </summary>
    NtStatus Open(string pipeName, PipeCaller caller, out INamedPipe? pipe);
}

/// <summary>
/// One open instance of a message-mode named pipe ([MS-FSCC] 2.3.49 FSCTL_PIPE_TRANSCEIVE semantics).
/// Owned by the connection that opened it; called by one thread at a time.
/// </summary>
public interface INamedPipe : IDisposable
{
    /// <summary>A WRITE: one message (or a fragment of one) into the pipe.</summary>
    NtStatus Write(ReadOnlySpan<byte> data);

    /// <summary>
    /// A READ: copies pending output into <paramref name="destination"/>. When the pending message does
    /// not fit, copies what fits and returns STATUS_BUFFER_OVERFLOW; the rest is returned by later reads.
    /// With nothing pending it answers STATUS_INVALID_PIPE_STATE: Windows would pend the read, which needs the
    /// async machinery of a later issue; clients of request/response services always write before they read.
    /// </summary>
    NtStatus Read(Span<byte> destination, out int bytesRead);

    /// <summary>
    /// FSCTL_PIPE_TRANSCEIVE: write <paramref name="input"/> as one message and read the reply into
    /// <paramref name="output"/> (STATUS_BUFFER_OVERFLOW when the reply is longer than the buffer; the rest
    /// is left for READ).
    /// </summary>
    NtStatus Transceive(ReadOnlySpan<byte> input, Span<byte> output, out int bytesRead);
}
