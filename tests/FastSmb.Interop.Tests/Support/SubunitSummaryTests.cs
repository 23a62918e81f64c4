namespace FastSmb.Interop.Tests.Support;

public class SubunitSummaryTests
{
    // smbtorture 4.17.12-Debian, smb2.connect against the reference Samba 4.17 (scripts/reference-samba.sh)
    private const string ConnectPassed = """
        smbtorture 4.17.12-Debian
        Using seed 1795445038
        time: 2026-11-23 14:43:58.771934
        test: connect
        time: 2026-11-23 14:43:58.773208
        all_info for '\test9.dat'
        	create_time:    Mon Nov 23 14:43:59 2026 UTC
        time: 2026-11-23 14:43:58.79
        success: connect
        """;

    // smbtorture 4.17.12-Debian, smb2.setinfo against the same Samba (fails there: see the conformance notes)
    private const string SetinfoFailed = """
        smbtorture 4.17.12-Debian
        Using seed 1795445148
        test: setinfo
        (../../source4/torture/smb2/util.c:168) change_time not setup correctly
        failure: setinfo [
        (../../source4/torture/smb2/setinfo.c:117) ERROR: open of fnum_test_48.txt failed (NT_STATUS_INVALID_PARAMETER)
        success: not-a-result-inside-the-details
        ]
        """;

    // smbtorture 4.17.12-Debian, rpc.srvsvc (ncacn_np) against the reference Samba 4.17, shortened
    private const string SrvsvcMixed = """
        smbtorture 4.17.12-Debian
        Using seed 1795446600
        progress: 17
        test: srvsvc (admin access).NetCharDevEnum
        failure: srvsvc (admin access).NetCharDevEnum [
        ../../source4/torture/rpc/srvsvc.c:115: status was NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE, expected NT_STATUS_OK: NetCharDevEnum failed
        ]
        test: srvsvc (admin access).NetConnEnum
        Testing NetConnEnum level 0
        success: srvsvc (admin access).NetConnEnum
        test: srvsvc (admin access).NetShareAddSetDel
        skip: srvsvc (admin access).NetShareAddSetDel [
        disabled NetShareAddSetDel - enable dangerous tests to use
        ]
        test: srvsvc (admin access).NetNameValidate
        success: srvsvc (admin access).NetNameValidate
        """;

    [Test]
    public void Parse_RpcSuite_NamesTheSuccessesInOrder()
    {
        var summary = SubunitSummary.Parse(SrvsvcMixed);

        Assert.That((summary.Passed, summary.Failed, summary.Skipped, summary.Errors), Is.EqualTo((2, 1, 1, 0)));
        Assert.That(summary.PassedNames, Is.EqualTo(new[]
        {
            "srvsvc (admin access).NetConnEnum",
            "srvsvc (admin access).NetNameValidate",
        }));
        Assert.That(summary.NotPassed, Is.EqualTo(new[] { "srvsvc (admin access).NetCharDevEnum (failure)" }));
    }

    [Test]
    public void Parse_OneSuccess_CountsOnePassed()
    {
        var summary = SubunitSummary.Parse(ConnectPassed);

        Assert.That(summary, Has.Property(nameof(SubunitSummary.Passed)).EqualTo(1)
            .And.Property(nameof(SubunitSummary.Failed)).EqualTo(0)
            .And.Property(nameof(SubunitSummary.Errors)).EqualTo(0)
            .And.Property(nameof(SubunitSummary.Total)).EqualTo(1));
    }

    [Test]
    public void Parse_FailureWithDetails_CountsFailureAndSkipsDetails()
    {
        var summary = SubunitSummary.Parse(SetinfoFailed);

        Assert.That(summary.Failed, Is.EqualTo(1));
        Assert.That(summary.Passed, Is.Zero);
        Assert.That(summary.NotPassed, Is.EqualTo(new[] { "setinfo (failure)" }));
    }

    [Test]
    public void Parse_TestWithoutResult_CountsError()
    {
        var summary = SubunitSummary.Parse("test: a\nsuccess: a\ntest: b\n(crashed)\n");

        Assert.That(summary.Passed, Is.EqualTo(1));
        Assert.That(summary.Errors, Is.EqualTo(1));
        Assert.That(summary.NotPassed, Is.EqualTo(new[] { "b (no result)" }));
    }

    [Test]
    public void Parse_SkipXfailAndRepeatedResult_CountedOnce()
    {
        var summary = SubunitSummary.Parse("test: a\nskip: a [\nnot supported\n]\ntest: b\nxfail: b\nsuccess: b\ntest: c\r\nerror: c [ timeout ]\r\n");

        Assert.That(summary.Skipped, Is.EqualTo(2));
        Assert.That(summary.Passed, Is.Zero);
        Assert.That(summary.Errors, Is.EqualTo(1));
    }

    [Test]
    public void Parse_Empty_NothingCounted()
    {
        Assert.That(SubunitSummary.Parse("Unknown torture operation 'smb2.nonexistent'\n").Total, Is.Zero);
    }
}
