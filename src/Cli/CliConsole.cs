namespace FastSmb.Cli;

/// <summary>
/// The terminal as the commands see it: standard streams, whether standard input is a terminal, and a prompt that
/// reads a secret without echo. The tests pass their own to run commands in-process.
/// </summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, bool InputIsTerminal, Func<string, string?> ReadSecret)
{
    public static CliConsole System { get; } = new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected, PromptNoEcho);

    private static string? PromptNoEcho(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; continue; }
            if (key.KeyChar != '\0') text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
