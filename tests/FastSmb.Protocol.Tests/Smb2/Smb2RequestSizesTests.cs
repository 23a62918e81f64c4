using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class Smb2RequestSizesTests
{
    // Spec StructureSizes, restated here (not read from the table under test).
    private static readonly (Smb2Command Command, int Size)[] Sizes =
    [
        (Smb2Command.Negotiate, 36), (Smb2Command.SessionSetup, 25), (Smb2Command.Logoff, 4),
        (Smb2Command.TreeConnect, 9), (Smb2Command.TreeDisconnect, 4), (Smb2Command.Create, 57),
        (Smb2Command.Close, 24), (Smb2Command.Flush, 24), (Smb2Command.Read, 49), (Smb2Command.Write, 49),
        (Smb2Command.Lock, 48), (Smb2Command.Ioctl, 57), (Smb2Command.Cancel, 4), (Smb2Command.Echo, 4),
        (Smb2Command.QueryDirectory, 33), (Smb2Command.ChangeNotify, 32), (Smb2Command.QueryInfo, 41),
        (Smb2Command.SetInfo, 33), (Smb2Command.OplockBreak, 24),
    ];

    // (command, offset field position, width, length field position, width) for every variable buffer.
    private static readonly (Smb2Command Command, int OffPos, int OffWidth, int LenPos, int LenWidth)[] Buffers =
    [
        (Smb2Command.SessionSetup, 12, 2, 14, 2), (Smb2Command.TreeConnect, 4, 2, 6, 2),
        (Smb2Command.Create, 44, 2, 46, 2), (Smb2Command.Create, 48, 4, 52, 4),
        (Smb2Command.Read, 44, 2, 46, 2), (Smb2Command.Write, 2, 2, 4, 4), (Smb2Command.Write, 40, 2, 42, 2),
        (Smb2Command.Ioctl, 24, 4, 28, 4), (Smb2Command.Ioctl, 36, 4, 40, 4),
        (Smb2Command.QueryDirectory, 24, 2, 26, 2), (Smb2Command.QueryInfo, 8, 2, 12, 4), (Smb2Command.SetInfo, 8, 2, 4, 4),
    ];

    private static IEnumerable<Smb2Command> AllCommands() => Sizes.Select(s => s.Command);

    /// <summary>A minimal well-formed request: the StructureSize bytes, LockCount/DialectCount 1, plus <paramref name="extra"/> bytes.</summary>
    private static byte[] Minimal(Smb2Command command, int extra = 0)
    {
        int size = Sizes.Single(s => s.Command == command).Size;
        var body = new byte[size + (command == Smb2Command.Negotiate ? 2 : 0) + extra];
        body[0] = (byte)size;
        if (command == Smb2Command.Negotiate) { body[2] = 1; body[36] = 0x02; body[37] = 0x02; }
        if (command == Smb2Command.Lock) body[2] = 1;
        return Smb2TestMessages.RawRequest(command, body);
    }

    [TestCaseSource(nameof(AllCommands))]
    public void TryValidate_MinimalRequest_Passes(Smb2Command command)
    {
        Assert.That(Smb2RequestSizes.TryValidate(Minimal(command), out var status), Is.True);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(Smb2RequestSizes.StructureSizeOf(command), Is.EqualTo(Sizes.Single(s => s.Command == command).Size));
    }

    [TestCaseSource(nameof(AllCommands))]
    public void TryValidate_WrongStructureSize_InvalidParameter(Smb2Command command)
    {
        var msg = Minimal(command);
        msg[64] += 2;
        Assert.That(Smb2RequestSizes.TryValidate(msg, out var status), Is.False);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [TestCaseSource(nameof(AllCommands))]
    public void TryValidate_BodyShorterThanFixedPart_InvalidParameter(Smb2Command command)
    {
        var msg = Minimal(command);
        int size = Sizes.Single(s => s.Command == command).Size;
        Assert.That(Smb2RequestSizes.TryValidate(msg.AsSpan(0, 64 + (size & ~1) - 1), out var status), Is.False);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void TryValidate_LeaseBreakAck36_Passes()
    {
        var body = new byte[36]; body[0] = 36;
        Assert.That(Smb2RequestSizes.TryValidate(Smb2TestMessages.RawRequest(Smb2Command.OplockBreak, body), out _), Is.True);
    }

    [Test]
    public void TryValidate_UnknownCommand_InvalidParameter()
    {
        var msg = Minimal(Smb2Command.Echo);
        msg[12] = 0x13;
        Assert.That(Smb2RequestSizes.TryValidate(msg, out var status), Is.False);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void TryValidate_NegotiateZeroDialects_InvalidParameter()
    {
        var msg = Minimal(Smb2Command.Negotiate);
        msg[66] = 0;
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
        msg[66] = 2; // two dialects claimed, one present
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
    }

    [Test]
    public void TryValidate_LockCountBeyondMessage_InvalidParameter()
    {
        var msg = Minimal(Smb2Command.Lock);
        msg[66] = 2;
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
        msg[66] = 0;
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
    }

    private static IEnumerable<TestCaseData> BufferCases() =>
        Buffers.Select(b => new TestCaseData(b.Command, b.OffPos, b.OffWidth, b.LenPos, b.LenWidth)
            .SetName($"TryValidate_Buffer_{b.Command}_at{b.OffPos}"));

    [TestCaseSource(nameof(BufferCases))]
    public void TryValidate_BufferInsideThenOutside(Smb2Command command, int offPos, int offWidth, int lenPos, int lenWidth)
    {
        int size = Sizes.Single(s => s.Command == command).Size;
        var msg = Minimal(command, extra: 8);
        int bufferOffset = 64 + (size & ~1);
        void Set(int pos, int width, uint v)
        {
            if (width == 2) Smb2TestMessages.PutU16(msg, pos, (int)v); else Smb2TestMessages.PutU32(msg, pos, v);
        }
        Set(offPos, offWidth, (uint)bufferOffset);
        Set(lenPos, lenWidth, (uint)(msg.Length - bufferOffset));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True, "buffer exactly filling the message");

        Set(lenPos, lenWidth, (uint)(msg.Length - bufferOffset + 1));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out var status), Is.False, "one byte past the end");
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter));

        Set(lenPos, lenWidth, 2);
        Set(offPos, offWidth, offWidth == 2 ? 0xFFFFu : 0xFFFFFFF0u);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False, "offset far outside");

        Set(offPos, offWidth, 64);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False, "offset inside the fixed part");
    }

    private static IEnumerable<string> CapturedRequests() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Captures"), "smb2-*-request-*.hex")
            .Select(Path.GetFileName)
            .Where(n => !n!.StartsWith("smb2-smb1-"))
            .Select(n => n!);

    [TestCaseSource(nameof(CapturedRequests))]
    public void TryValidate_CapturedRequest_Passes(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out var status), Is.True, status.ToStatusName());
    }

    [TestCaseSource(nameof(CapturedRequests))]
    public void TryValidate_CapturedRequest_Robust(string capture)
    {
        var msg = Captures.Load(capture);
        ParserRobustness.SurvivesCorruption(msg, m => Smb2RequestSizes.TryValidate(m, out _));
        for (int len = 0; len < 64 + 2; len++)
            Assert.That(Smb2RequestSizes.TryValidate(msg.AsSpan(0, len), out _), Is.False);
    }
}
