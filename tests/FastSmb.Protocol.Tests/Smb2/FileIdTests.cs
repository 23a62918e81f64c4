using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Protocol.Tests.Smb2;

public class FileIdTests
{
    [Test]
    public void WriteRead_RoundTrip_SameValues()
    {
        var id = new FileId(0x0102030405060708, 0x1112131415161718);
        var buf = new byte[FileId.Size];
        id.Write(buf);
        Assert.That(buf[0], Is.EqualTo(0x08), "little-endian Persistent first");
        Assert.That(buf[8], Is.EqualTo(0x18), "Volatile second");
        Assert.That(FileId.Read(buf), Is.EqualTo(id));
    }

    [Test]
    public void Any_IsAllOnes()
    {
        var buf = new byte[FileId.Size];
        FileId.Any.Write(buf);
        Assert.That(buf, Is.All.EqualTo(0xFF));
        Assert.That(FileId.Read(buf).IsAny, Is.True);
        Assert.That(new FileId(1, 2).IsAny, Is.False);
    }
}
