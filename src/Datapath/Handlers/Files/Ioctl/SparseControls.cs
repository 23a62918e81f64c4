using System.Buffers;
using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;

namespace FastSmb.Datapath.Handlers.Files.Ioctl;

/// <summary>
/// Sparse files: [MS-FSA] 2.1.5.10.36 FSCTL_SET_SPARSE, 2.1.5.10.39 FSCTL_SET_ZERO_DATA and 2.1.5.10.22
/// FSCTL_QUERY_ALLOCATED_RANGES, decoded here and carried out by the volume's <see cref="IFsaFileControl"/>. Stateless.
/// </summary>
internal static class SparseControls
{
    /// <summary>How many ranges one call into the FSA gathers; a larger answer takes more calls.</summary>
    private const int RangeBatch = 512;

    public static NtStatus SetSparse(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (FileIoctlHandler.Controls(file) is not { } controls) return NtStatus.InvalidDeviceRequest;
        var status = controls.SetSparse(file, FileSetSparseBuffer.SetSparse(ioctl.Input));
        return status == NtStatus.Success ? FileIoctlHandler.Done(ioctl, response) : status;
    }

    public static NtStatus SetZeroData(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (!FileZeroDataInformation.TryParse(ioctl.Input, out var zero)) return NtStatus.InvalidParameter;
        if (FileIoctlHandler.Controls(file) is not { } controls) return NtStatus.InvalidDeviceRequest;
        var status = controls.ZeroData(file, zero.FileOffset, zero.BeyondFinalZero);
        return status == NtStatus.Success ? FileIoctlHandler.Done(ioctl, response) : status;
    }

    /// <summary>
    /// As many FILE_ALLOCATED_RANGE_BUFFERs as MaxOutputResponse holds: none fitting while there is one to give is
    /// STATUS_BUFFER_TOO_SMALL; some but not all, STATUS_BUFFER_OVERFLOW with those ([MS-FSA] 2.1.5.10.22).
    /// </summary>
    public static NtStatus QueryAllocatedRanges(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (!FileAllocatedRangeBuffer.TryParse(ioctl.Input, out var query)) return NtStatus.InvalidParameter;
        if (FileIoctlHandler.Controls(file) is not { } controls) return NtStatus.InvalidDeviceRequest;
        int capacity = (int)(ioctl.MaxOutputResponse / FileAllocatedRangeBuffer.Size);
        var body = response.GetBodySpan(IoctlResponse.FixedSize + capacity * FileAllocatedRangeBuffer.Size);
        var output = body[IoctlResponse.FixedSize..];
        var ranges = ArrayPool<FsaRange>.Shared.Rent(Math.Clamp(capacity, 1, RangeBatch));
        try
        {
            long offset = query.FileOffset, end = query.FileOffset + query.Length;
            int written = 0;
            bool overflow = false;
            while (true)
            {
                // Ask for one more than still fits, to learn whether the answer is complete.
                int want = Math.Min(ranges.Length, capacity - written + 1);
                var status = controls.QueryAllocatedRanges(file, offset, query.FileOffset > end ? -1 : end - offset,
                    ranges.AsSpan(0, want), out int count, out bool truncated);
                if (status != NtStatus.Success) return status;
                int fit = Math.Min(count, capacity - written);
                for (int i = 0; i < fit; i++)
                {
                    new FileAllocatedRangeBuffer(ranges[i].Offset, ranges[i].Length)
                        .Write(output[(written * FileAllocatedRangeBuffer.Size)..]);
                    written++;
                }
                if (fit < count || (truncated && written == capacity))
                {
                    overflow = true;
                    break;
                }
                if (!truncated) break;
                offset = ranges[count - 1].Offset + ranges[count - 1].Length;
            }
            if (overflow && written == 0) return NtStatus.BufferTooSmall;
            int length = written * FileAllocatedRangeBuffer.Size;
            IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, (uint)length);
            response.Advance(IoctlResponse.FixedSize + length);
            return overflow ? NtStatus.BufferOverflow : NtStatus.Success;
        }
        finally
        {
            ArrayPool<FsaRange>.Shared.Return(ranges);
        }
    }
}
