using System.CommandLine;
using FastSmb.Control.Admin;

namespace FastSmb.Cli;

/// <summary>`fastsmb share add|del|list`: edits the config file; a running server reloads it at once.</summary>
public static class ShareCommand
{
    public static Command Create(CliConsole console)
    {
        var share = new Command("share", "Manage shares (sections of the config file)");

        var name = new Argument<string>("NAME") { Description = "Share name" };
        var path = new Option<string>("--path") { Description = "Directory to share", Required = true };
        var comment = new Option<string?>("--comment") { Description = "Comment shown to clients" };
        var readOnly = new Option<bool>("--read-only") { Description = "Clients may not write" };
        var dataDir = CommonOptions.DataDir();
        var config = CommonOptions.Config();
        var add = new Command("add", "Add a share") { name, path, comment, readOnly, dataDir, config };
        add.SetAction(parse => AdminCall.Report(console, AdminCall.Run(console, parse.GetValue(dataDir)!, parse.GetValue(config),
            new AdminRequest(AdminCommands.ShareAdd)
            {
                Name = parse.GetValue(name),
                // Relative to where the command runs, not to where the server runs.
                Path = Path.GetFullPath(parse.GetValue(path)!),
                Comment = parse.GetValue(comment),
                ReadOnly = parse.GetValue(readOnly),
            })));
        share.Subcommands.Add(add);

        var delName = new Argument<string>("NAME");
        var delDataDir = CommonOptions.DataDir();
        var delConfig = CommonOptions.Config();
        var del = new Command("del", "Delete a share") { delName, delDataDir, delConfig };
        del.SetAction(parse => AdminCall.Report(console, AdminCall.Run(console, parse.GetValue(delDataDir)!, parse.GetValue(delConfig),
            new AdminRequest(AdminCommands.ShareDel) { Name = parse.GetValue(delName) })));
        share.Subcommands.Add(del);

        var listDataDir = CommonOptions.DataDir();
        var listConfig = CommonOptions.Config();
        var list = new Command("list", "List the configured shares") { listDataDir, listConfig };
        list.SetAction(parse =>
        {
            var response = AdminCall.Run(console, parse.GetValue(listDataDir)!, parse.GetValue(listConfig), new AdminRequest(AdminCommands.ShareList));
            if (response is { Ok: true, Shares: { } shares })
                foreach (var s in shares)
                    console.Out.WriteLine($"{s.Name,-16} {s.Path}{(s.ReadOnly ? "  (read only)" : "")}{(s.Browseable ? "" : "  (hidden)")}{(s.Comment.Length > 0 ? "  # " + s.Comment : "")}");
            return AdminCall.Report(console, response);
        });
        share.Subcommands.Add(list);
        return share;
    }
}
