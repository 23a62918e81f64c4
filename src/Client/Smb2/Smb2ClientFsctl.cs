using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;

namespace FastSmb.Client.Smb2;

/// <summary>File system controls ([MS-SMB2] 2.2.31 IOCTL with SMB2_0_IOCTL_IS_FSCTL) on top of
/// <see cref="Smb2ClientConnection"/>: the generic call, and server-side copy.</summary>
public static class Smb2ClientFsctl
{
    /// <summary>Sends one FSCTL; returns the status and the output buffer (also on an error that carries one).</summary>
    public static async Task<(NtStatus Status, byte[] Output)> FsctlAsync(this Smb2ClientConnection c, uint treeId,
        FileId fileId, uint ctlCode, byte[] input, uint maxOutput)
    {
        var response = await c.SendAsync(Smb2Command.Ioctl, body => IoctlRequest.Write(body, ctlCode, fileId, input, 0,
            maxOutput, IoctlRequest.FlagIsFsctl), treeId).ConfigureAwait(false);
        var output = IoctlResponse.TryParse(response.Message, out var io) ? io.Output.ToArray() : [];
        return (response.Status, output);
    }

    /// <summary>FSCTL_SRV_REQUEST_RESUME_KEY: the 24-byte key naming <paramref name="fileId"/> as a copy source.</summary>
    public static async Task<(NtStatus Status, byte[] Key)> RequestResumeKeyAsync(this Smb2ClientConnection c, uint treeId,
        FileId fileId)
    {
        var (status, output) = await c.FsctlAsync(treeId, fileId, FsctlCodes.FSCTL_SRV_REQUEST_RESUME_KEY, [],
            SrvRequestResumeKeyResponse.Size).ConfigureAwait(false);
        return (status, SrvRequestResumeKeyResponse.TryParse(output, out var key) ? key.ToArray() : []);
    }

    /// <summary>FSCTL_SRV_COPYCHUNK (or _WRITE) into <paramref name="target"/> from the open <paramref name="sourceKey"/>
    /// names; the response counts (or the server's limits, on STATUS_INVALID_PARAMETER).</summary>
    public static async Task<(NtStatus Status, SrvCopyChunkResponse Result)> CopyChunkAsync(this Smb2ClientConnection c,
        uint treeId, FileId target, byte[] sourceKey, SrvCopyChunk[] chunks, bool writeOnly = false)
    {
        var input = new byte[SrvCopyChunkCopy.FixedSize + chunks.Length * SrvCopyChunkCopy.ChunkSize];
        SrvCopyChunkCopy.Write(input, sourceKey, chunks);
        var (status, output) = await c.FsctlAsync(treeId, target,
            writeOnly ? FsctlCodes.FSCTL_SRV_COPYCHUNK_WRITE : FsctlCodes.FSCTL_SRV_COPYCHUNK, input,
            SrvCopyChunkResponse.Size).ConfigureAwait(false);
        SrvCopyChunkResponse.TryParse(output, out var result);
        return (status, result);
    }
}
