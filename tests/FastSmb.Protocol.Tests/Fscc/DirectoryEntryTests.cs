using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Smb2;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Fscc;

public class DirectoryEntryTests
{
    private static byte[] OutputOf(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(QueryDirectoryResponse.TryParse(msg, out var r), Is.True);
        return r.OutputBuffer.ToArray();
    }

    /// <summary>Samba's FileIdBothDirectoryInformation listings: walk the chain, re-add each entry, get the same bytes.</summary>
    [TestCase("smb2-query_directory-response-samba.hex", new[] { ".", "..", "h" })]
    [TestCase("fscc-samba-query_directory-response-root.hex", new[] { ".", "..", "h" })]
    [TestCase("fscc-samba-query_directory-response-root2.hex", new[] { ".", "..", "h", "d" })]
    [TestCase("fscc-samba-query_directory-response-single.hex", new[] { "h4" })]
    public void IdBoth_SambaCapture_Reencode(string capture, string[] names)
    {
        var buf = OutputOf(capture);
        var reader = new EntryChainReader(buf);
        var dest = new byte[buf.Length];
        var writer = new DirectoryEntryWriter(dest, FileInformationClass.FileIdBothDirectoryInformation);
        var seen = new List<string>();
        while (reader.TryNext(out var raw))
        {
            Assert.That(DirectoryEntry.TryParse(raw, FileInformationClass.FileIdBothDirectoryInformation, out var e), Is.True);
            seen.Add(e.FileName);
            if (e.FileName is "." or "..") Assert.That(e.FileAttributes & FileAttribute.Directory, Is.Not.Zero);
            Assert.That(writer.TryAdd(e.ToMetadata(), e.FileName, e.ShortName, e.FileIndex), Is.True);
        }
        Assert.That(reader.IsMalformed, Is.False);
        Assert.That(seen, Is.EqualTo(names));
        Assert.That(writer.Length, Is.EqualTo(buf.Length));
        Assert.That(dest, Is.EqualTo(buf));
    }

    [Test]
    public void IdBoth_SambaCapture_RequestSingleReencodes()
    {
        var msg = Captures.Load("fscc-samba-query_directory-request-single.hex");
        Assert.That(QueryDirectoryRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.FileInformationClass, r.FileName), Is.EqualTo((FileInformationClass.FileIdBothDirectoryInformation, "h4")));
        var body = new byte[128];
        int n = QueryDirectoryRequest.Write(body, r.FileInformationClass, r.Flags, r.FileIndex, r.FileId, r.FileName, r.OutputBufferLength);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
        ParserRobustness.Check(msg, m => QueryDirectoryRequest.TryParse(m, out _));
    }

    [TestCase(FileInformationClass.FileDirectoryInformation, 64)]
    [TestCase(FileInformationClass.FileFullDirectoryInformation, 68)]
    [TestCase(FileInformationClass.FileBothDirectoryInformation, 94)]
    [TestCase(FileInformationClass.FileIdBothDirectoryInformation, 104)]
    [TestCase(FileInformationClass.FileIdFullDirectoryInformation, 80)]
    [TestCase(FileInformationClass.FileNamesInformation, 12)]
    [TestCase(FileInformationClass.FileIdExtdDirectoryInformation, 88)]
    [TestCase(FileInformationClass.FileIdExtdBothDirectoryInformation, 114)]
    public void EveryClass_RoundTripAndFixedSize(FileInformationClass c, int fixedSize)
    {
        Assert.That(DirectoryEntryWriter.IsSupported(c), Is.True);
        Assert.That(DirectoryEntryWriter.FixedSizeOf(c), Is.EqualTo(fixedSize));
        var file = new FileMetadata
        {
            CreationTime = 11, LastAccessTime = 12, LastWriteTime = 13, ChangeTime = 14, EndOfFile = 15, AllocationSize = 4096,
            FileAttributes = FileAttribute.Archive, FileId = 0x0102030405060708, EaSize = 9,
        };
        var dest = new byte[1024];
        dest.AsSpan().Fill(0xCC);
        var w = new DirectoryEntryWriter(dest, c);
        Assert.That(w.TryAdd(file, "first.txt", "FIRST.TXT"), Is.True);
        Assert.That(w.TryAdd(file, "second"), Is.True);
        int first = fixedSize + 18, firstAligned = (first + 7) & ~7;
        Assert.That((w.Count, w.Length), Is.EqualTo((2, firstAligned + fixedSize + 12)));
        Assert.That(BitConverter.ToUInt32(dest, 0), Is.EqualTo((uint)firstAligned));
        Assert.That(dest[first..firstAligned], Is.All.Zero, "padding");

        var reader = new EntryChainReader(dest.AsSpan(0, w.Length));
        Assert.That(reader.TryNext(out var raw), Is.True);
        Assert.That(DirectoryEntry.TryParse(raw, c, out var e), Is.True);
        Assert.That(e.FileName, Is.EqualTo("first.txt"));
        bool names = c == FileInformationClass.FileNamesInformation;
        Assert.That((e.CreationTime, e.ChangeTime, e.EndOfFile, e.AllocationSize, e.FileAttributes),
            Is.EqualTo(names ? (0L, 0L, 0L, 0L, 0u) : (11L, 14L, 15L, 4096L, FileAttribute.Archive)));
        bool hasEa = fixedSize > 64 && !names, hasId = c.ToString().StartsWith("FileId"), hasShort = c.ToString().Contains("Both");
        Assert.That(e.EaSize, Is.EqualTo(hasEa ? 9u : 0u));
        Assert.That(e.FileId, Is.EqualTo(hasId ? 0x0102030405060708UL : 0UL));
        Assert.That(e.ShortName, Is.EqualTo(hasShort ? "FIRST.TXT" : ""));
        Assert.That(reader.TryNext(out raw), Is.True);
        Assert.That(DirectoryEntry.TryParse(raw, c, out e), Is.True);
        Assert.That((e.FileName, e.NextEntryOffset), Is.EqualTo(("second", 0u)));
        Assert.That(reader.TryNext(out _), Is.False);
        Assert.That(reader.IsMalformed, Is.False);
    }

    [Test]
    public void TryAdd_StopsAtBufferBoundary_LeavingChainValid()
    {
        var file = new FileMetadata { FileAttributes = FileAttribute.Archive };
        // Two "ab" entries: 104 + 4 = 108 → 112 + 108 = 220 bytes.
        var dest = new byte[225];
        var w = new DirectoryEntryWriter(dest, FileInformationClass.FileIdBothDirectoryInformation);
        Assert.That(w.TryAdd(file, "ab"), Is.True);
        Assert.That(w.TryAdd(file, "ab"), Is.True);
        Assert.That(w.TryAdd(file, "c"), Is.False);
        Assert.That((w.Count, w.Length), Is.EqualTo((2, 220)));
        Assert.That(BitConverter.ToUInt32(dest, 112), Is.EqualTo(0u), "the last entry that fit ends the chain");
        var one = new DirectoryEntryWriter(new byte[103], FileInformationClass.FileIdBothDirectoryInformation);
        Assert.That(one.TryAdd(file, ""), Is.False);
        Assert.That(one.Length, Is.EqualTo(0));
    }

    [Test]
    public void ReparsePoint_TagInEaFieldExceptExtd()
    {
        var file = new FileMetadata { FileAttributes = FileAttribute.ReparsePoint, ReparseTag = 0xA000000C, EaSize = 5 };
        var dest = new byte[256];
        var w = new DirectoryEntryWriter(dest, FileInformationClass.FileFullDirectoryInformation);
        Assert.That(w.TryAdd(file, "l"), Is.True);
        Assert.That(DirectoryEntry.TryParse(dest, FileInformationClass.FileFullDirectoryInformation, out var e), Is.True);
        Assert.That(e.EaSize, Is.EqualTo(0xA000000Cu));
        Assert.That(e.ToMetadata().ReparseTag, Is.EqualTo(0xA000000Cu));
        w = new DirectoryEntryWriter(dest, FileInformationClass.FileIdExtdDirectoryInformation);
        Assert.That(w.TryAdd(file, "l"), Is.True);
        Assert.That(DirectoryEntry.TryParse(dest, FileInformationClass.FileIdExtdDirectoryInformation, out e), Is.True);
        Assert.That((e.EaSize, e.ReparsePointTag), Is.EqualTo((5u, 0xA000000Cu)));
    }

    [Test]
    public void Unsupported_Class()
    {
        Assert.That(DirectoryEntryWriter.IsSupported(FileInformationClass.FileBasicInformation), Is.False);
        Assert.That(DirectoryEntryWriter.FixedSizeOf(FileInformationClass.FileBasicInformation), Is.EqualTo(-1));
        Assert.That(DirectoryEntry.TryParse(new byte[200], FileInformationClass.FileBasicInformation, out _), Is.False);
    }

    [Test]
    public void Robustness_ChainWalk()
    {
        var buf = OutputOf("fscc-samba-query_directory-response-root2.hex");
        ParserRobustness.Check(buf, b => DirectoryEntry.TryParse(b, FileInformationClass.FileIdBothDirectoryInformation, out _),
            minimumValidLength: 104 + 2);
        ParserRobustness.SurvivesCorruption(buf, b =>
        {
            var r = new EntryChainReader(b);
            int n = 0;
            while (r.TryNext(out var e) && n++ < 1000)
                DirectoryEntry.TryParse(e, FileInformationClass.FileIdBothDirectoryInformation, out _);
            return !r.IsMalformed;
        });
        var zero = new EntryChainReader(new byte[3]);
        Assert.That(zero.TryNext(out _), Is.False);
        Assert.That(zero.IsMalformed, Is.True);
    }
}
