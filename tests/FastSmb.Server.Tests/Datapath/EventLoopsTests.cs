using FastSmb.Datapath;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>The event-loop settings `fastsmb serve` gives the runtime before its first socket.</summary>
public class EventLoopsTests
{
    [TestCase(1, 1)]
    [TestCase(2, 1)]
    [TestCase(4, 3)]
    [TestCase(8, 8)]
    public void The_default_leaves_a_core_free_on_small_machines(int processors, int loops) =>
        Assert.That(EventLoops.DefaultCores(processors), Is.EqualTo(loops));

    [Test]
    public void Configured_cores_become_the_socket_thread_count_with_inline_completions()
    {
        var env = new Dictionary<string, string>();
        int loops = EventLoops.Configure(3, k => env.GetValueOrDefault(k), (k, v) => env[k] = v);
        Assert.That(loops, Is.EqualTo(3));
        Assert.That(env[EventLoops.ThreadCountVariable], Is.EqualTo("3"));
        Assert.That(env[EventLoops.InlineCompletionsVariable], Is.EqualTo("1"));
    }

    [Test]
    public void What_the_operator_set_in_the_environment_wins()
    {
        var env = new Dictionary<string, string>
        {
            [EventLoops.ThreadCountVariable] = "5",
            [EventLoops.InlineCompletionsVariable] = "0",
        };
        int loops = EventLoops.Configure(2, k => env.GetValueOrDefault(k), (k, v) => env[k] = v);
        Assert.That(loops, Is.EqualTo(5));
        Assert.That(env[EventLoops.ThreadCountVariable], Is.EqualTo("5"));
        Assert.That(env[EventLoops.InlineCompletionsVariable], Is.EqualTo("0"));
    }
}
