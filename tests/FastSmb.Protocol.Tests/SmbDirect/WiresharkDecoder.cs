using System.Diagnostics;
using System.Text;

namespace FastSmb.Protocol.Tests.SmbDirect;

/// <summary>
/// Cross-checks hand-built MS-SMBD bytes against Wireshark's own dissector. Each message is wrapped as the payload
/// of a RoCEv2 packet (UDP port 4791, an InfiniBand BTH with opcode RC SEND Only, a zero ICRC), written with
/// text2pcap, and decoded by tshark, whose enabled "infiniband.payload → smb_direct" heuristic recognises SMB Direct.
/// Returns the requested fields per packet. Tests that use it fail where tshark is not installed: scripts/install-test-deps.sh installs it.
/// </summary>
internal static class WiresharkDecoder
{
    private static readonly byte[] SendOnlyBth = [0x04, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x01];

    public static bool Available => FindTool("tshark") is not null && FindTool("text2pcap") is not null;

    /// <summary>Decodes <paramref name="messages"/> (one packet each) and returns, per packet, the values of <paramref name="fields"/>.</summary>
    public static List<Dictionary<string, string>> Decode(IReadOnlyList<byte[]> messages, params string[] fields)
    {
        Assert.That(Available, Is.True, "tshark/text2pcap are not installed (scripts/install-test-deps.sh installs them)");
        var dir = Directory.CreateTempSubdirectory("fastsmb-tshark-").FullName;
        try
        {
            var text = new StringBuilder();
            foreach (var m in messages)
            {
                var packet = SendOnlyBth.Concat(m).Concat(new byte[4]).ToArray();
                for (int i = 0; i < packet.Length; i += 16)
                {
                    text.Append(i.ToString("x6")).Append(' ');
                    text.AppendLine(string.Join(' ', packet.Skip(i).Take(16).Select(b => b.ToString("x2"))));
                }
            }
            var txt = Path.Combine(dir, "in.txt");
            var pcap = Path.Combine(dir, "in.pcap");
            File.WriteAllText(txt, text.ToString());
            Run("text2pcap", ["-q", "-u", "49152,4791", txt, pcap]);
            var args = new List<string> { "-r", pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"};
            foreach (var f in fields) { args.Add("-e"); args.Add(f); }
            var output = Run("tshark", args);
            var rows = new List<Dictionary<string, string>>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var values = line.Split('|');
                var row = new Dictionary<string, string>();
                for (int i = 0; i < fields.Length; i++) row[fields[i]] = i < values.Length ? values[i] : "";
                rows.Add(row);
            }
            return rows;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(FindTool(tool)!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // tshark warns (on stderr) when run as root; harmless.
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(); Assert.Fail($"{tool} did not finish"); }
        Assert.That(p.ExitCode, Is.EqualTo(0), $"{tool} failed: {stderr.Result}");
        return stdout.Result;
    }

    private static string? FindTool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
