using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Server.Tests.Config;

public class SmbConfParserTests
{
    [Test]
    public void Parse_GlobalAndShares()
    {
        var r = SmbConfParser.Parse("""
            # comment
            [global]
              Server   Signing = mandatory
              workgroup = lab
              server max protocol = SMB3_00
              log level = 3
              wins support = yes
            ; another comment
            [data]
              path = /srv/data
              comment = Lab data
              read only = yes
            [Scratch]
              path = /srv/scratch
              writable = yes
            """);
        Assert.That(r.Errors, Is.Empty);
        var c = r.Config!;
        Assert.That(c.Global.ServerSigning, Is.EqualTo(SigningPolicy.Mandatory));
        Assert.That(c.Global.Workgroup, Is.EqualTo("LAB"));
        Assert.That(c.Global.MaxProtocol, Is.EqualTo(Smb2Dialect.Smb300));
        Assert.That(c.Shares.Select(s => s.Name), Is.EqualTo(new[] { "data", "Scratch" }));
        Assert.That(c.Shares[0], Is.EqualTo(new ShareConfig("data", "/srv/data", "Lab data", true)));
        Assert.That(c.Shares[1].ReadOnly, Is.False);
        Assert.That(c.Global.LogLevel, Is.EqualTo(3));
        Assert.That(r.Warnings, Is.EqualTo(new[] { "smb.conf:7: unknown parameter 'wins support' in [global], ignored" }));
    }

    [Test]
    public void Parse_SmbEncrypt_GlobalAndShare()
    {
        var r = SmbConfParser.Parse("""
            [global]
              server smb encrypt = desired
            [secret]
              path = /srv/secret
              smb encrypt = required
            [plain]
              path = /srv/plain
              smb encrypt = off
            [other]
              path = /srv/other
            """);
        Assert.That(r.Errors, Is.Empty);
        var c = r.Config!;
        Assert.That(c.Global.ServerEncryption, Is.EqualTo(EncryptionPolicy.Desired));
        Assert.That(c.Shares.Select(s => s.Encrypt), Is.EqualTo(new[]
            { EncryptionPolicy.Required, EncryptionPolicy.Off, EncryptionPolicy.Default }));
        Assert.That(new GlobalConfig().MaxProtocol, Is.EqualTo(Smb2Dialect.Smb311), "server max protocol defaults to SMB3_11");
    }

    [Test]
    public void Parse_IdentityKeys_ForceUserGroupAndMasks()
    {
        var r = SmbConfParser.Parse("""
            [data]
              path = /srv/data
              force user = backup
              force group = +staff
              create mask = 0660
              directory mode = 770
            [plain]
              path = /srv/plain
            """);
        Assert.That(r.Errors, Is.Empty);
        var (data, plain) = (r.Config!.Shares[0], r.Config.Shares[1]);
        Assert.That((data.ForceUser, data.ForceGroup, data.CreateMask, data.DirectoryMask),
            Is.EqualTo(("backup", "staff", 0x1B0u, 0x1F8u)));
        Assert.That((plain.ForceUser, plain.ForceGroup, plain.CreateMask, plain.DirectoryMask),
            Is.EqualTo(((string?)null, (string?)null, 0x1E4u, 0x1EDu)), "Samba's defaults: 0744 and 0755");
    }

    [TestCase("[global]\nserver signing = sometimes\n", "x.conf:2: invalid value 'sometimes' for 'server signing'")]
    [TestCase("[s]\ncomment = no path\n", "x.conf:1: share [s]: no path")]
    [TestCase("key = outside\n", "x.conf:1: expected 'key = value' inside a section")]
    [TestCase("[a]\npath=/a\n[A]\npath=/b\n", "x.conf:3: share [A] defined twice")]
    [TestCase("[\n", "x.conf:1: bad section header")]
    [TestCase("[global]\n\n# c\nnetbios name = WAY-TOO-LONG-A-NAME\n", "x.conf:4: invalid value")]
    [TestCase("[global]\nserver min protocol = SMB1\n", "x.conf:2: invalid value 'SMB1'")]
    [TestCase("[global]\nbind interfaces only = maybe\n", "x.conf:2: invalid value 'maybe'")]
    [TestCase("[global]\nlog level = loud\n", "x.conf:2: invalid value 'loud'")]
    [TestCase("[s]\npath = relative/dir\n", "x.conf:2: invalid value 'relative/dir' for 'path'")]
    [TestCase("[s]\npath = /s\nguest ok = perhaps\n", "x.conf:3: invalid value 'perhaps' for 'guest ok'")]
    [TestCase("[s]\npath = /s\nbrowseable = 2\n", "x.conf:3: invalid value '2' for 'browseable'")]
    [TestCase("[s]\npath = /s\nsmb encrypt = always\n", "x.conf:3: invalid value 'always' for 'smb encrypt'")]
    [TestCase("[s]\npath = /s\nvalid users = @\n", "x.conf:3: invalid value '@' for 'valid users'")]
    [TestCase("[s]\npath = /s\ncreate mask = 0799\n", "x.conf:3: invalid value '0799' for 'create mask'")]
    [TestCase("[s]\npath = /s\ndirectory mask = rwx\n", "x.conf:3: invalid value 'rwx' for 'directory mask'")]
    [TestCase("[s]\npath = /s\nforce user = @staff\n", "x.conf:3: invalid value '@staff' for 'force user'")]
    [TestCase("[a*b]\npath = /s\n", "x.conf:1: invalid share name 'a*b'")]
    [TestCase("[IPC$]\npath = /s\n", "x.conf:1: [IPC$] is built in")]
    public void Parse_Invalid_ReportsFileLineAndNoConfig(string text, string expected)
    {
        var r = SmbConfParser.Parse(text, "x.conf");
        Assert.That(r.Config, Is.Null);
        Assert.That(r.Errors, Has.Some.StartsWith(expected));
    }

    [Test]
    public void Parse_AccessKeys_SambaSpellings()
    {
        var r = SmbConfParser.Parse("""
            [global]
               interfaces = eth0 192.168.1.0/24, lo
               bind interfaces only = yes
               admin group = smbadmin
               server max protocol = SMB3
            [team]
               path = /srv/team
               valid users = alice, "bob smith" @staff +unix
               guest ok = no
               browsable = no
               smb encrypt = required
            [pub]
               path = /srv/pub
               public = yes
               writeable = no
            """);
        Assert.That(r.Errors, Is.Empty);
        Assert.That(r.Warnings, Is.Empty);
        var c = r.Config!;
        Assert.That(c.Global.Interfaces, Is.EqualTo(new[] { "eth0", "192.168.1.0/24", "lo" }));
        Assert.That(c.Global.BindInterfacesOnly, Is.True);
        Assert.That(c.Global.AdminGroup, Is.EqualTo("smbadmin"));
        Assert.That(c.Global.MaxProtocol, Is.EqualTo(Smb2Dialect.Smb311));
        var team = c.Shares[0];
        Assert.That(team.ValidUsers, Is.EqualTo(new[] { "alice", "bob smith", "@staff", "+unix" }));
        Assert.That((team.GuestOk, team.Browseable, team.Encrypt), Is.EqualTo((false, false, EncryptionPolicy.Required)));
        var pub = c.Shares[1];
        Assert.That((pub.GuestOk, pub.ReadOnly, pub.Browseable), Is.EqualTo((true, true, true)));
    }

    [Test]
    public void Parse_UnknownShareKey_WarnsWithFileAndLine()
    {
        var r = SmbConfParser.Parse("[s]\n  path = /s\n  vfs objects = acl_xattr\n", "/etc/fastsmb/smb.conf");
        Assert.That(r.Config, Is.Not.Null);
        Assert.That(r.Warnings, Is.EqualTo(new[] { "/etc/fastsmb/smb.conf:3: unknown parameter 'vfs objects' in [s], ignored" }));
    }

    [Test]
    public void Format_ParsedBack_SameConfig()
    {
        var first = SmbConfParser.Parse("""
            [global]
               workgroup = LAB
               log level = 2
            [team]
               path = /srv/team
               comment = The team
               valid users = alice @staff
               browseable = no
            """).Config!;
        var again = SmbConfParser.Parse(SmbConfWriter.Format(first));
        Assert.That(again.Errors, Is.Empty);
        Assert.That(again.Config!.Shares, Is.EqualTo(first.Shares));
        Assert.That(again.Config.Global with { ServerGuid = first.Global.ServerGuid, Interfaces = first.Global.Interfaces },
            Is.EqualTo(first.Global));
    }

    [Test]
    public void FastsmbCores_ParsedWrittenBack_AndOutOfRangeRefused()
    {
        Assert.That(SmbConfParser.Parse("[global]\n").Config!.Global.Cores, Is.Null, "default: decided at start-up");
        var c = SmbConfParser.Parse("[global]\n   fastsmb cores = 3\n").Config!;
        Assert.That(c.Global.Cores, Is.EqualTo(3));
        Assert.That(SmbConfParser.Parse(SmbConfWriter.Format(c)).Config!.Global.Cores, Is.EqualTo(3));
        foreach (var bad in new[] { "0", "-1", "many", "5000" })
        {
            var r = SmbConfParser.Parse($"[global]\n   fastsmb cores = {bad}\n");
            Assert.That(r.Errors, Has.Count.EqualTo(1), bad);
            Assert.That(r.Errors[0], Does.Contain("fastsmb cores"), bad);
        }
    }

    [Test]
    public void FastsmbIoAndBusyPoll_ParsedWrittenBack_AndBadValuesRefused()
    {
        var d = SmbConfParser.Parse("[global]\n").Config!.Global;
        Assert.That((d.Io, d.BusyPollMicroseconds), Is.EqualTo((FastSmb.Datapath.IoEngine.Uring, 0)));
        var c = SmbConfParser.Parse("[global]\n   fastsmb io = sockets\n   fastsmb busy poll = 50\n").Config!;
        Assert.That((c.Global.Io, c.Global.BusyPollMicroseconds), Is.EqualTo((FastSmb.Datapath.IoEngine.Sockets, 50)));
        var back = SmbConfParser.Parse(SmbConfWriter.Format(c)).Config!.Global;
        Assert.That((back.Io, back.BusyPollMicroseconds), Is.EqualTo((FastSmb.Datapath.IoEngine.Sockets, 50)));
        Assert.That(SmbConfParser.Parse("[global]\n   fastsmb io = uring\n").Config!.Global.Io, Is.EqualTo(FastSmb.Datapath.IoEngine.Uring));
        Assert.That(ServerHost.LimitsFrom(c.Global).BusyPoll, Is.EqualTo(TimeSpan.FromMicroseconds(50)));
        foreach (var (key, bad) in new[] { ("fastsmb io", "epoll"), ("fastsmb busy poll", "-1"), ("fastsmb busy poll", "2000000") })
        {
            var r = SmbConfParser.Parse($"[global]\n   {key} = {bad}\n");
            Assert.That(r.Errors, Has.Count.EqualTo(1), bad);
            Assert.That(r.Errors[0], Does.Contain(key), bad);
        }
    }

    [Test]
    public void FastsmbStateStore_ParsedWrittenBack_AndUnknownRefused()
    {
        Assert.That(SmbConfParser.Parse("[global]\n").Config!.Global.StateStore, Is.Null, "default: decided at start-up");
        foreach (var (text, kind) in new[] { ("faster", StateStoreKind.Faster), ("Memory", StateStoreKind.Memory) })
        {
            var c = SmbConfParser.Parse($"[global]\n   fastsmb state store = {text}\n").Config!;
            Assert.That(c.Global.StateStore, Is.EqualTo(kind));
            Assert.That(SmbConfParser.Parse(SmbConfWriter.Format(c)).Config!.Global.StateStore, Is.EqualTo(kind));
        }
        var r = SmbConfParser.Parse("[global]\n   fastsmb state store = tdb\n");
        Assert.That(r.Errors, Has.Count.EqualTo(1));
        Assert.That(r.Errors[0], Does.Contain("fastsmb state store"));
    }

    [Test]
    public void Editor_AddThenRemove_KeepsTheRest()
    {
        const string original = "# top comment\n[global]\n   workgroup = LAB\n\n# the data share\n[data]\n   path = /srv/data\n   vfs objects = x\n";
        var added = SmbConfEditor.AddShare(original, new ShareConfig("new", "/srv/new", "fresh", ReadOnly: true));
        var parsed = SmbConfParser.Parse(added).Config!;
        Assert.That(parsed.Shares.Select(s => s.Name), Is.EqualTo(new[] { "data", "new" }));
        Assert.That(parsed.Shares[1], Is.EqualTo(new ShareConfig("new", "/srv/new", "fresh", true)));
        Assert.That(SmbConfEditor.TryRemoveShare(added, "NEW", out var removed), Is.True);
        Assert.That(removed.TrimEnd('\n'), Is.EqualTo(original.TrimEnd('\n')));
        Assert.That(SmbConfEditor.TryRemoveShare(removed, "data", out var noData), Is.True);
        Assert.That(noData, Does.Contain("# top comment").And.Not.Contain("/srv/data"));
        Assert.That(SmbConfEditor.TryRemoveShare(noData, "missing", out _), Is.False);
    }
}
