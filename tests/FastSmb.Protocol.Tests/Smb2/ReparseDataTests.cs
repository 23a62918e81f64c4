using FastSmb.Protocol.Smb2.Fsctl;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class ReparseDataTests
{
    // A relative symlink "sub\target" laid out field by field from [MS-FSCC] 2.1.2.4 (no capture: Samba 4.17 has no
    // reparse points to answer with), the print name first in PathBuffer as Windows' mklink writes it.
    private static readonly byte[] RelativeLink = Convert.FromHexString(
        "0C0000A0" + "3400" + "0000" // ReparseTag IO_REPARSE_TAG_SYMLINK, ReparseDataLength 52, Reserved
        + "1400" + "1400" + "0000" + "1400" // SubstituteNameOffset 20, SubstituteNameLength 20, PrintNameOffset 0, PrintNameLength 20
        + "01000000" // Flags SYMLINK_FLAG_RELATIVE
        + "7300750062005C00740061007200670065007400" // "sub\target" (print name)
        + "7300750062005C00740061007200670065007400"); // "sub\target" (substitute name)

    [Test]
    public void TryParse_HandBuiltRelativeLink_ReadsNamesAndFlags()
    {
        Assert.That(SymlinkReparseBuffer.TryParse(RelativeLink, out var substitute, out var print, out uint flags), Is.True);
        Assert.That(substitute, Is.EqualTo(@"sub\target"));
        Assert.That(print, Is.EqualTo(@"sub\target"));
        Assert.That(flags, Is.EqualTo(SymlinkReparseBuffer.FlagRelative));
    }

    [Test]
    public void TryWrite_SameNames_GivesTheSpecLayoutByteForByte()
    {
        var buffer = new byte[SymlinkReparseBuffer.SizeOf(@"sub\target", @"sub\target")];
        Assert.That(SymlinkReparseBuffer.TryWrite(buffer, @"sub\target", @"sub\target", SymlinkReparseBuffer.FlagRelative, out int written), Is.True);
        Assert.That(written, Is.EqualTo(RelativeLink.Length));
        Assert.That(buffer, Is.EqualTo(RelativeLink));
    }

    [TestCase(@"\??\C:\data\x", @"C:\data\x", 0u)]
    [TestCase(@"..\up", @"..\up", SymlinkReparseBuffer.FlagRelative)]
    [TestCase("", "", SymlinkReparseBuffer.FlagRelative)]
    public void TryWrite_ThenTryParse_RoundTrips(string substitute, string print, uint flags)
    {
        var buffer = new byte[SymlinkReparseBuffer.SizeOf(substitute, print)];
        Assert.That(SymlinkReparseBuffer.TryWrite(buffer, substitute, print, flags, out _), Is.True);
        Assert.That(SymlinkReparseBuffer.TryParse(buffer, out var s, out var p, out uint f), Is.True);
        Assert.That((s, p, f), Is.EqualTo((substitute, print, flags)));
        Assert.That(ReparseDataBuffer.TryParse(buffer, out var header), Is.True);
        Assert.That(header.Data.Length, Is.EqualTo(buffer.Length - ReparseDataBuffer.HeaderSize));
    }

    [Test]
    public void TryWrite_DestinationTooSmallOrNameTooLong_Refused()
    {
        Assert.That(SymlinkReparseBuffer.TryWrite(new byte[10], "a", "a", 0, out _), Is.False);
        var longName = new string('x', 40000);
        Assert.That(SymlinkReparseBuffer.TryWrite(new byte[200000], longName, longName, 0, out _), Is.False);
    }

    [Test]
    public void TryParse_TruncatedLink_RejectedAtEveryPrefix() =>
        ParserRobustness.Check(RelativeLink, b => SymlinkReparseBuffer.TryParse(b, out _, out _, out _));

    [Test]
    public void ReparseDataBuffer_TruncatedOrCorrupted_Rejected() =>
        ParserRobustness.Check(RelativeLink, b => ReparseDataBuffer.TryParse(b, out _));

    [TestCase(8, 0xFF, 0x00)] // SubstituteNameOffset past PathBuffer
    [TestCase(10, 0x15, 0x00)] // odd SubstituteNameLength
    [TestCase(14, 0x40, 0x00)] // PrintNameLength past PathBuffer
    [TestCase(0, 0x03, 0x00)] // another tag (IO_REPARSE_TAG_MOUNT_POINT's low byte)
    public void TryParse_CorruptedField_Rejected(int offset, byte low, byte high)
    {
        var bad = (byte[])RelativeLink.Clone();
        bad[offset] = low;
        bad[offset + 1] = high;
        Assert.That(SymlinkReparseBuffer.TryParse(bad, out _, out _, out _), Is.False);
    }

    [Test]
    public void ReparseDataBuffer_HeaderOnly_IsADeleteRequest()
    {
        Assert.That(ReparseDataBuffer.TryParse(Convert.FromHexString("0C0000A000000000"), out var header), Is.True);
        Assert.That(header.Tag, Is.EqualTo(ReparseDataBuffer.TagSymlink));
        Assert.That(header.Data.Length, Is.Zero);
    }
}
