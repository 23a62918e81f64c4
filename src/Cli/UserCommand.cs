using System.CommandLine;
using FastSmb.Control.Admin;
using FastSmb.Control.Users;

namespace FastSmb.Cli;

/// <summary>`fastsmb user add|del|list|passwd`: accounts in the directory store (docs/administration.md).</summary>
public static class UserCommand
{
    public static Command Create(CliConsole console)
    {
        var user = new Command("user", "Manage user accounts");
        user.Subcommands.Add(WithPassword(console, "add", "Add a user", AdminCommands.UserAdd, unixIds: true));
        user.Subcommands.Add(WithPassword(console, "passwd", "Set a user's password", AdminCommands.UserPasswd));
        user.Subcommands.Add(NameOnly(console, "del", "Delete a user", AdminCommands.UserDel));

        var dataDir = CommonOptions.DataDir();
        var list = new Command("list", "List users") { dataDir };
        list.SetAction(parse =>
        {
            var response = AdminCall.Run(console, parse.GetValue(dataDir)!, null, new AdminRequest(AdminCommands.UserList));
            if (response is { Ok: true, Users: { } users })
                foreach (var u in users)
                    console.Out.WriteLine($"{u.Name,-24} {u.Sid,-48} {UnixIds(u)}{(u.Disabled ? "  (disabled)" : "")}");
            return AdminCall.Report(console, response);
        });
        user.Subcommands.Add(list);
        return user;
    }

    /// <summary>What `user list` shows of the Unix identity: the directory's uid/gid, or that the Unix account of
    /// the same name decides.</summary>
    private static string UnixIds(AdminUser u) => u.Uid is { } uid
        ? $"uid={uid} gid={(u.Gid is { } gid ? gid.ToString() : "(uid's)")}"
        : "uid=(Unix account)";

    private static Command WithPassword(CliConsole console, string name, string description, string command,
        bool unixIds = false)
    {
        var userName = new Argument<string>("NAME") { Description = "User name" };
        var password = new Option<string?>("--password") { Description = "The password (default: prompt twice, or one line from standard input when it is not a terminal)" };
        var uid = new Option<uint?>("--uid") { Description = "The Unix uid the user's file operations run as (default: the Unix account of the same name)" };
        var gid = new Option<uint?>("--gid") { Description = "The Unix gid (default: the primary group of --uid's account, else --uid)" };
        var dataDir = CommonOptions.DataDir();
        var c = new Command(name, description) { userName, password, dataDir };
        if (unixIds)
        {
            c.Options.Add(uid);
            c.Options.Add(gid);
            c.Validators.Add(result =>
            {
                if (result.GetValue(gid) is not null && result.GetValue(uid) is null)
                    result.AddError("--gid needs --uid");
            });
        }
        c.SetAction(parse =>
        {
            var pw = parse.GetValue(password) ?? ReadPassword(console);
            if (pw is null) return 1;
            var request = new AdminRequest(command)
            {
                Name = parse.GetValue(userName),
                NtHash = Convert.ToHexString(FileUserStore.ComputeNtHash(pw)),
                Uid = unixIds ? parse.GetValue(uid) : null,
                Gid = unixIds ? parse.GetValue(gid) : null,
            };
            return AdminCall.Report(console, AdminCall.Run(console, parse.GetValue(dataDir)!, null, request));
        });
        return c;
    }

    internal static Command NameOnly(CliConsole console, string name, string description, string command)
    {
        var argument = new Argument<string>("NAME");
        var dataDir = CommonOptions.DataDir();
        var c = new Command(name, description) { argument, dataDir };
        c.SetAction(parse => AdminCall.Report(console, AdminCall.Run(console, parse.GetValue(dataDir)!, null,
            new AdminRequest(command) { Name = parse.GetValue(argument) })));
        return c;
    }

    /// <summary>A terminal is asked twice, without echo; anything else gives one line.</summary>
    private static string? ReadPassword(CliConsole console)
    {
        if (!console.InputIsTerminal)
        {
            var line = console.In.ReadLine();
            if (string.IsNullOrEmpty(line)) { console.Error.WriteLine("fastsmb: no password on standard input"); return null; }
            return line;
        }
        var first = console.ReadSecret("New password: ");
        var second = console.ReadSecret("Retype new password: ");
        if (string.IsNullOrEmpty(first)) { console.Error.WriteLine("fastsmb: empty password"); return null; }
        if (first != second) { console.Error.WriteLine("fastsmb: the passwords do not match"); return null; }
        return first;
    }
}
