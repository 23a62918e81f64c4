using FastSmb.Protocol;

namespace FastSmb.Client.Smb2;

/// <summary>A request the server failed, with its status; thrown by the convenience methods only.</summary>
public sealed class Smb2ClientException(string operation, NtStatus status)
    : Exception($"{operation} failed: {status.ToStatusName()}")
{
    public NtStatus Status { get; } = status;
}
