using System.Globalization;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// The quick smbtorture subset that CI runs on every change. The expected pass counts are the reference
/// Samba 4.17's (scripts/conformance.sh measures both side by side); FastSmb must pass at least as many, with
/// no failure. The full suites are run by scripts/conformance.sh, not here.
/// </summary>
public class SmbtortureTests
{
    // smbtorture's own limit, and ours a little later in case it does not stop
    private const int MaximumRuntimeSeconds = 120;

    [TestCase("smb2.connect", 1)]
    public void Suite_AgainstServer_PassesLikeSamba(string suite, int sambaPassed)
    {
        var target = FastSmbServerFixture.Target;
        var baseDir = Directory.CreateTempSubdirectory("fastsmb-torture-");
        try
        {
            var result = ExternalTool.Run("smbtorture",
                [
                    $"//{target.Host}/{ServerTarget.ShareName}",
                    "-p", target.Port.ToString(CultureInfo.InvariantCulture),
                    "-U", target.Credentials,
                    "-s", FastSmbPaths.ClientConf,
                    "--use-kerberos=off",
                    "--format=subunit",
                    "--option=torture:progress=no",
                    $"--maximum-runtime={MaximumRuntimeSeconds}",
                    $"--basedir={baseDir.FullName}",
                    suite,
                ],
                TimeSpan.FromSeconds(MaximumRuntimeSeconds + 30));
            var summary = SubunitSummary.Parse(result.StdOut);
            TestContext.Out.WriteLine($"{suite}: {summary}");

            Assert.That(result.TimedOut, Is.False, result.ToString());
            Assert.That(summary.Failed + summary.Errors, Is.Zero, $"{summary}\n{result}");
            Assert.That(summary.Passed, Is.GreaterThanOrEqualTo(sambaPassed), $"{summary}\n{result}");
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            baseDir.Delete(recursive: true);
        }
    }
}
