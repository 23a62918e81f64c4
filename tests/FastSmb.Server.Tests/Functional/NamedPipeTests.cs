using FastSmb.Client.Smb2;
using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.Server.Tests.Rpc;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// IPC$ named pipes over the real server: CREATE/CLOSE, DCERPC through FSCTL_PIPE_TRANSCEIVE (smbclient, rpcclient)
/// and through WRITE + READ (impacket), srvsvc's share list decoded with the NDR reader.
/// The DCERPC PDUs are the captured smbclient ones (see tests/FastSmb.Protocol.Tests/Captures/README.md).
/// </summary>
[CancelAfter(30_000)]
public class NamedPipeTests
{
    private static byte[] Bind => Captures.Load("rpc-smbclient-bind.hex");
    private static byte[] NetShareEnumAllLevel1 => Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex");

    [Test]
    public async Task Create_SrvsvcOnIpc_SucceedsWithAFileId()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");

        var (status, fileId) = await c.OpenPipeAsync(tree, "srvsvc");

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(fileId, Is.Not.EqualTo(default(FileId)));
        Assert.That(fileId.IsAny, Is.False);
    }

    [Test]
    public async Task Create_UnknownPipe_FailsWithObjectNameNotFound()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");

        Assert.That((await c.OpenPipeAsync(tree, "nosuchpipe")).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [Test]
    public async Task Create_PipeNameOnDiskShare_IsAFileName()
    {
        // The tree connect's type decides: on a disk share "srvsvc" is a file name, and FILE_OPEN finds no such file.
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);

        Assert.That((await c.OpenPipeAsync(tree, "srvsvc")).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        File.WriteAllText(Path.Combine(server.ShareDir, "srvsvc"), "a file");
        var (status, fileId) = await c.OpenPipeAsync(tree, "srvsvc");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.TransceiveAsync(tree, fileId, Bind)).Status, Is.EqualTo(NtStatus.InvalidDeviceRequest));
    }

    [Test]
    public async Task Transceive_DcerpcBind_ReturnsBindAckAcceptingSrvsvc()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var (status, output) = await c.TransceiveAsync(tree, pipe, Bind);

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(RpcBindAck.TryParse(output, out var ack), Is.True, Convert.ToHexString(output));
        Assert.That(ack.Result(0).Result, Is.EqualTo(RpcContextResultCode.Acceptance));
    }

    [TestCase(Smb2Dialect.Smb202)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task Transceive_NetShareEnumAllLevel1_ListsConfiguredSharesAndIpc(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$", dialect);
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");
        await c.TransceiveAsync(tree, pipe, Bind);

        var (status, output) = await c.TransceiveAsync(tree, pipe, NetShareEnumAllLevel1);

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        AssertShareList(output);
    }

    [Test]
    public async Task WriteRead_BindThenNetShareEnumAll_SameAnswersAsTransceive()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var (writeStatus, written) = await WriteAsync(c, tree, pipe, Bind);
        Assert.That((writeStatus, written), Is.EqualTo((NtStatus.Success, (uint)Bind.Length)));
        var (readStatus, ack) = await ReadAsync(c, tree, pipe, 4280);
        Assert.That(readStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(RpcBindAck.TryParse(ack, out _), Is.True);

        await WriteAsync(c, tree, pipe, NetShareEnumAllLevel1);
        var (status, response) = await ReadAsync(c, tree, pipe, 4280);

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        AssertShareList(response);
    }

    [Test]
    public async Task Read_BufferSmallerThanMessage_BufferOverflowThenTheRest()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");
        await WriteAsync(c, tree, pipe, Bind);

        var (firstStatus, first) = await ReadAsync(c, tree, pipe, 16);
        var (secondStatus, rest) = await ReadAsync(c, tree, pipe, 4280);

        Assert.That(firstStatus, Is.EqualTo(NtStatus.BufferOverflow), "[MS-SMB2] 3.3.5.12 message-mode pipe, buffer too small");
        Assert.That(first, Has.Length.EqualTo(16));
        Assert.That(secondStatus, Is.EqualTo(NtStatus.Success));
        var whole = first.Concat(rest).ToArray();
        Assert.That(RpcBindAck.TryParse(whole, out var ack), Is.True);
        Assert.That(ack.Header.FragLength, Is.EqualTo(whole.Length));
    }

    [Test]
    public async Task Transceive_OutputLargerThanMaxOutput_BufferOverflowWithPartialOutput()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var (status, output) = await c.TransceiveAsync(tree, pipe, Bind, maxOutput: 24);
        var (restStatus, rest) = await ReadAsync(c, tree, pipe, 4280);

        Assert.That(status, Is.EqualTo(NtStatus.BufferOverflow));
        Assert.That(output, Has.Length.EqualTo(24));
        Assert.That(restStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(RpcBindAck.TryParse(output.Concat(rest).ToArray(), out _), Is.True);
    }

    [Test]
    public async Task Close_ThenUseOfFileId_FailsWithFileClosed()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, pipe), tree);
        Assert.That(close.Status, Is.EqualTo(NtStatus.Success));

        Assert.That((await c.TransceiveAsync(tree, pipe, Bind)).Status, Is.EqualTo(NtStatus.FileClosed));
        Assert.That((await WriteAsync(c, tree, pipe, Bind)).Status, Is.EqualTo(NtStatus.FileClosed));
        Assert.That((await ReadAsync(c, tree, pipe, 100)).Status, Is.EqualTo(NtStatus.FileClosed));
        Assert.That((await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, pipe), tree)).Status,
            Is.EqualTo(NtStatus.FileClosed));
    }

    private static void AssertShareList(byte[] pdu)
    {
        Assert.That(RpcResponse.TryParse(pdu, out var r), Is.True, "a DCERPC response PDU: " + Convert.ToHexString(pdu));
        var decoded = SrvsvcDecode.Enum(r.StubData.ToArray());
        Assert.That(decoded.Status, Is.EqualTo(Win32Error.Success));
        Assert.That(decoded.Level, Is.EqualTo(1));
        Assert.That(decoded.Shares.Select(s => (s.NetName, s.Type)), Is.EquivalentTo(new[]
        {
            ("IPC$", 0x80000003u),          // STYPE_IPC | STYPE_SPECIAL
            (TestServer.ShareName, 0u),     // STYPE_DISKTREE
        }));
        Assert.That(decoded.Shares.Single(s => s.NetName == "IPC$").Remark, Is.EqualTo("IPC Service (FastSmb)"));
        Assert.That(decoded.TotalEntries, Is.EqualTo(2));
    }

    internal static async Task<(NtStatus Status, uint Count)> WriteAsync(Smb2ClientConnection c, uint tree, FileId pipe, byte[] data)
    {
        var response = await c.SendAsync(Smb2Command.Write, b => WriteRequest.Write(b, 0, pipe, data), tree);
        uint count = WriteResponse.TryParse(response.Message, out var w) ? w.Count : 0;
        return (response.Status, count);
    }

    internal static async Task<(NtStatus Status, byte[] Data)> ReadAsync(Smb2ClientConnection c, uint tree, FileId pipe, uint length)
    {
        var response = await c.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0x50, 0, length, 0, pipe, 0, 0, 0), tree);
        var data = ReadResponse.TryParse(response.Message, out var r) ? r.Data.ToArray() : [];
        return (response.Status, data);
    }
}
