using System.Net;
using System.Net.Sockets;
using FastSmb.Cli;

namespace FastSmb.Server.Tests.Cli;

/// <summary>`fastsmb bench` argument handling: bad arguments are refused with exit code 2 and a message.</summary>
public class BenchCommandTests
{
    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = FastSmbCommand.Run(args, new CliConsole(new StringReader(""), o, e, false, _ => null));
        return (code, o.ToString(), e.ToString());
    }

    [TestCase("server/share", "target")]
    [TestCase("//server", "target")]
    [TestCase("//server:0/share", "target")]
    [TestCase("//server:99999/share", "target")]
    [TestCase("//[::1/share", "target")]
    public void Bad_targets_are_refused(string target, string message)
    {
        var (code, _, error) = Run("bench", target);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
    }

    [TestCase("--workload", "scan", "unknown workload")]
    [TestCase("--size", "12X", "--size")]
    [TestCase("--block", "0", "--block")]
    [TestCase("--depth", "0", "--depth")]
    [TestCase("--transport", "quic", "transport")]
    [TestCase("--rdma-provider", "infiniband", "--rdma-provider", "--transport", "rdma")]
    public void Bad_options_are_refused(string option, string value, string message, params string[] more)
    {
        var (code, _, error) = Run(["bench", "//127.0.0.1:1/share", option, value, .. more]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void Rdma_to_a_socket_nobody_listens_on_fails_with_exit_code_1()
    {
        var (code, _, error) = Run("bench", "//127.0.0.1/share", "--transport", "rdma", "--rdma-address", "/tmp/fastsmb-no-such-socket.sock",
            "-t", "1");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("soft RDMA: connect failed"));
    }

    [Test]
    public void A_server_that_refuses_connections_fails_with_exit_code_1()
    {
        // a port nobody listens on: bind one, note it, close it
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var (code, _, error) = Run("bench", $"//127.0.0.1:{port}/share", "-w", "echo", "-t", "0.2", "-U", "u%p");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("fastsmb bench:"));
    }
}
