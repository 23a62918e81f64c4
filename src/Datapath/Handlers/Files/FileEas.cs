using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// FileFullEaInformation for QUERY_INFO and SET_INFO, and the CREATE ExtA context: the [MS-FSCC] 2.4.15 chains to and
/// from the FSA's EAs, with the query rules of [MS-FSA] 2.1.5.12.1 (a list of names, or an enumeration that resumes at
/// Open.NextEaIndex). Stateless.
/// </summary>
internal static class FileEas
{
    public static NtStatus Query(FsaOpen file, ReadOnlySpan<byte> input, uint flags, Span<byte> dest, out int written)
    {
        written = 0;
        var status = file.Volume.QueryEas(file, out var eas);
        if (status != NtStatus.Success) return status;
        if (eas.Count == 0) return NtStatus.NoEasOnFile;
        var writer = new FullEaInformationWriter(dest);
        bool single = (flags & QueryInfoRequest.FlagReturnSingleEntry) != 0;
        if (!input.IsEmpty)
        {
            // The EAs named, in the order named; a name the file lacks comes back with an empty value.
            if (!GetEaInformation.TryParse(input, out var names)) return NtStatus.EaListInconsistent;
            foreach (var name in names)
            {
                bool has = Find(eas, name, out var stored);
                if (!writer.TryAdd(has ? stored.Name : name, has ? stored.Value : []))
                    return Finish(ref writer, out written, NtStatus.BufferOverflow);
                if (single) break;
            }
            return Finish(ref writer, out written, NtStatus.Success);
        }
        if ((flags & QueryInfoRequest.FlagRestartScan) != 0) file.NextEaIndex = 0;
        if (file.NextEaIndex >= eas.Count) return NtStatus.NoMoreEas;
        while (file.NextEaIndex < eas.Count)
        {
            var ea = eas[file.NextEaIndex];
            if (!writer.TryAdd(ea.Name, ea.Value)) return Finish(ref writer, out written, NtStatus.BufferOverflow);
            file.NextEaIndex++;
            if (single) break;
        }
        return Finish(ref writer, out written, NtStatus.Success);
    }

    /// <summary>Nothing fitted: STATUS_BUFFER_TOO_SMALL; some did: the data with <paramref name="status"/>.</summary>
    private static NtStatus Finish(ref FullEaInformationWriter writer, out int written, NtStatus status)
    {
        written = writer.Length;
        return writer.Count == 0 ? NtStatus.BufferTooSmall : status;
    }

    private static bool Find(IReadOnlyList<FsaEa> eas, string name, out FsaEa found)
    {
        foreach (var ea in eas)
        {
            if (string.Equals(ea.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found = ea;
                return true;
            }
        }
        found = default;
        return false;
    }

    /// <summary>The EAs of a SET_INFO buffer or an ExtA context; STATUS_EA_LIST_INCONSISTENT if malformed.</summary>
    public static NtStatus Parse(ReadOnlySpan<byte> buffer, out List<FsaEa> eas)
    {
        eas = [];
        if (!FullEaInformation.TryParse(buffer, out var entries)) return NtStatus.EaListInconsistent;
        foreach (var e in entries) eas.Add(new FsaEa(e.Name, e.Value));
        return NtStatus.Success;
    }

    public static NtStatus Set(FsaOpen file, ReadOnlySpan<byte> buffer)
    {
        var status = Parse(buffer, out var eas);
        return status != NtStatus.Success ? status : file.Volume.SetEas(file, eas);
    }
}
