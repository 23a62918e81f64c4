using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Fscc;

/// <summary>SET_INFO inputs against smbclient's SET_INFO requests (Captures/fscc-samba-set_info-*).</summary>
public class SetInformationTests
{
    private static (byte[] Message, byte[] Buffer) Load(string capture, FileInformationClass expected)
    {
        var msg = Captures.Load(capture);
        Assert.That(SetInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.InfoType, (FileInformationClass)r.FileInfoClass), Is.EqualTo((Smb2InfoType.File, expected)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
        var body = new byte[256];
        int n = SetInfoRequest.Write(body, r.InfoType, r.FileInfoClass, r.AdditionalInformation, r.FileId, r.Buffer);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()), "SET_INFO request re-encodes");
        return (msg, r.Buffer.ToArray());
    }

    [Test]
    public void Basic_SmbclientSetmode_FieldsAndReencode()
    {
        // smbclient 4.17 `setmode h +r`: creation, access and change -1, write time 0, attributes READONLY|ARCHIVE.
        var (msg, buf) = Load("fscc-samba-set_info-request-file_basic.hex", FileInformationClass.FileBasicInformation);
        Assert.That(FileBasicInformation.TryParse(buf, out var b), Is.True);
        Assert.That((b.CreationTime, b.LastAccessTime, b.LastWriteTime, b.ChangeTime, b.FileAttributes),
            Is.EqualTo((FileBasicInformation.TimeSuspendUpdates, FileBasicInformation.TimeSuspendUpdates, FileBasicInformation.TimeUnchanged,
                FileBasicInformation.TimeSuspendUpdates, FileAttribute.ReadOnly | FileAttribute.Archive)));
        var dest = new byte[40];
        Assert.That(FileBasicInformation.Write(dest, b.CreationTime, b.LastAccessTime, b.LastWriteTime, b.ChangeTime, b.FileAttributes), Is.EqualTo(40));
        Assert.That(dest, Is.EqualTo(buf));
        ParserRobustness.Check(buf, x => FileBasicInformation.TryParse(x, out _));
        ParserRobustness.Check(msg, m => SetInfoRequest.TryParse(m, out _));
    }

    [Test]
    public void Rename_SmbclientRename_FieldsAndReencode()
    {
        var (_, buf) = Load("fscc-samba-set_info-request-file_rename.hex", FileInformationClass.FileRenameInformation);
        Assert.That(FileRenameInformation.TryParse(buf, out var v), Is.True);
        Assert.That((v.ReplaceIfExists, v.RootDirectory, v.FileName), Is.EqualTo((false, 0UL, "h4")));
        var dest = new byte[64];
        int n = FileRenameInformation.Write(dest, v.ReplaceIfExists, v.FileName);
        Assert.That(dest[..n], Is.EqualTo(buf));
        ParserRobustness.Check(buf, x => FileRenameInformation.TryParse(x, out _));
    }

    [Test]
    public void Link_SmbclientHardlink_FieldsAndReencode()
    {
        var (_, buf) = Load("fscc-samba-set_info-request-file_link.hex", FileInformationClass.FileLinkInformation);
        Assert.That(FileLinkInformation.TryParse(buf, out var v), Is.True);
        Assert.That((v.ReplaceIfExists, v.RootDirectory, v.FileName), Is.EqualTo((false, 0UL, "\\h3")));
        var dest = new byte[64];
        int n = FileLinkInformation.Write(dest, v.ReplaceIfExists, v.FileName);
        Assert.That(dest[..n], Is.EqualTo(buf));
        ParserRobustness.Check(buf, x => FileLinkInformation.TryParse(x, out _));
    }

    [Test]
    public void Rename_NameLengthPastBuffer_Rejected()
    {
        var dest = new byte[64];
        int n = FileRenameInformation.Write(dest, true, "new");
        Assert.That(FileRenameInformation.TryParse(dest.AsSpan(0, n - 1), out _), Is.False);
        Assert.That(FileRenameInformation.TryParse(dest.AsSpan(0, n), out var v) && v.ReplaceIfExists && v.FileName == "new", Is.True);
        Assert.That(FileRenameInformation.Write(new byte[25], false, "new"), Is.EqualTo(-1));
    }

    [Test]
    public void SmallInputs_RoundTrip()
    {
        var d = new byte[8];
        Assert.That(FileDispositionInformation.Write(d, true), Is.EqualTo(1));
        Assert.That(FileDispositionInformation.TryParse(d.AsSpan(0, 1), out var disp) && disp.DeletePending, Is.True);
        Assert.That(FileDispositionInformation.TryParse(default, out _), Is.False);

        const uint flags = FileDispositionInformationEx.Delete | FileDispositionInformationEx.PosixSemantics;
        Assert.That(FileDispositionInformationEx.Write(d, flags), Is.EqualTo(4));
        Assert.That(FileDispositionInformationEx.TryParse(d.AsSpan(0, 4), out var dx) && dx.Flags == flags, Is.True);
        Assert.That(FileDispositionInformationEx.TryParse(d.AsSpan(0, 3), out _), Is.False);

        Assert.That(FileEndOfFileInformation.Write(d, 123456789012), Is.EqualTo(8));
        Assert.That(FileEndOfFileInformation.TryParse(d, out var eof) && eof.EndOfFile == 123456789012, Is.True);
        Assert.That(FileAllocationInformation.Write(d, 1 << 20), Is.EqualTo(8));
        Assert.That(FileAllocationInformation.TryParse(d, out var alloc) && alloc.AllocationSize == 1 << 20, Is.True);
        Assert.That(FilePositionInformation.Write(d, 77), Is.EqualTo(8));
        Assert.That(FilePositionInformation.TryParse(d, out var pos) && pos.CurrentByteOffset == 77, Is.True);
        Assert.That(FileModeInformation.Write(d, FileModeInformation.WriteThrough), Is.EqualTo(4));
        Assert.That(FileModeInformation.TryParse(d, out var mode) && mode.Mode == FileModeInformation.WriteThrough, Is.True);
        Assert.That(FileEndOfFileInformation.TryParse(d.AsSpan(0, 7), out _), Is.False);
        Assert.That(FileAllocationInformation.Write(d.AsSpan(0, 7), 1), Is.EqualTo(-1));
    }
}
