using FastSmb.Fsa;
using FastSmb.Fsa.Posix;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// The user.DOSATTRIB codec against values Samba 4.17 (Debian) wrote: `scripts/reference-samba.sh start 4497
/// /tmp/meta-samba`, smbclient `put` then `setmode f +h` / `+rsa` / `mkdir d; setmode d +h`, read back with
/// `getfattr -d -e hex -m user.DOSATTRIB`.
/// </summary>
public class DosAttribTests
{
    // Samba 4.17: version 5, valid_flags ATTRIB|CREATE_TIME.
    private static readonly byte[] SambaArchive = Convert.FromHexString("00000500050000001100000020000000e609a108637bdd01");
    private static readonly byte[] SambaHidden = Convert.FromHexString("00000500050000001100000022000000f242a208637bdd01");
    private static readonly byte[] SambaReadOnlySystemArchive = Convert.FromHexString("00000500050000001100000025000000b217a408637bdd01");
    private static readonly byte[] SambaHiddenDirectory = Convert.FromHexString("000005000500000011000000120000008d83a508637bdd01");

    [Test]
    public void TryDecode_SambaVersion5_AttributesAndCreateTime()
    {
        Assert.That(DosAttrib.TryDecode(SambaHidden, out var info), Is.True);
        Assert.That(info.HasAttributes, Is.True);
        Assert.That(info.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.Archive));
        Assert.That(info.CreationTime, Is.EqualTo(0x01dd7b6308a242f2L));
        Assert.That(DateTime.FromFileTimeUtc(info.CreationTime).Year, Is.EqualTo(2026));
        Assert.That(DosAttrib.TryDecode(SambaReadOnlySystemArchive, out info) && info.Attributes == (FileAttributeFlags)0x25, Is.True);
        Assert.That(DosAttrib.TryDecode(SambaHiddenDirectory, out info)
            && info.Attributes == (FileAttributeFlags.Hidden | FileAttributeFlags.Directory), Is.True);
    }

    [TestCase("SambaArchive")]
    [TestCase("SambaHidden")]
    [TestCase("SambaReadOnlySystemArchive")]
    [TestCase("SambaHiddenDirectory")]
    public void Encode_WhatSambaDecodes_SameBytes(string capture)
    {
        var samba = capture switch
        {
            "SambaArchive" => SambaArchive,
            "SambaHidden" => SambaHidden,
            "SambaReadOnlySystemArchive" => SambaReadOnlySystemArchive,
            _ => SambaHiddenDirectory,
        };
        Assert.That(DosAttrib.TryDecode(samba, out var info), Is.True);
        var ours = new byte[DosAttrib.EncodedSize];
        Assert.That(DosAttrib.Encode(ours, info.Attributes, info.CreationTime), Is.EqualTo(samba.Length));
        Assert.That(ours, Is.EqualTo(samba));
    }

    [Test]
    public void TryDecode_Version3WithHexString_Parsed()
    {
        // Built from xattr.idl's layout (Samba 4.0 to 4.10): "0x22" NUL, pad, version 3, switch 3, valid_flags 0x11,
        // attrib, ea_size, size, alloc_size, create_time, change_time.
        var v3 = Convert.FromHexString("307832320000" + "0300" + "03000000" + "11000000" + "22000000" + "00000000"
            + "0000000000000000" + "0000000000000000" + "3477bd392d44d601" + "0000000000000000");
        Assert.That(DosAttrib.TryDecode(v3, out var info), Is.True);
        Assert.That(info.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.Archive));
        Assert.That(info.CreationTime, Is.EqualTo(0x01d6442d39bd7734L));
    }

    [Test]
    public void TryDecode_Version4_SkipsItime()
    {
        var v4 = Convert.FromHexString("0000" + "0400" + "04000000" + "51000000" + "22000000" + "9abc1681d5bdd601" + "9bbc1681d5bdd601");
        Assert.That(DosAttrib.TryDecode(v4, out var info), Is.True);
        Assert.That(info.CreationTime, Is.EqualTo(0x01d6bdd58116bc9bL));
    }

    [Test]
    public void TryDecode_HexStringOnly_Samba3()
    {
        Assert.That(DosAttrib.TryDecode("0x21\0"u8, out var info), Is.True);
        Assert.That(info.Attributes, Is.EqualTo(FileAttributeFlags.ReadOnly | FileAttributeFlags.Archive));
        Assert.That(info.CreationTime, Is.Zero);
    }

    [Test]
    public void TryDecode_EveryTruncatedPrefix_FalseOrConsistent()
    {
        for (int n = 0; n < SambaHidden.Length; n++)
            Assert.That(DosAttrib.TryDecode(SambaHidden.AsSpan(0, n), out _), Is.False, $"prefix {n}");
        Assert.That(DosAttrib.TryDecode(Convert.FromHexString("0000090009000000"), out _), Is.False, "unknown version");
    }

    [Test]
    public void Encode_NoCreationTime_FlagClear()
    {
        var ours = new byte[DosAttrib.EncodedSize];
        DosAttrib.Encode(ours, FileAttributeFlags.Hidden, 0);
        Assert.That(DosAttrib.TryDecode(ours, out var info), Is.True);
        Assert.That((info.HasAttributes, info.CreationTime), Is.EqualTo((true, 0L)));
    }
}
