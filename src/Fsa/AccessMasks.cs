namespace FastSmb.Fsa;

/// <summary>Generic rights to file rights ([MS-SMB2] 2.2.13.1.1 and the file object's GENERIC_MAPPING).</summary>
public static class AccessMasks
{
    private const AccessMask FileGenericRead = AccessMask.ReadData | AccessMask.ReadEa | AccessMask.ReadAttributes
        | AccessMask.ReadControl | AccessMask.Synchronize;
    private const AccessMask FileGenericWrite = AccessMask.WriteData | AccessMask.AppendData | AccessMask.WriteEa
        | AccessMask.WriteAttributes | AccessMask.ReadControl | AccessMask.Synchronize;
    private const AccessMask FileGenericExecute = AccessMask.Execute | AccessMask.ReadAttributes | AccessMask.ReadControl
        | AccessMask.Synchronize;

    /// <summary>The rights that share modes arbitrate ([MS-FSA] 2.1.5.1.2.1).</summary>
    public const AccessMask DataAccess = AccessMask.ReadData | AccessMask.WriteData | AccessMask.AppendData
        | AccessMask.Execute | AccessMask.Delete;

    /// <summary>Replaces GENERIC_* bits by the file rights they stand for; MAXIMUM_ALLOWED is left for the caller.</summary>
    public static AccessMask MapGeneric(AccessMask desired)
    {
        var mapped = desired & ~(AccessMask.GenericAll | AccessMask.GenericRead | AccessMask.GenericWrite
            | AccessMask.GenericExecute);
        if ((desired & AccessMask.GenericRead) != 0) mapped |= FileGenericRead;
        if ((desired & AccessMask.GenericWrite) != 0) mapped |= FileGenericWrite;
        if ((desired & AccessMask.GenericExecute) != 0) mapped |= FileGenericExecute;
        if ((desired & AccessMask.GenericAll) != 0) mapped |= AccessMask.FileAllAccess;
        return mapped;
    }
}
