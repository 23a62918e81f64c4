using System.Net;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;

namespace FastSmb.Cli;

/// <summary>What `fastsmb serve` prints on start: where the data is, who can log on, and the command to connect.</summary>
public static class Banner
{
    public static void Print(TextWriter o, EmbeddedDefault.Prepared prepared, ServerConfig config, IPEndPoint endPoint)
    {
        string host = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            ? "127.0.0.1" : endPoint.Address.ToString();
        string portArg = endPoint.Port == 445 ? "" : $" -p {endPoint.Port}";
        var firstShare = config.Shares.Count > 0 ? config.Shares[0].Name : "IPC$";

        o.WriteLine($"FastSmb listening on {endPoint}");
        o.WriteLine($"  data dir : {prepared.DataDir.Root}");
        o.WriteLine($"  config   : {prepared.ConfigPath}");
        o.WriteLine($"  admin    : {prepared.DataDir.AdminSocketPath}");
        foreach (var s in config.Shares) o.WriteLine($"  share    : {s.Name} -> {s.Path}");
        if (prepared.UserName is null)
        {
            o.WriteLine($"  users    : {prepared.Directory.ListUsers().Count} in the directory (fastsmb user list --data-dir {prepared.DataDir.Root})");
            o.Flush();
            return;
        }
        o.WriteLine($"  user     : {prepared.UserName}");
        if (prepared.GeneratedPassword is not null)
            o.WriteLine($"  password : {prepared.GeneratedPassword}   (generated now and shown once; only its NT hash is stored)");
        else if (prepared.PasswordFromEnvironment)
            o.WriteLine("  password : from FASTSMB_PASSWORD");
        else
            o.WriteLine("  password : as set on an earlier start (set FASTSMB_PASSWORD to change it)");
        string credentials = prepared.GeneratedPassword is not null
            ? $"{prepared.UserName}%{prepared.GeneratedPassword}" : prepared.UserName;
        o.WriteLine("Connect with:");
        o.WriteLine($"  smbclient //{host}/{firstShare}{portArg} -U {credentials}");
        o.WriteLine($"  smbclient -L //{host}{portArg} -U {credentials}");
        o.Flush();
    }
}
