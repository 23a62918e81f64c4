using FastSmb.Protocol.SmbDirect;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Smb2;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.SmbDirect;

/// <summary>
/// [MS-SMBD] 2.2 messages. There is no RDMA hardware here and so no capture of a real client: every fixture is
/// hand-built byte by byte from the spec's field tables (the values are those of the spec's own example, [MS-SMBD]
/// 4.1 "Establishing a Connection", where it has one), and each is cross-checked against Wireshark's SMB Direct
/// dissector (see <see cref="WiresharkDecoder"/>), an implementation written independently of ours.
/// </summary>
public class SmbDirectMessageTests
{
    // [MS-SMBD] 4.1: MinVersion 0x0100, MaxVersion 0x0100, Reserved 0, CreditsRequested 10, PreferredSendSize 1 KiB,
    // MaxReceiveSize 1 KiB, MaxFragmentedSize 128 KiB.
    private static readonly byte[] NegotiateRequestFixture =
    [
        0x00, 0x01, 0x00, 0x01, // MinVersion, MaxVersion
        0x00, 0x00, 0x0A, 0x00, // Reserved, CreditsRequested
        0x00, 0x04, 0x00, 0x00, // PreferredSendSize
        0x00, 0x04, 0x00, 0x00, // MaxReceiveSize
        0x00, 0x00, 0x02, 0x00, // MaxFragmentedSize
    ];

    // [MS-SMBD] 4.1: NegotiatedVersion 0x0100, CreditsRequested 10, CreditsGranted 10, Status 0,
    // MaxReadWriteSize 1 MiB, PreferredSendSize 1 KiB, MaxReceiveSize 1 KiB, MaxFragmentedSize 128 KiB.
    private static readonly byte[] NegotiateResponseFixture =
    [
        0x00, 0x01, 0x00, 0x01, // MinVersion, MaxVersion
        0x00, 0x01, 0x00, 0x00, // NegotiatedVersion, Reserved
        0x0A, 0x00, 0x0A, 0x00, // CreditsRequested, CreditsGranted
        0x00, 0x00, 0x00, 0x00, // Status
        0x00, 0x00, 0x10, 0x00, // MaxReadWriteSize
        0x00, 0x04, 0x00, 0x00, // PreferredSendSize
        0x00, 0x04, 0x00, 0x00, // MaxReceiveSize
        0x00, 0x00, 0x02, 0x00, // MaxFragmentedSize
    ];

    // A fragment carrying 8 bytes, 1,000 more to follow, asking for a prompt response: CreditsRequested 255,
    // CreditsGranted 3, Flags SMB_DIRECT_RESPONSE_REQUESTED, RemainingDataLength 1000, DataOffset 24, DataLength 8,
    // 4 bytes of padding, then the data.
    private static readonly byte[] DataTransferFixture =
    [
        0xFF, 0x00, 0x03, 0x00, // CreditsRequested, CreditsGranted
        0x01, 0x00, 0x00, 0x00, // Flags, Reserved
        0xE8, 0x03, 0x00, 0x00, // RemainingDataLength
        0x18, 0x00, 0x00, 0x00, // DataOffset
        0x08, 0x00, 0x00, 0x00, // DataLength
        0x00, 0x00, 0x00, 0x00, // Padding
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, // Buffer
    ];

    // No payload: the credit grant / keep-alive answer. DataOffset, DataLength, RemainingDataLength 0 (3.1.5.5).
    private static readonly byte[] EmptyDataTransferFixture =
    [
        0x0A, 0x00, 0x05, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    ];

    // Offset 0x0000_7F00_1234_5000, Token 0xA1B2C3D4, Length 64 KiB.
    private static readonly byte[] BufferDescriptorFixture =
    [
        0x00, 0x50, 0x34, 0x12, 0x00, 0x7F, 0x00, 0x00,
        0xD4, 0xC3, 0xB2, 0xA1,
        0x00, 0x00, 0x01, 0x00,
    ];

    [Test]
    public void NegotiateRequest_SpecExample_FieldsAndReencode()
    {
        Assert.That(SmbDirectNegotiateRequest.TryParse(NegotiateRequestFixture, out var r), Is.True);
        Assert.That((r.MinVersion, r.MaxVersion, r.Reserved, r.CreditsRequested, r.PreferredSendSize, r.MaxReceiveSize, r.MaxFragmentedSize),
            Is.EqualTo(((ushort)0x0100, (ushort)0x0100, (ushort)0, (ushort)10, 1024u, 1024u, 131072u)));
        Assert.That(r.OffersVersion1, Is.True);
        var buf = new byte[SmbDirectNegotiateRequest.Size];
        Assert.That(SmbDirectNegotiateRequest.Write(buf, 10, 1024, 1024, 131072), Is.EqualTo(20));
        Assert.That(buf, Is.EqualTo(NegotiateRequestFixture));
    }

    [TestCase((ushort)0x0100, (ushort)0x0100, true)]
    [TestCase((ushort)0x0000, (ushort)0x0200, true)]
    [TestCase((ushort)0x0101, (ushort)0x0200, false)]
    [TestCase((ushort)0x0200, (ushort)0x0100, false)]
    [TestCase((ushort)0x0000, (ushort)0x00FF, false)]
    public void NegotiateRequest_VersionRange_OffersVersion1OnlyWhenItIncludes0x0100(ushort min, ushort max, bool expected)
    {
        var buf = new byte[20];
        SmbDirectNegotiateRequest.Write(buf, 10, 1024, 1024, 131072, min, max);
        Assert.That(SmbDirectNegotiateRequest.TryParse(buf, out var r), Is.True);
        Assert.That(r.OffersVersion1, Is.EqualTo(expected));
    }

    [Test]
    public void NegotiateRequest_EveryPrefixAndCorruption_NeverThrows() =>
        ParserRobustness.Check(NegotiateRequestFixture, b => SmbDirectNegotiateRequest.TryParse(b, out _));

    [Test]
    public void NegotiateResponse_SpecExample_FieldsAndReencode()
    {
        Assert.That(SmbDirectNegotiateResponse.TryParse(NegotiateResponseFixture, out var r), Is.True);
        Assert.That((r.MinVersion, r.MaxVersion, r.NegotiatedVersion, r.CreditsRequested, r.CreditsGranted, r.Status),
            Is.EqualTo(((ushort)0x0100, (ushort)0x0100, (ushort)0x0100, (ushort)10, (ushort)10, NtStatus.Success)));
        Assert.That((r.MaxReadWriteSize, r.PreferredSendSize, r.MaxReceiveSize, r.MaxFragmentedSize),
            Is.EqualTo((1048576u, 1024u, 1024u, 131072u)));
        var buf = new byte[SmbDirectNegotiateResponse.Size];
        Assert.That(SmbDirectNegotiateResponse.Write(buf, 10, 10, 1048576, 1024, 1024, 131072), Is.EqualTo(32));
        Assert.That(buf, Is.EqualTo(NegotiateResponseFixture));
    }

    [Test]
    public void NegotiateResponse_Failure_OnlyVersionsAndStatusSet()
    {
        var buf = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        SmbDirectNegotiateResponse.WriteFailure(buf, NtStatus.NotSupported);
        byte[] expected =
        [
            0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xBB, 0x00, 0x00, 0xC0, // STATUS_NOT_SUPPORTED
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.That(buf, Is.EqualTo(expected));
    }

    [Test]
    public void NegotiateResponse_EveryPrefixAndCorruption_NeverThrows() =>
        ParserRobustness.Check(NegotiateResponseFixture, b => SmbDirectNegotiateResponse.TryParse(b, out _));

    [Test]
    public void DataTransfer_Fragment_FieldsAndReencode()
    {
        Assert.That(SmbDirectDataTransfer.TryParse(DataTransferFixture, out var m), Is.True);
        Assert.That((m.CreditsRequested, m.CreditsGranted, m.Flags, m.RemainingDataLength, m.DataOffset, m.DataLength),
            Is.EqualTo(((ushort)255, (ushort)3, SmbDirectFlags.ResponseRequested, 1000u, 24u, 8u)));
        Assert.That(m.Data.ToArray(), Is.EqualTo(DataTransferFixture[24..]));
        var buf = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        int at = SmbDirectDataTransfer.WriteHeader(buf, 255, 3, SmbDirectFlags.ResponseRequested, 1000, 8);
        Assert.That(at, Is.EqualTo(24), "DataOffset SHOULD be 24 (3.1.5.5)");
        DataTransferFixture.AsSpan(24).CopyTo(buf.AsSpan(at));
        Assert.That(buf, Is.EqualTo(DataTransferFixture));
    }

    [Test]
    public void DataTransfer_NoPayload_TwentyBytesWithZeroOffset()
    {
        var buf = Enumerable.Repeat((byte)0xEE, 20).ToArray();
        Assert.That(SmbDirectDataTransfer.WriteHeader(buf, 10, 5, SmbDirectFlags.None, 0, 0), Is.EqualTo(20));
        Assert.That(buf, Is.EqualTo(EmptyDataTransferFixture));
        Assert.That(SmbDirectDataTransfer.TryParse(buf, out var m), Is.True);
        Assert.That(m.Data.IsEmpty, Is.True);
    }

    [TestCase(20u, 8u, TestName = "DataTransfer_MisalignedOffset_Rejected")]
    [TestCase(24u, 9u, TestName = "DataTransfer_DataPastEnd_Rejected")]
    [TestCase(0u, 8u, TestName = "DataTransfer_DataOverlappingHeader_Rejected")]
    [TestCase(0xFFFFFFF8u, 16u, TestName = "DataTransfer_OffsetPlusLengthOverflows32Bits_Rejected")]
    public void DataTransfer_BadOffsetOrLength_Rejected(uint offset, uint length)
    {
        var buf = (byte[])DataTransferFixture.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(12), offset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(16), length);
        Assert.That(SmbDirectDataTransfer.TryParse(buf, out _), Is.False);
    }

    [Test]
    public void DataTransfer_MaxDataLength_KeepsOffsetPlusLengthWithinMaxSendSize()
    {
        Assert.That(SmbDirectDataTransfer.MaxDataLength(1364), Is.EqualTo(1340));
        Assert.That(SmbDirectDataTransfer.MaxDataLength(8192), Is.EqualTo(8168));
    }

    [Test]
    public void DataTransfer_EveryPrefixAndCorruption_NeverThrows()
    {
        ParserRobustness.Check(DataTransferFixture, b => SmbDirectDataTransfer.TryParse(b, out _));
        ParserRobustness.Check(EmptyDataTransferFixture, b => SmbDirectDataTransfer.TryParse(b, out _));
    }

    [Test]
    public void BufferDescriptor_Fixture_FieldsAndReencode()
    {
        Assert.That(BufferDescriptorV1.TryParse(BufferDescriptorFixture, out var d), Is.True);
        Assert.That(d, Is.EqualTo(new BufferDescriptorV1(0x00007F0012345000, 0xA1B2C3D4, 65536)));
        var buf = new byte[16];
        Assert.That(d.Write(buf), Is.EqualTo(16));
        Assert.That(buf, Is.EqualTo(BufferDescriptorFixture));
        ParserRobustness.Check(BufferDescriptorFixture, b => BufferDescriptorV1.TryParse(b, out _));
    }

    [Test]
    public void BufferDescriptorList_WholeDescriptorsOnly()
    {
        var two = new byte[32];
        BufferDescriptorList.Write(two, [new(0x1000, 7, 100), new(0x2000, 8, 200)]);
        Assert.That(BufferDescriptorList.TryParse(two, out var list), Is.True);
        Assert.That((list.Count, list[1], list.TotalLength), Is.EqualTo((2, new BufferDescriptorV1(0x2000, 8, 200), 300UL)));
        Assert.That(BufferDescriptorList.TryParse(two.AsSpan(0, 31), out _), Is.False, "not a multiple of 16");
        Assert.That(BufferDescriptorList.TryParse(default, out _), Is.False, "empty");
        ParserRobustness.AllPrefixesRejected(two, b => BufferDescriptorList.TryParse(b, out _), minimumValidLength: 16);
    }

    [Test]
    public void Wireshark_DecodesNegotiateMessagesAsWritten()
    {
        var rows = WiresharkDecoder.Decode([NegotiateRequestFixture, NegotiateResponseFixture],
            "smb_direct.negotiate_request", "smb_direct.negotiate_response", "smb_direct.version.min", "smb_direct.version.max",
            "smb_direct.version.negotiated", "smb_direct.credits.requested", "smb_direct.credits.granted", "smb_direct.status",
            "smb_direct.max_read_write_size", "smb_direct.preferred_send_size", "smb_direct.max_receive_size",
            "smb_direct.max_fragmented_size");
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0]["smb_direct.negotiate_request"], Is.Not.Empty, "packet 1 is a negotiate request");
        Assert.That((rows[0]["smb_direct.version.min"], rows[0]["smb_direct.version.max"], rows[0]["smb_direct.credits.requested"],
                rows[0]["smb_direct.preferred_send_size"], rows[0]["smb_direct.max_receive_size"], rows[0]["smb_direct.max_fragmented_size"]),
            Is.EqualTo(("0x0100", "0x0100", "10", "1024", "1024", "131072")));
        Assert.That(rows[1]["smb_direct.negotiate_response"], Is.Not.Empty, "packet 2 is a negotiate response");
        Assert.That((rows[1]["smb_direct.version.negotiated"], rows[1]["smb_direct.credits.requested"], rows[1]["smb_direct.credits.granted"],
                rows[1]["smb_direct.max_read_write_size"], rows[1]["smb_direct.max_fragmented_size"]),
            Is.EqualTo(("0x0100", "10", "10", "1048576", "131072")));
        Assert.That(Convert.ToUInt32(rows[1]["smb_direct.status"], 16), Is.EqualTo(0u));
    }

    [Test]
    public void Wireshark_DecodesDataTransferAndTheSmb2ReadChannelInfoInside()
    {
        // A whole SMB2 READ request with SMB2_CHANNEL_RDMA_V1 and one buffer descriptor, sent in one data transfer
        // message: Wireshark must find the SMB Direct header, then SMB2, then the descriptor.
        var info = new byte[16];
        new BufferDescriptorV1(0x00007F0012345000, 0xA1B2C3D4, 65536).Write(info);
        var read = Smb2TestMessages.Request(Smb2Command.Read, b =>
            ReadRequest.Write(b, 0x50, 0, 65536, 0, new FileId(1, 2), 0, Smb2Channel.RdmaV1, 0, info));
        var msg = new byte[SmbDirectDataTransfer.DataOffsetValue + read.Length];
        int at = SmbDirectDataTransfer.WriteHeader(msg, 255, 1, SmbDirectFlags.None, 0, (uint)read.Length);
        read.CopyTo(msg, at);

        var rows = WiresharkDecoder.Decode([msg, DataTransferFixture, EmptyDataTransferFixture],
            "smb_direct.data_message", "smb_direct.credits.requested", "smb_direct.credits.granted",
            "smb_direct.flags.response_requested", "smb_direct.remaining_length", "smb_direct.data_offset",
            "smb_direct.data_length", "smb2.cmd", "smb2.channel", "smb2.buffer_descriptor.offset",
            "smb2.buffer_descriptor.token", "smb2.buffer_descriptor.length");
        Assert.That(rows, Has.Count.EqualTo(3));
        var r = rows[0];
        Assert.That((r["smb_direct.credits.requested"], r["smb_direct.credits.granted"], r["smb_direct.data_offset"], r["smb_direct.data_length"]),
            Is.EqualTo(("255", "1", "24", read.Length.ToString())));
        Assert.That((r["smb2.cmd"], Convert.ToUInt32(r["smb2.channel"], 16)), Is.EqualTo(("8", 1u)));
        Assert.That((ulong.Parse(r["smb2.buffer_descriptor.offset"]), Convert.ToUInt32(r["smb2.buffer_descriptor.token"], 16),
            r["smb2.buffer_descriptor.length"]), Is.EqualTo((0x00007F0012345000UL, 0xA1B2C3D4u, "65536")));

        var f = rows[1];
        Assert.That(f["smb_direct.data_message"], Is.Not.Empty);
        Assert.That((f["smb_direct.credits.requested"], f["smb_direct.credits.granted"], f["smb_direct.remaining_length"],
            f["smb_direct.data_offset"], f["smb_direct.data_length"]), Is.EqualTo(("255", "3", "1000", "24", "8")));
        Assert.That(f["smb_direct.flags.response_requested"], Is.AnyOf("1", "True", "true"));
        var e = rows[2];
        Assert.That((e["smb_direct.credits.requested"], e["smb_direct.credits.granted"], e["smb_direct.data_length"]),
            Is.EqualTo(("10", "5", "0")));
    }
}
