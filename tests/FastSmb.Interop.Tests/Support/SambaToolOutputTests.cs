namespace FastSmb.Interop.Tests.Support;

public class SambaToolOutputTests
{
    // smbclient 4.17.12-Debian -L against the reference Samba 4.17 (scripts/reference-samba.sh)
    private const string SmbclientList = "\n\tSharename       Type      Comment\n\t---------       ----      -------\n"
        + "\tshare           Disk      \n\tIPC$            IPC       IPC Service (Samba 4.17.12-Debian)\n"
        + "\tmy docs         Disk      with a space\nSMB1 disabled -- no workgroup available\n";

    // rpcclient 4.17.12-Debian -c netshareenumall against the same Samba
    private const string RpcclientList = "netname: share\n\tremark:\t\n\tpath:\tC:\\tmp\\ref-samba-ci\\share\n\tpassword:\t\n"
        + "netname: IPC$\n\tremark:\tIPC Service (Samba 4.17.12-Debian)\n\tpath:\tC:\\tmp\n\tpassword:\t\n";

    [Test]
    public void SmbclientShares_SambaListing_NamesAndTypes()
    {
        var shares = SambaToolOutput.SmbclientShares(SmbclientList);

        Assert.That(shares, Is.EqualTo(new[]
        {
            new ListedShare("share", "Disk"),
            new ListedShare("IPC$", "IPC"),
            new ListedShare("my docs", "Disk"),
        }));
    }

    [Test]
    public void SmbclientShares_LogonFailure_None()
    {
        Assert.That(SambaToolOutput.SmbclientShares("session setup failed: NT_STATUS_LOGON_FAILURE\n"), Is.Empty);
    }

    [Test]
    public void RpcclientNetNames_SambaListing_Names()
    {
        Assert.That(SambaToolOutput.RpcclientNetNames(RpcclientList), Is.EqualTo(new[] { "share", "IPC$" }));
    }
}
