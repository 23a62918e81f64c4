using System.Buffers.Binary;
using System.Text;
using FastSmb.Fsa.Posix;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>The struct inotify_event reader: whole records, names padded with NULs, IN_Q_OVERFLOW, and every truncated
/// or corrupted buffer read without an exception.</summary>
public class InotifyEventParserTests
{
    private static byte[] Event(int wd, uint mask, uint cookie, string name, int padTo = 16)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        int length = name.Length == 0 ? 0 : Math.Max(padTo, nameBytes.Length + 1);
        var bytes = new byte[16 + length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, wd);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), mask);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)length);
        nameBytes.CopyTo(bytes, 16);
        return bytes;
    }

    [Test]
    public void Parse_TwoEvents_NamesWithoutPadding()
    {
        var data = Event(1, 0x40, 7, "old").Concat(Event(1, 0x80, 7, "névé")).ToArray();
        var events = new List<InotifyEvent>();
        Assert.That(InotifyWatcher.Parse(data, events), Is.False);
        Assert.That(events, Is.EqualTo(new[] { new InotifyEvent(1, 0x40, 7, "old"), new InotifyEvent(1, 0x80, 7, "névé") }));
    }

    [Test]
    public void Parse_Overflow_Flagged()
    {
        var events = new List<InotifyEvent>();
        Assert.That(InotifyWatcher.Parse(Event(-1, 0x4000, 0, ""), events), Is.True);
        Assert.That(events, Is.Empty);
    }

    [Test]
    public void Parse_EveryTruncatedPrefix_NoException_OnlyWholeEvents()
    {
        var data = Event(3, 0x100, 0, "file.txt").Concat(Event(3, 0x200, 0, "gone")).ToArray();
        for (int n = 0; n <= data.Length; n++)
        {
            var events = new List<InotifyEvent>();
            InotifyWatcher.Parse(data.AsSpan(0, n), events);
            Assert.That(events.Count, Is.EqualTo(n >= data.Length ? 2 : n >= 32 ? 1 : 0), $"prefix {n}");
        }
    }

    [Test]
    public void Parse_CorruptLength_StopsWithoutException()
    {
        var data = Event(3, 0x100, 0, "file.txt");
        foreach (uint length in new uint[] { 0x80000000, 0xFFFFFFFF, 1000 })
        {
            var bad = (byte[])data.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(12), length);
            var events = new List<InotifyEvent>();
            InotifyWatcher.Parse(bad, events);
            Assert.That(events, Is.Empty);
        }
    }
}
