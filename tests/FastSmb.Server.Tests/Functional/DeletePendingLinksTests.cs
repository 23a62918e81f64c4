using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-FSA] 2.1.5.12.27: NumberOfLinks counts the links not marked for delete (smbtorture smb2.setinfo checks
/// 0 for a delete-pending file with one link).</summary>
[CancelAfter(30_000)]
public class DeletePendingLinksTests
{
    [Test]
    public async Task DeletePending_NumberOfLinksDropsToZero_AndBackWhenCleared()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        const uint DeleteAndAttributes = 0x00010080 | 0x00000100; // DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES
        var (_, file, _) = await c.CreateAsync(tree, "doomed.txt", Create, DeleteAndAttributes);

        Assert.That(await Standard(c, tree, file), Is.EqualTo((1u, false)));
        var disposition = new byte[1];
        FileDispositionInformation.Write(disposition, true);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileDispositionInformation, disposition),
            Is.EqualTo(NtStatus.Success));
        Assert.That(await Standard(c, tree, file), Is.EqualTo((0u, true)));
        FileDispositionInformation.Write(disposition, false);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileDispositionInformation, disposition),
            Is.EqualTo(NtStatus.Success));
        Assert.That(await Standard(c, tree, file), Is.EqualTo((1u, false)));
        await c.CloseAsync(tree, file);
    }

    private static async Task<(uint Links, bool DeletePending)> Standard(Client.Smb2.Smb2ClientConnection c, uint tree,
        FileId file)
    {
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File,
            (byte)FileInformationClass.FileStandardInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return FileStandardInformation.TryParse(output, out var standard)
            ? (standard.NumberOfLinks, standard.DeletePending) : (uint.MaxValue, false);
    }
}
