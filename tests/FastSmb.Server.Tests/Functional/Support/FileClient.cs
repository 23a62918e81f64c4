using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Server.Tests.Functional.Support;

/// <summary>The file commands as the functional tests send them, over <see cref="Smb2ClientConnection.SendAsync"/>.</summary>
internal static class FileClient
{
    public const uint GenericAll = 0x10000000, GenericRead = 0x80000000, MaximumAllowed = 0x02000000, ShareAll = 7;
    public const uint Open = 1, Create = 2, OpenIf = 3, OverwriteIf = 5;
    public const uint DirectoryFile = 1, NonDirectoryFile = 0x40, DeleteOnClose = 0x1000;

    public static async Task<(NtStatus Status, FileId FileId, Smb2Response Response)> CreateAsync(this Smb2ClientConnection c,
        uint tree, string name, uint disposition = OpenIf, uint access = GenericAll, uint options = 0, uint share = ShareAll,
        byte[]? contexts = null, uint attributes = 0)
    {
        var response = await c.SendAsync(Smb2Command.Create, body => CreateRequest.Write(body, 0, 2, access, attributes, share,
            disposition, options, name, contexts ?? default), tree);
        var id = CreateResponse.TryParse(response.Message, out var cr) ? cr.FileId : default;
        return (response.Status, id, response);
    }

    public static async Task<NtStatus> CloseAsync(this Smb2ClientConnection c, uint tree, FileId fileId) =>
        (await c.SendAsync(Smb2Command.Close, body => CloseRequest.Write(body, 0, fileId), tree)).Status;

    public static async Task<NtStatus> WriteAsync(this Smb2ClientConnection c, uint tree, FileId fileId, ulong offset, byte[] data) =>
        (await c.SendAsync(Smb2Command.Write, body => WriteRequest.Write(body, offset, fileId, data), tree)).Status;

    public static async Task<(NtStatus Status, byte[] Data)> ReadAsync(this Smb2ClientConnection c, uint tree, FileId fileId,
        ulong offset, uint length, uint minimumCount = 0)
    {
        var response = await c.SendAsync(Smb2Command.Read, body => ReadRequest.Write(body, 0, 0, length, offset, fileId,
            minimumCount, 0, 0), tree);
        var data = ReadResponse.TryParse(response.Message, out var rr) ? rr.Data.ToArray() : [];
        return (response.Status, data);
    }

    public static async Task<(NtStatus Status, byte[] Output)> QueryDirectoryAsync(this Smb2ClientConnection c, uint tree,
        FileId fileId, FileInformationClass informationClass, string pattern = "*", byte flags = 0, uint outputLength = 65536)
    {
        var response = await c.SendAsync(Smb2Command.QueryDirectory, body => QueryDirectoryRequest.Write(body,
            informationClass, flags, 0, fileId, pattern, outputLength), tree);
        var output = QueryDirectoryResponse.TryParse(response.Message, out var qr) ? qr.OutputBuffer.ToArray() : [];
        return (response.Status, output);
    }

    public static async Task<(NtStatus Status, byte[] Output, Smb2Response Response)> QueryInfoAsync(this Smb2ClientConnection c,
        uint tree, FileId fileId, Smb2InfoType type, byte infoClass, uint outputLength = 4096, uint additional = 0)
    {
        var response = await c.SendAsync(Smb2Command.QueryInfo, body => QueryInfoRequest.Write(body, type, infoClass,
            outputLength, additional, 0, fileId), tree);
        var output = response.Status != NtStatus.BufferTooSmall && QueryInfoResponse.TryParse(response.Message, out var qr)
            ? qr.OutputBuffer.ToArray() : [];
        return (response.Status, output, response);
    }

    public static async Task<NtStatus> SetInfoAsync(this Smb2ClientConnection c, uint tree, FileId fileId,
        FileInformationClass informationClass, byte[] buffer) =>
        (await c.SendAsync(Smb2Command.SetInfo, body => SetInfoRequest.Write(body, Smb2InfoType.File, (byte)informationClass,
            0, fileId, buffer), tree)).Status;

    /// <summary>The names in a QUERY_DIRECTORY output buffer of <paramref name="informationClass"/>.</summary>
    public static List<string> Names(byte[] output, FileInformationClass informationClass)
    {
        var names = new List<string>();
        var reader = new EntryChainReader(output);
        while (reader.TryNext(out var entry))
        {
            Assert.That(DirectoryEntry.TryParse(entry, informationClass, out var e), Is.True);
            names.Add(e.FileName);
        }
        Assert.That(reader.IsMalformed, Is.False);
        return names;
    }
}
