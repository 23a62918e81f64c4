using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Smb2;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Fscc;

/// <summary>Query classes against Samba's QUERY_INFO answers (Captures/fscc-samba-*): parse → write → same bytes.</summary>
public class FileInformationTests
{
    internal static byte[] OutputOf(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(QueryInfoResponse.TryParse(msg, out var r), Is.True);
        return r.OutputBuffer.ToArray();
    }

    [Test]
    public void FileAll_SambaCapture_FieldsAndReencode()
    {
        var buf = OutputOf("fscc-samba-query_info-response-file_all.hex");
        Assert.That(buf.Length, Is.EqualTo(104));
        Assert.That(FileAllInformation.TryParse(buf, out var all), Is.True);
        var basic = all.Basic;
        var std = all.Standard;
        Assert.That((basic.FileAttributes, std.EndOfFile, std.NumberOfLinks, std.DeletePending, std.Directory),
            Is.EqualTo((FileAttribute.Archive, 3L, 1u, false, false)));
        Assert.That((all.EaSize, all.AccessFlags, all.CurrentByteOffset, all.Mode, all.AlignmentRequirement, all.FileName),
            Is.EqualTo((0u, 0x80u, 0L, FileModeInformation.SynchronousIoNonAlert, 0u, "\\h")));

        var file = new FileMetadata
        {
            CreationTime = basic.CreationTime, LastAccessTime = basic.LastAccessTime, LastWriteTime = basic.LastWriteTime,
            ChangeTime = basic.ChangeTime, FileAttributes = basic.FileAttributes, AllocationSize = std.AllocationSize,
            EndOfFile = std.EndOfFile, NumberOfLinks = std.NumberOfLinks, FileId = all.IndexNumber, EaSize = all.EaSize,
        };
        var open = new OpenHandleState { AccessFlags = all.AccessFlags, Mode = all.Mode };
        var dest = new byte[256];
        Assert.That(FileInformationWriter.Write(FileInformationClass.FileAllInformation, dest, file, open, all.FileName, out int n),
            Is.EqualTo(NtStatus.Success));
        Assert.That(dest[..n], Is.EqualTo(buf));

        // The component classes are slices of the same bytes.
        AssertClass(FileInformationClass.FileBasicInformation, file, open, buf[..40]);
        AssertClass(FileInformationClass.FileStandardInformation, file, open, buf[40..64]);
        AssertClass(FileInformationClass.FileInternalInformation, file, open, buf[64..72]);
        AssertClass(FileInformationClass.FileEaInformation, file, open, buf[72..76]);
        AssertClass(FileInformationClass.FileAccessInformation, file, open, buf[76..80]);
        AssertClass(FileInformationClass.FilePositionInformation, file, open, buf[80..88]);
        AssertClass(FileInformationClass.FileModeInformation, file, open, buf[88..92]);
        AssertClass(FileInformationClass.FileAlignmentInformation, file, open, buf[92..96]);
        AssertClass(FileInformationClass.FileNameInformation, file, open, buf[96..], "\\h");
    }

    private static void AssertClass(FileInformationClass c, in FileMetadata file, in OpenHandleState open, byte[] expected, string name = "")
    {
        var dest = new byte[256];
        Assert.That(FileInformationWriter.Write(c, dest, file, open, name, out int n), Is.EqualTo(NtStatus.Success), c.ToString());
        Assert.That(dest[..n], Is.EqualTo(expected), c.ToString());
    }

    [Test]
    public void FileAlternateName_SambaCapture_Reencode()
    {
        var buf = OutputOf("fscc-samba-query_info-response-file_alternate_name.hex");
        Assert.That(FileNameInformation.TryParse(buf, out var v), Is.True);
        Assert.That(v.FileName, Is.EqualTo("h"));
        var dest = new byte[64];
        Assert.That(FileNameInformation.Write(dest, v.FileName), Is.EqualTo(buf.Length));
        Assert.That(dest[..buf.Length], Is.EqualTo(buf));
    }

    [Test]
    public void FileStream_SambaCapture_Reencode()
    {
        var buf = OutputOf("fscc-samba-query_info-response-file_stream.hex");
        var reader = new EntryChainReader(buf);
        var dest = new byte[256];
        var writer = new FileStreamInformationWriter(dest);
        int count = 0;
        while (reader.TryNext(out var entry))
        {
            Assert.That(FileStreamInformation.TryParse(entry, out var s), Is.True);
            Assert.That((s.StreamName, s.StreamSize), Is.EqualTo(("::$DATA", 3L)));
            Assert.That(writer.TryAdd(s.StreamName, s.StreamSize, s.StreamAllocationSize), Is.True);
            count++;
        }
        Assert.That((count, reader.IsMalformed), Is.EqualTo((1, false)));
        Assert.That(dest[..writer.Length], Is.EqualTo(buf));
    }

    [Test]
    public void FileStream_TwoStreams_ChainedAndAligned()
    {
        var dest = new byte[256];
        dest.AsSpan().Fill(0xCC);
        var writer = new FileStreamInformationWriter(dest);
        Assert.That(writer.TryAdd("::$DATA", 10, 4096), Is.True);       // 24 + 14 = 38 → next at 40
        Assert.That(writer.TryAdd(":x:$DATA", 1, 4096), Is.True);
        Assert.That((writer.Count, writer.Length), Is.EqualTo((2, 40 + 24 + 16)));
        Assert.That(BitConverter.ToUInt32(dest, 0), Is.EqualTo(40u));
        Assert.That(dest[38..40], Is.EqualTo(new byte[2]), "alignment padding is zeroed");
        Assert.That(BitConverter.ToUInt32(dest, 40), Is.EqualTo(0u));
        var small = new FileStreamInformationWriter(new byte[30]);
        Assert.That(small.TryAdd("::$DATA", 10, 4096), Is.False);
        Assert.That(small.Length, Is.EqualTo(0));
    }

    [Test]
    public void Writer_Statuses_LengthMismatchOverflowAndUnsupported()
    {
        var file = new FileMetadata { EndOfFile = 5 };
        Assert.That(FileInformationWriter.Write(FileInformationClass.FileBasicInformation, new byte[39], file, default, "", out int n),
            Is.EqualTo(NtStatus.InfoLengthMismatch));
        Assert.That(n, Is.EqualTo(0));
        Assert.That(FileInformationWriter.Write(FileInformationClass.FileAllInformation, new byte[99], file, default, "x", out _),
            Is.EqualTo(NtStatus.InfoLengthMismatch));

        var dest = new byte[104];
        Assert.That(FileInformationWriter.Write(FileInformationClass.FileAllInformation, dest, file, default, "\\dir\\file", out n),
            Is.EqualTo(NtStatus.BufferOverflow));
        Assert.That(n, Is.EqualTo(104));
        Assert.That(BitConverter.ToUInt32(dest, 96), Is.EqualTo(18u), "FileNameLength keeps the whole length");
        Assert.That(System.Text.Encoding.Unicode.GetString(dest, 100, 4), Is.EqualTo("\\d"));

        Assert.That(FileInformationWriter.Write(FileInformationClass.FileStreamInformation, dest, file, default, "", out _),
            Is.EqualTo(NtStatus.InvalidInfoClass));
        Assert.That(FileInformationWriter.IsSupported(FileInformationClass.FileNetworkOpenInformation), Is.True);
        Assert.That(FileInformationWriter.IsSupported(FileInformationClass.FileFullEaInformation), Is.False);
    }

    [Test]
    public void NetworkOpen_AttributeTag_Compression_RoundTrip()
    {
        var file = new FileMetadata
        {
            CreationTime = 1, LastAccessTime = 2, LastWriteTime = 3, ChangeTime = 4, AllocationSize = 4096, EndOfFile = 10,
            IsDirectory = true, FileAttributes = FileAttribute.ReparsePoint, ReparseTag = 0xA000000C,
        };
        var dest = new byte[64];
        Assert.That(FileNetworkOpenInformation.Write(dest, file), Is.EqualTo(56));
        Assert.That(FileNetworkOpenInformation.TryParse(dest, out var no), Is.True);
        Assert.That((no.CreationTime, no.LastAccessTime, no.LastWriteTime, no.ChangeTime, no.AllocationSize, no.EndOfFile, no.FileAttributes),
            Is.EqualTo((1L, 2L, 3L, 4L, 4096L, 10L, FileAttribute.ReparsePoint | FileAttribute.Directory)));

        Assert.That(FileAttributeTagInformation.Write(dest, file), Is.EqualTo(8));
        Assert.That(FileAttributeTagInformation.TryParse(dest, out var at), Is.True);
        Assert.That((at.FileAttributes, at.ReparseTag), Is.EqualTo((0x410u, 0xA000000Cu)));
        Assert.That(FileAttributeTagInformation.Write(dest, FileAttribute.Archive, 0xA000000C), Is.EqualTo(8));
        Assert.That(FileAttributeTagInformation.TryParse(dest, out at) && at.ReparseTag == 0, Is.True, "no tag without the attribute");

        Assert.That(FileCompressionInformation.Write(dest, 10), Is.EqualTo(16));
        Assert.That(FileCompressionInformation.TryParse(dest, out var ci), Is.True);
        Assert.That((ci.CompressedFileSize, ci.CompressionFormat, ci.ChunkShift), Is.EqualTo((10L, FileCompressionInformation.FormatNone, (byte)0)));
    }

    [Test]
    public void WireAttributes_NormalAloneAndDirectoryAdded()
    {
        Assert.That(new FileMetadata().WireAttributes, Is.EqualTo(FileAttribute.Normal));
        Assert.That(new FileMetadata { IsDirectory = true }.WireAttributes, Is.EqualTo(FileAttribute.Directory));
        Assert.That(new FileMetadata { FileAttributes = FileAttribute.Normal | FileAttribute.Hidden }.WireAttributes, Is.EqualTo(FileAttribute.Hidden));
    }

    [Test]
    public void Writers_TooSmall_ReturnMinusOne()
    {
        var f = new FileMetadata();
        Assert.That(FileBasicInformation.Write(new byte[39], f), Is.EqualTo(-1));
        Assert.That(FileStandardInformation.Write(new byte[23], f), Is.EqualTo(-1));
        Assert.That(FileInternalInformation.Write(new byte[7], f), Is.EqualTo(-1));
        Assert.That(FileEaInformation.Write(new byte[3], f), Is.EqualTo(-1));
        Assert.That(FileNetworkOpenInformation.Write(new byte[55], f), Is.EqualTo(-1));
        Assert.That(FileAttributeTagInformation.Write(new byte[7], f), Is.EqualTo(-1));
        Assert.That(FileCompressionInformation.Write(new byte[15], 0), Is.EqualTo(-1));
        Assert.That(FileNameInformation.Write(new byte[5], "abc"), Is.EqualTo(-1));
    }

    [Test]
    public void Robustness_Views()
    {
        var all = OutputOf("fscc-samba-query_info-response-file_all.hex");
        ParserRobustness.Check(all, b => FileAllInformation.TryParse(b, out _));
        ParserRobustness.Check(all[..40], b => FileBasicInformation.TryParse(b, out _));
        ParserRobustness.Check(all[40..64], b => FileStandardInformation.TryParse(b, out _));
        ParserRobustness.Check(all[96..], b => FileNameInformation.TryParse(b, out _));
        var stream = OutputOf("fscc-samba-query_info-response-file_stream.hex");
        ParserRobustness.Check(stream, b => FileStreamInformation.TryParse(b, out _));
        ParserRobustness.SurvivesCorruption(stream, b =>
        {
            var r = new EntryChainReader(b);
            while (r.TryNext(out var e)) FileStreamInformation.TryParse(e, out _);
            return !r.IsMalformed;
        });
    }

    [TestCase("fscc-samba-query_info-request-file_all.hex", Smb2InfoType.File, (byte)FileInformationClass.FileAllInformation)]
    [TestCase("fscc-samba-query_info-request-file_alternate_name.hex", Smb2InfoType.File, (byte)FileInformationClass.FileAlternateNameInformation)]
    [TestCase("fscc-samba-query_info-request-file_stream.hex", Smb2InfoType.File, (byte)FileInformationClass.FileStreamInformation)]
    [TestCase("fscc-samba-query_info-request-fs_size.hex", Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsSizeInformation)]
    [TestCase("fscc-samba-query_info-request-fs_volume.hex", Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsVolumeInformation)]
    public void QueryInfoRequest_SmbclientCaptures_Reencode(string capture, Smb2InfoType type, byte cls)
    {
        var msg = Captures.Load(capture);
        Assert.That(QueryInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.InfoType, r.FileInfoClass), Is.EqualTo((type, cls)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
        var body = new byte[128];
        int n = QueryInfoRequest.Write(body, r.InfoType, r.FileInfoClass, r.OutputBufferLength, r.AdditionalInformation, r.Flags, r.FileId);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
        ParserRobustness.Check(msg, m => QueryInfoRequest.TryParse(m, out _), minimumValidLength: 64 + 40);
    }
}
