using FastSmb.Control.Shares;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Fsa.Locks;
using FastSmb.Protocol;

namespace FastSmb.Control.State;

/// <summary>
/// Rebuilds the persistent opens of continuously available shares at server start, from the open_global records the
/// state store recovered (checkpoint + log, docs/state.md): each file is reopened by its path below its share with the
/// access and share mode it had, its byte-range locks are taken again, and the open waits, disconnected, for its
/// client's DH2C ([MS-SMB2] 3.3.5.9.12) until its timeout, counted from the restart. A record whose share is gone or is
/// no longer continuously available, or whose file cannot be reopened, is dropped (and said so). Runs once, before the
/// server takes connections.
/// </summary>
internal static class PersistentOpenRecovery
{
    public static int Run(IShareRegistry shares, FsaVolumeRegistry volumes, DurableOpenTable table, IControlLog log)
    {
        int recovered = 0;
        foreach (var record in table.Store.Opens())
        {
            if (!record.IsPersistent) continue;
            string? why = null;
            if (!shares.TryGet(record.ShareName, out var share) || !share.ContinuouslyAvailable)
                why = $"share '{record.ShareName}' is not continuously available any more";
            else if (volumes.GetOrOpen(share.Path, out var volume) != NtStatus.Success || volume is null)
                why = $"share '{record.ShareName}' cannot be opened";
            else
            {
                var status = Reopen(volume, record, out var file);
                if (status == NtStatus.Success)
                {
                    table.AddRecovered(record, share.Name, volume, file!);
                    recovered++;
                    continue;
                }
                why = $"'{record.Path}' cannot be reopened ({status.ToStatusName()})";
            }
            log.Notice($"persistent open {record.PersistentFileId:x} dropped at restart: {why}");
            table.Store.RemoveOpen(record.PersistentFileId);
        }
        if (recovered > 0) log.Notice($"{recovered} persistent open(s) recovered, waiting for their clients to reconnect");
        return recovered;
    }

    /// <summary>The open as it was (access, share mode, file or directory), with its locks; no oplock or lease.</summary>
    private static NtStatus Reopen(IFsaVolume volume, Datapath.State.OpenGlobalRecord record, out FsaOpen? file)
    {
        var request = new FsaOpenRequest(record.Path, (AccessMask)record.GrantedAccess, (FileShareAccess)record.ShareAccess,
            CreateDisposition.Open, (CreateOptions)record.CreateOptions, 0);
        var status = volume.Open(request, out file, out _);
        if (status != NtStatus.Success) return status;
        foreach (var held in record.Locks)
        {
            status = volume.ByteRangeLocks.Lock(file!, new ByteRange(held.Offset, held.Length), held.Exclusive, null, out _);
            if (status == NtStatus.Success) continue;
            volume.Close(file!);
            file = null;
            return status;
        }
        return NtStatus.Success;
    }
}
