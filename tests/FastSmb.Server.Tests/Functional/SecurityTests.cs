using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Security.Descriptors;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Security descriptors through the real dispatcher: QUERY_INFO and SET_INFO SMB2_0_INFO_SECURITY ([MS-SMB2]
/// 3.3.5.20.3, 3.3.5.21.3), the SecD and MxAc create contexts, and CREATE refused once a DACL denies.
/// </summary>
[CancelAfter(30_000)]
public class SecurityTests
{
    private const uint OwnerInfo = 1, GroupInfo = 2, DaclInfo = 4, SaclInfo = 8;
    private const uint ReadData = 0x1, WriteData = 0x2, ReadControl = 0x20000, WriteDac = 0x40000, WriteOwner = 0x80000;

    private static async Task<SecurityDescriptor> QuerySdAsync(Smb2ClientConnection c, uint tree, FileId file, uint parts)
    {
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, additional: parts);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(SecurityDescriptor.TryParse(output, out var sd), Is.True);
        return sd;
    }

    private static async Task<NtStatus> SetSdAsync(Smb2ClientConnection c, uint tree, FileId file, uint parts, SecurityDescriptor sd) =>
        (await c.SendAsync(Smb2Command.SetInfo, body => SetInfoRequest.Write(body, Smb2InfoType.Security, 0, parts, file,
            sd.ToBytes()), tree)).Status;

    private static SecurityDescriptor DaclOf(Sid? owner, params Ace[] aces) =>
        new(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent, owner, null, null, new Acl(aces));

    private static Ace Allow(Sid sid, uint mask) => new(AceType.AccessAllowed, AceFlags.None, mask, sid);

    [Test]
    public async Task QueryAndSet_Dacl_RoundTripsAndDeniesLaterOpens()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (status, file, _) = await c.CreateAsync(tree, "acl.txt", Create, ReadControl | WriteDac | WriteOwner);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var original = await QuerySdAsync(c, tree, file, OwnerInfo | GroupInfo | DaclInfo);
        Assert.That(original.Owner, Is.Not.Null);
        Assert.That(original.Group, Is.Not.Null);
        Assert.That(original.DaclPresent, Is.True);
        var owner = original.Owner!;

        var readOnly = DaclOf(null, Allow(owner, ReadData | ReadControl));
        Assert.That(await SetSdAsync(c, tree, file, DaclInfo, readOnly), Is.EqualTo(NtStatus.Success));
        var back = await QuerySdAsync(c, tree, file, DaclInfo);
        Assert.That(back.Owner, Is.Null, "only the DACL was asked for");
        Assert.That(back.Dacl!.Aces, Is.EqualTo(readOnly.Dacl!.Aces));

        Assert.That((await c.CreateAsync(tree, "acl.txt", Open, WriteData)).Status, Is.EqualTo(NtStatus.AccessDenied));
        var (readStatus, readFile, _) = await c.CreateAsync(tree, "acl.txt", Open, ReadData);
        Assert.That(readStatus, Is.EqualTo(NtStatus.Success));
        await c.CloseAsync(tree, readFile);
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task Query_BufferTooSmall_ReportsTheSizeNeeded()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (_, file, _) = await c.CreateAsync(tree, "small.txt", Create, ReadControl);
        var full = await QuerySdAsync(c, tree, file, OwnerInfo | GroupInfo | DaclInfo);
        var (status, _, response) = await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, outputLength: 16,
            additional: OwnerInfo | GroupInfo | DaclInfo);
        Assert.That(status, Is.EqualTo(NtStatus.BufferTooSmall));
        Assert.That(ErrorResponse.TryParse(response.Message, out var error), Is.True);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(error.ErrorData), Is.EqualTo((uint)full.Size));
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task AccessRules_ReadControlWriteDacWriteOwnerAndSacl()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (_, file, _) = await c.CreateAsync(tree, "rules.txt", Create, ReadData);
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, additional: DaclInfo)).Status,
            Is.EqualTo(NtStatus.AccessDenied), "no READ_CONTROL");
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, additional: 0)).Status,
            Is.EqualTo(NtStatus.Success), "nothing asked for needs no access");
        Assert.That(await SetSdAsync(c, tree, file, DaclInfo, DaclOf(null)), Is.EqualTo(NtStatus.AccessDenied), "no WRITE_DAC");
        Assert.That(await SetSdAsync(c, tree, file, OwnerInfo, DaclOf(Sid.Everyone)), Is.EqualTo(NtStatus.AccessDenied), "no WRITE_OWNER");
        await c.CloseAsync(tree, file);

        (_, file, _) = await c.CreateAsync(tree, "rules.txt", Open, ReadControl | WriteDac | WriteOwner);
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, additional: SaclInfo)).Status,
            Is.EqualTo(NtStatus.AccessDenied), "no ACCESS_SYSTEM_SECURITY");
        Assert.That(await SetSdAsync(c, tree, file, OwnerInfo, DaclOf(Sid.LocalSystem)), Is.EqualTo(NtStatus.InvalidOwner));
        Assert.That((await c.SendAsync(Smb2Command.SetInfo, body => SetInfoRequest.Write(body, Smb2InfoType.Security, 0,
            DaclInfo, file, new byte[] { 1, 0, 4, 0x80, 0xff, 0, 0, 0 }), tree)).Status, Is.EqualTo(NtStatus.InvalidSecurityDescr));
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task SecD_GivesTheNewFileItsDacl_AndMxAcAnswersFromIt()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (_, probe, _) = await c.CreateAsync(tree, "probe.txt", Create, ReadControl);
        var owner = (await QuerySdAsync(c, tree, probe, OwnerInfo)).Owner!;
        await c.CloseAsync(tree, probe);

        var sd = DaclOf(null, Allow(owner, ReadData | ReadControl), Allow(Sid.Everyone, 0x80 /* READ_ATTRIBUTES */));
        var contexts = new byte[256];
        var w = new CreateContextWriter(contexts);
        sd.Write(w.Add("SecD"u8, sd.Size));
        var (status, file, _) = await c.CreateAsync(tree, "secd.txt", Create, ReadControl, contexts: contexts[..w.Length]);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var stored = await QuerySdAsync(c, tree, file, OwnerInfo | DaclInfo);
        Assert.That(stored.Dacl!.Aces, Is.EqualTo(sd.Dacl!.Aces));
        Assert.That(stored.Owner, Is.EqualTo(owner));
        await c.CloseAsync(tree, file);

        contexts = new byte[64];
        w = new CreateContextWriter(contexts);
        w.Add("MxAc"u8, 0);
        var (openStatus, reopened, response) = await c.CreateAsync(tree, "secd.txt", Open, ReadData, contexts: contexts[..w.Length]);
        Assert.That(openStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(CreateResponse.TryParse(response.Message, out var cr), Is.True);
        Assert.That(cr.GetCreateContexts().TryFind("MxAc"u8, out var mxac), Is.True);
        // READ_DATA|READ_CONTROL from the ACE, WRITE_DAC as owner, READ_ATTRIBUTES from Everyone, DELETE from the
        // share root's DELETE_CHILD.
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(mxac[4..]), Is.EqualTo(ReadData | ReadControl | WriteDac | 0x80 | 0x10000));
        await c.CloseAsync(tree, reopened);
    }

    [Test]
    public async Task SecD_NotADescriptor_InvalidSecurityDescr()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var contexts = new byte[64];
        var w = new CreateContextWriter(contexts);
        w.Add("SecD"u8, 4).Fill(0xAA);
        Assert.That((await c.CreateAsync(tree, "bad.txt", Create, contexts: contexts[..w.Length])).Status,
            Is.EqualTo(NtStatus.InvalidSecurityDescr));
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "bad.txt")), Is.False);
    }
}
