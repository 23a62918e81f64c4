using FastSmb.Control.Config;

namespace FastSmb.Control.Shares;

/// <summary>Turns the configuration's share sections into the share list, adding IPC$ as every SMB server has it.</summary>
public static class ConfiguredShares
{
    public static IReadOnlyList<ShareDefinition> From(ServerConfig config)
    {
        var list = new List<ShareDefinition>
        {
            new("IPC$", "", ShareType.Ipc | ShareType.Special, $"IPC Service ({config.Global.ServerString})"),
        };
        list.AddRange(config.Shares.Select(s => new ShareDefinition(s.Name, s.Path, ShareType.Disk, s.Comment)
        {
            Encrypt = s.Encrypt,
            Browseable = s.Browseable,
            ReadOnly = s.ReadOnly,
            ForceUser = s.ForceUser,
            ForceGroup = s.ForceGroup,
            CreateMask = s.CreateMask,
            DurableHandles = s.DurableHandles,
            ContinuouslyAvailable = s.ContinuouslyAvailable,
            DirectoryMask = s.DirectoryMask,
            KernelChangeNotify = s.KernelChangeNotify ?? config.Global.KernelChangeNotify,
            KernelOplocks = s.KernelOplocks ?? config.Global.KernelOplocks,
            Access = new ShareAccess(s.GuestOk, s.ValidUsers),
        }));
        return list;
    }
}
