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
        user.Subcommands.Add(WithPassword(console, "add", "Add a user", AdminCommands.UserAdd));
        user.Subcommands.Add(WithPassword(console, "passwd", "Set a user's password", AdminCommands.UserPasswd));
        user.Subcommands.Add(NameOnly(console, "del", "Delete a user", AdminCommands.UserDel));

        var dataDir = CommonOptions.DataDir();
        var list = new Command("list", "List users") { dataDir };
        list.SetAction(parse =>
        {
            var response = AdminCall.Run(console, parse.GetValue(dataDir)!, null, new AdminRequest(AdminCommands.UserList));
            if (response is { Ok: true, Users: { } users })
                foreach (var u in users) console.Out.WriteLine($"{u.Name,-24} {u.Sid}{(u.Disabled ? "  (disabled)" : "")}");
            return AdminCall.Report(console, response);
        });
        user.Subcommands.Add(list);
        return user;
    }

    private static Command WithPassword(CliConsole console, string name, string description, string command)
    {
        var userName = new Argument<string>("NAME") { Description = "User name" };
        var password = new Option<string?>("--password") { Description = "The password (default: prompt twice, or one line from standard input when it is not a terminal)" };
        var dataDir = CommonOptions.DataDir();
        var c = new Command(name, description) { userName, password, dataDir };
        c.SetAction(parse =>
        {
            var pw = parse.GetValue(password) ?? ReadPassword(console);
            if (pw is null) return 1;
            var request = new AdminRequest(command)
            {
                Name = parse.GetValue(userName),
                NtHash = Convert.ToHexString(FileUserStore.ComputeNtHash(pw)),
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
