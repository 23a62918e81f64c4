using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Server.Tests.State;

public sealed class StateStoreFactoryTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "fastsmb-factory-" + Guid.NewGuid().ToString("N"), "state");

    [TearDown]
    public void TearDown()
    {
        var root = Path.GetDirectoryName(_dir)!;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Test]
    public async Task Open_ByDefaultWithAWritableDirectory_IsFaster()
    {
        await using var store = StateStoreFactory.Open(new GlobalConfig(), _dir, _ => { });
        Assert.That(store, Is.InstanceOf<FasterServerStateStore>());
        Assert.That(File.Exists(Path.Combine(_dir, "LOCK")), Is.True);
    }

    [Test]
    public async Task Open_ConfiguredMemory_IsInMemoryAndWritesNothing()
    {
        await using var store = StateStoreFactory.Open(new GlobalConfig { StateStore = StateStoreKind.Memory }, _dir, _ => { });
        Assert.That(store, Is.InstanceOf<InMemoryServerStateStore>());
        Assert.That(Directory.Exists(_dir), Is.False);
    }

    [Test]
    public async Task Open_ByDefaultWhereNothingCanBeWritten_FallsBackToMemoryWithANotice()
    {
        // A path below a regular file can never be created, whoever runs the test (root included).
        var blocker = Path.GetDirectoryName(_dir)!;
        File.WriteAllText(blocker, "");
        try
        {
            var notices = new List<string>();
            await using var store = StateStoreFactory.Open(new GlobalConfig(), _dir, notices.Add);
            Assert.That(store, Is.InstanceOf<InMemoryServerStateStore>());
            Assert.That(notices, Has.Count.EqualTo(1));
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
