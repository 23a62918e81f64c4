using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>A <see cref="PosixVolume"/> over a fresh temporary directory (the share root), inside a parent
/// directory that tests use as "outside the share". Owned by one test.</summary>
internal sealed class FsaTestVolume : IDisposable
{
    public FsaTestVolume(bool useOpenat2 = true)
    {
        Outside = Directory.CreateTempSubdirectory("fastsmb-fsa-").FullName;
        Root = Path.Combine(Outside, "root");
        Directory.CreateDirectory(Root);
        Assert.That(PosixVolume.TryOpen(Root, out var volume, useOpenat2), Is.EqualTo(NtStatus.Success));
        Volume = volume!;
    }

    public string Outside { get; }
    public string Root { get; }
    public PosixVolume Volume { get; }

    public const FileShareAccess ShareAll = FileShareAccess.All;
    public const AccessMask ReadWrite = AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes;

    public NtStatus Open(string path, AccessMask access, CreateDisposition disposition, out FsaOpen? open,
        out CreateAction action, FileShareAccess share = ShareAll, CreateOptions options = CreateOptions.None)
        => Volume.Open(new FsaOpenRequest(path, access, share, disposition, options, FileAttributeFlags.Normal), out open, out action);

    public FsaOpen OpenOk(string path, AccessMask access = ReadWrite, CreateDisposition disposition = CreateDisposition.OpenIf,
        FileShareAccess share = ShareAll, CreateOptions options = CreateOptions.None)
    {
        var status = Open(path, access, disposition, out var open, out _, share, options);
        Assert.That(status, Is.EqualTo(NtStatus.Success), $"open {path}");
        return open!;
    }

    public string OnDisk(string relative) => Path.Combine(Root, relative.Replace('\\', '/'));

    public void Dispose()
    {
        Volume.Dispose();
        try { Directory.Delete(Outside, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
