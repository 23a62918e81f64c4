using FastSmb.Datapath.State;

namespace FastSmb.Server.Tests.State;

/// <summary>Records with every field set to a value that differs from its default, for round trips.</summary>
internal static class StateSamples
{
    public static OpenGlobalRecord Open(ulong id, bool persistent = true, Guid? createGuid = null) => new()
    {
        PersistentFileId = id,
        VolatileFileId = id * 7 + 3,
        CreateGuid = createGuid ?? Guid.NewGuid(),
        ClientGuid = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        AppInstanceId = Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa"),
        SessionId = 0x1000 + id,
        Owner = "WORKGROUP\\bench",
        ShareName = "ca",
        Path = $"dir\\fïle-{id}.txt",
        GrantedAccess = 0x0012019f,
        ShareAccess = 7,
        CreateOptions = 0x40,
        OplockLevel = 0xff,
        LeaseKey = Guid.Parse("bbbbbbbb-cccc-dddd-eeee-ffffffffffff"),
        IsPersistent = persistent,
        DurableTimeoutMs = 60_000,
        DisconnectedUntilUtcTicks = 0,
        Locks = [new LockRecord(0, 100, true), new LockRecord(4096, ulong.MaxValue, false)],
        Sequence = 5,
    };

    public static SessionGlobalRecord Session(ulong id) => new()
    {
        SessionId = id, ClientGuid = Guid.NewGuid(), Owner = "bench", Dialect = 0x311, CreatedUtcTicks = 638_000_000_000_000_000, Sequence = 2,
    };

    public static TreeConnectGlobalRecord Tree(ulong session, uint tree) => new()
    {
        SessionId = session, TreeId = tree, ShareName = "ca", Sequence = 3,
    };

    public static LeaseGlobalRecord Lease(Guid client, Guid key) => new()
    {
        ClientGuid = client, LeaseKey = key, ParentLeaseKey = Guid.NewGuid(), ShareName = "ca", Path = "a\\b",
        LeaseState = 7, Epoch = 9, Version = 2, Sequence = 4,
    };

    /// <summary>Records are compared field by field (Locks is a list, which record equality compares by reference).</summary>
    public static void AssertSame(OpenGlobalRecord actual, OpenGlobalRecord expected, bool ignoreDisconnect = false)
    {
        Assert.That(actual with { Locks = [], DisconnectedUntilUtcTicks = 0, Sequence = 0 },
            Is.EqualTo(expected with { Locks = [], DisconnectedUntilUtcTicks = 0, Sequence = 0 }));
        Assert.That(actual.Locks, Is.EqualTo(expected.Locks));
        if (!ignoreDisconnect)
        {
            Assert.That(actual.DisconnectedUntilUtcTicks, Is.EqualTo(expected.DisconnectedUntilUtcTicks));
            Assert.That(actual.Sequence, Is.EqualTo(expected.Sequence));
        }
    }
}
