using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// The [in, out] XXX_ENUM_STRUCT every srvsvc enumeration carries ([MS-SRVS] 2.2.4.2 CONNECT_ENUM_STRUCT,
/// 2.2.4.7 FILE_ENUM_STRUCT, 2.2.4.21 SESSION_ENUM_STRUCT, 2.2.4.38 SHARE_ENUM_STRUCT, 2.2.4.96
/// SERVER_XPORT_ENUM_STRUCT …): Level, then a non-encapsulated union switched on it whose arms are unique
/// pointers to an XXX_INFO_n_CONTAINER { EntriesRead; [size_is(EntriesRead)] XXX_INFO_n* Buffer }.
/// A level that is no arm of the union marshals as the empty default arm, which is how Samba's IDL declares
/// these unions; a level that is an arm but not served gets a NULL container.
/// </summary>
internal static class EnumStruct
{
    /// <summary>
    /// Reads the request's InfoStruct. [MS-SRVS] 3.1.4: the server ignores what the container holds, and clients
    /// send Buffer NULL. A non-NULL Buffer cannot be skipped without the element type, so it is bad stub data.
    /// </summary>
    public static bool TryReadEmpty(ref NdrReader r, Func<uint, bool> isArm, out uint level)
    {
        if (!r.TryReadUInt32(out level) || !r.TryReadUInt32(out uint discriminant) || discriminant != level) return false;
        if (!isArm(level)) return true;
        if (!r.TryReadPointer(out uint containerPtr)) return false;
        if (containerPtr == 0) return true;
        // The container is the referent of a top-level [in, out] parameter's embedded pointer: it follows at once.
        return r.TryReadUInt32(out _) && r.TryReadPointer(out uint bufferPtr) && bufferPtr == 0;
    }

    /// <summary>
    /// Reads what follows the InfoStruct in every enumeration: PreferedMaximumLength and the [in, out, unique]
    /// ResumeHandle. <paramref name="resumePtr"/> is 0 when the client sent none (then none goes back).
    /// </summary>
    public static bool TryReadTail(ref NdrReader r, out uint preferredMaximumLength, out uint resumePtr, out uint resume)
    {
        resume = 0;
        resumePtr = 0;
        if (!r.TryReadUInt32(out preferredMaximumLength) || !r.TryReadPointer(out resumePtr)) return false;
        return resumePtr == 0 || r.TryReadUInt32(out resume);
    }

    /// <summary>
    /// Writes the [out] InfoStruct: <paramref name="count"/> entries written by <paramref name="writeEntries"/>
    /// (each entry's flat part; its embedded referents go on the writer's queue), or a NULL container when
    /// <paramref name="served"/> is false.
    /// </summary>
    public static void Write(NdrWriter w, uint level, bool isArm, bool served, int count, Action<NdrWriter>? writeEntries)
    {
        w.WriteUInt32(level);
        w.WriteUnionDiscriminant(level);
        if (!isArm) return;
        w.WriteUniquePointer(!served, c =>
        {
            c.WriteUInt32((uint)count);
            c.WriteUniquePointer(count == 0, a =>
            {
                a.WriteConformance((uint)count);
                writeEntries?.Invoke(a);
            });
        });
        w.FlushDeferred();
    }

    /// <summary>TotalEntries, the ResumeHandle if the client sent one, and the status.</summary>
    public static void WriteTail(NdrWriter w, uint totalEntries, uint resumePtr, uint resume, uint status)
    {
        w.WriteUInt32(totalEntries);
        if (w.WritePointer(resumePtr == 0) != 0) w.WriteUInt32(resume);
        w.WriteUInt32(status);
    }
}
