using System.CommandLine;
using FastSmb.Control.Admin;

namespace FastSmb.Cli;

/// <summary>`fastsmb group add|del|list|addmember|delmember`: groups for "valid users = @group".</summary>
public static class GroupCommand
{
    public static Command Create(CliConsole console)
    {
        var group = new Command("group", "Manage groups");
        group.Subcommands.Add(UserCommand.NameOnly(console, "add", "Add a group", AdminCommands.GroupAdd));
        group.Subcommands.Add(UserCommand.NameOnly(console, "del", "Delete a group", AdminCommands.GroupDel));
        group.Subcommands.Add(Member(console, "addmember", "Add a user to a group", AdminCommands.GroupAddMember));
        group.Subcommands.Add(Member(console, "delmember", "Remove a user from a group", AdminCommands.GroupDelMember));
        var dataDir = CommonOptions.DataDir();
        var list = new Command("list", "List groups and their members") { dataDir };
        list.SetAction(parse =>
        {
            var response = AdminCall.Run(console, parse.GetValue(dataDir)!, null, new AdminRequest(AdminCommands.GroupList));
            if (response is { Ok: true, Groups: { } groups })
                foreach (var g in groups) console.Out.WriteLine($"{g.Name,-24} {g.Sid}  {string.Join(", ", g.Members)}");
            return AdminCall.Report(console, response);
        });
        group.Subcommands.Add(list);
        return group;
    }

    private static Command Member(CliConsole console, string name, string description, string command)
    {
        var groupName = new Argument<string>("GROUP");
        var userName = new Argument<string>("USER");
        var dataDir = CommonOptions.DataDir();
        var c = new Command(name, description) { groupName, userName, dataDir };
        c.SetAction(parse => AdminCall.Report(console, AdminCall.Run(console, parse.GetValue(dataDir)!, null,
            new AdminRequest(command) { Name = parse.GetValue(groupName), Member = parse.GetValue(userName) })));
        return c;
    }
}
