using FastSmb.Protocol.Fscc;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>[MS-FSCC] 2.4.15 FILE_FULL_EA_INFORMATION and 2.4.15.1 FILE_GET_EA_INFORMATION chains: write, parse,
/// and every truncated prefix refused. The bytes are our writer's, checked field by field against the spec layout.</summary>
public class FullEaInformationTests
{
    [Test]
    public void WriteParse_RoundTrip_FourByteAligned()
    {
        var buffer = new byte[64];
        var writer = new FullEaInformationWriter(buffer);
        Assert.That(writer.TryAdd("First", "one"u8), Is.True);
        Assert.That(writer.TryAdd("Second", [], FullEaInformation.FlagNeedEa), Is.True);
        var chain = buffer[..writer.Length];
        // NextEntryOffset 20 (17 rounded up to 4), Flags 0, EaNameLength 5, EaValueLength 3, "First\0one".
        Assert.That(Convert.ToHexString(chain[..17]), Is.EqualTo("14000000" + "00" + "05" + "0300" + "466972737400" + "6F6E65"));
        Assert.That(chain.Length, Is.EqualTo(20 + 8 + 6 + 1));
        Assert.That(FullEaInformation.TryParse(chain, out var entries), Is.True);
        Assert.That(entries.Select(e => (e.Name, e.Value.Length, e.Flags)),
            Is.EqualTo(new[] { ("First", 3, (byte)0), ("Second", 0, FullEaInformation.FlagNeedEa) }));
        for (int n = 0; n < chain.Length; n++)
            Assert.That(FullEaInformation.TryParse(chain.AsSpan(0, n), out _), Is.False, $"prefix {n}");
    }

    [Test]
    public void GetEaInformation_BuildParse_AndTruncations()
    {
        var list = GetEaInformation.Build("A", "Longer");
        Assert.That(GetEaInformation.TryParse(list, out var names), Is.True);
        Assert.That(names, Is.EqualTo(new[] { "A", "Longer" }));
        for (int n = 0; n < list.Length; n++)
            Assert.That(GetEaInformation.TryParse(list.AsSpan(0, n), out _), Is.False, $"prefix {n}");
    }
}
