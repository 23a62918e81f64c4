using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.15.12 FSCTL_VALIDATE_NEGOTIATE_INFO over the real server.</summary>
[CancelAfter(30_000)]
public class ValidateNegotiateTests
{
    private static readonly Smb2Dialect[] Offered = [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300];

    [Test]
    public async Task ValidateNegotiate_MatchingValuesOnSmb30_ReturnsServerValuesSigned()
    {
        await using var server = TestServer.Start();
        var clientGuid = Guid.NewGuid();
        var (c, tree, negotiate) = await ConnectAsync(server, clientGuid);

        var response = await SendAsync(c, tree, Input(0, clientGuid, 1, Offered));

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(response.IsSigned && c.VerifySignature(response), Is.True, "[MS-SMB2] 3.3.5.15.12: the response is signed");
        Assert.That(IoctlResponse.TryParse(response.Message, out var ioctl), Is.True);
        Assert.That(ioctl.CtlCode, Is.EqualTo(FsctlCodes.FSCTL_VALIDATE_NEGOTIATE_INFO));
        var output = ioctl.Output;
        Assert.That(output.Length, Is.EqualTo(24));
        Assert.That((Smb2GlobalCapabilities)BinaryPrimitives.ReadUInt32LittleEndian(output), Is.EqualTo(negotiate.Capabilities));
        Assert.That(new Guid(output.Slice(4, 16)), Is.EqualTo(negotiate.ServerGuid));
        Assert.That((Smb2SecurityMode)BinaryPrimitives.ReadUInt16LittleEndian(output[20..]), Is.EqualTo(negotiate.SecurityMode));
        Assert.That((Smb2Dialect)BinaryPrimitives.ReadUInt16LittleEndian(output[22..]), Is.EqualTo(Smb2Dialect.Smb300));
    }

    [Test]
    public async Task ValidateNegotiate_DialectListDiffers_Disconnects()
    {
        await using var server = TestServer.Start();
        var clientGuid = Guid.NewGuid();
        var (c, tree, _) = await ConnectAsync(server, clientGuid);

        // What a man in the middle who removed 3.0 from the NEGOTIATE would leave the server to compare against.
        await Assert.ThatAsync(() => SendAsync(c, tree, Input(0, clientGuid, 1, [Smb2Dialect.Smb202, Smb2Dialect.Smb210])),
            Throws.TypeOf<EndOfStreamException>());
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task ValidateNegotiate_GuidDiffers_Disconnects()
    {
        await using var server = TestServer.Start();
        var (c, tree, _) = await ConnectAsync(server, Guid.NewGuid());

        await Assert.ThatAsync(() => SendAsync(c, tree, Input(0, Guid.NewGuid(), 1, Offered)),
            Throws.TypeOf<EndOfStreamException>());
    }

    private record Negotiated(Smb2GlobalCapabilities Capabilities, Guid ServerGuid, Smb2SecurityMode SecurityMode);

    private static async Task<(Smb2ClientConnection, uint, Negotiated)> ConnectAsync(TestServer server, Guid clientGuid)
    {
        var c = server.Connect();
        var response = await c.NegotiateAsync(Offered, securityMode: 1, clientGuid: clientGuid);
        Assert.That(NegotiateResponse.TryParse(response.Message, out var n), Is.True);
        Assert.That(n.DialectRevision, Is.EqualTo(Smb2Dialect.Smb300));
        var negotiated = new Negotiated(n.Capabilities, n.ServerGuid, n.SecurityMode);
        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        c.SignRequests = true; // VALIDATE_NEGOTIATE_INFO is only meaningful signed
        var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc("IPC$"));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return (c, tree, negotiated);
    }

    private static Task<Smb2Response> SendAsync(Smb2ClientConnection c, uint tree, byte[] input) =>
        c.SendAsync(Smb2Command.Ioctl, b => IoctlRequest.Write(b, FsctlCodes.FSCTL_VALIDATE_NEGOTIATE_INFO, FileId.Any,
            input, 0, 24, IoctlRequest.FlagIsFsctl), tree);

    /// <summary>[MS-SMB2] 2.2.31.4 VALIDATE_NEGOTIATE_INFO Request.</summary>
    private static byte[] Input(uint capabilities, Guid guid, ushort securityMode, Smb2Dialect[] dialects)
    {
        var input = new byte[24 + 2 * dialects.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(input, capabilities);
        guid.TryWriteBytes(input.AsSpan(4, 16));
        BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(20), securityMode);
        BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(22), (ushort)dialects.Length);
        for (int i = 0; i < dialects.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(24 + 2 * i), (ushort)dialects[i]);
        return input;
    }
}
