using System.Globalization;

namespace FastSmb.Datapath;

/// <summary>
/// How the server process runs its connections until the pinned io_uring core loops of issue 6 take over: each
/// connection's loop (<see cref="Connections.ConnectionOwner"/>) runs on the socket event thread that saw its data
/// ("inline completions"), with <c>cores</c> such threads, instead of being handed to the thread pool for every
/// request. A request is synchronous CPU work plus a file call, so the hand-off cost more than the request
/// (measured with <c>fastsmb bench</c> and smb2.bench: server CPU per 4 KiB READ and per ECHO about halved). The
/// thread pool, which still runs timers and async completions, is told not to spin waiting for work, which on
/// small machines took CPU from the clients and other connections.
/// Must run before the process's first socket operation: the runtime reads these settings once.
/// </summary>
public static class EventLoops
{
    /// <summary>Runtime settings (environment variables the .NET socket engine reads once, at first use).</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>The default number of event loops: one per CPU, leaving one free on machines of up to four.</summary>
    public static int DefaultCores(int processors) => processors <= 4 ? Math.Max(1, processors - 1) : processors;

    /// <summary>
    /// Sets up <paramref name="cores"/> event loops (null: <see cref="DefaultCores"/>) that run connections inline.
    /// Variables the operator set in the environment win. Returns the number of loops in effect.
    /// </summary>
    public static int Configure(int? cores, Func<string, string?> getEnvironment, Action<string, string> setEnvironment)
    {
        int wanted = cores ?? DefaultCores(Environment.ProcessorCount);
        if (getEnvironment(InlineCompletionsVariable) is null) setEnvironment(InlineCompletionsVariable, "1");
        if (getEnvironment(ThreadCountVariable) is { } set && int.TryParse(set, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            return n;
        setEnvironment(ThreadCountVariable, wanted.ToString(CultureInfo.InvariantCulture));
        return wanted;
    }
}
