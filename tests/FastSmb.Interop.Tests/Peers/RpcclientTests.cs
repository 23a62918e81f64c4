using System.Globalization;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>Samba's rpcclient: srvsvc NetShareEnumAll over the srvsvc pipe of IPC$.</summary>
public class RpcclientTests
{
    [Test]
    public void NetShareEnumAll_ValidCredentials_ListsShare()
    {
        var target = FastSmbServerFixture.Target;
        var result = ExternalTool.Run("rpcclient",
            [
                "-p", target.Port.ToString(CultureInfo.InvariantCulture),
                "-U", target.Credentials,
                "-s", FastSmbPaths.ClientConf,
                "--use-kerberos=off",
                "-c", "netshareenumall",
                target.Host,
            ],
            TimeSpan.FromSeconds(60));

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(SambaToolOutput.RpcclientNetNames(result.StdOut), Does.Contain(ServerTarget.ShareName), result.ToString());
    }
}
