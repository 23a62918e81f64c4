namespace FastSmb.Interop.Tests.Support;

/// <summary>
/// Counts of one smbtorture run from its subunit v1 output (<c>--format=subunit</c>), counted the way
/// scripts/torture.sh counts them, so that the CI test and the conformance report agree. <see cref="PassedNames"/>
/// lists the tests that succeeded, in order, by their full subunit name ("srvsvc (admin access).NetSrvGetInfo").
/// </summary>
public sealed record SubunitSummary(int Passed, int Failed, int Skipped, int Errors, IReadOnlyList<string> NotPassed,
    IReadOnlyList<string> PassedNames)
{
    public int Total => Passed + Failed + Skipped + Errors;

    /// <summary>
    /// One result per test name; the "[ … ]" detail blocks after a result are skipped; a test announced with
    /// "test: X" that never gets a result (a crash, the time limit) counts as an error.
    /// </summary>
    public static SubunitSummary Parse(string output)
    {
        int passed = 0, failed = 0, skipped = 0, errors = 0;
        var notPassed = new List<string>();
        var passedNames = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        string? open = null;
        var inDetails = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (inDetails)
            {
                inDetails = line != "]";
                continue;
            }
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var kind = line[..colon];
            var name = line[(colon + 2)..];
            if (kind is "test" or "testing")
            {
                open = name;
                done.Remove(name);
                continue;
            }
            if (kind is not ("success" or "successful" or "failure" or "fail" or "error" or "skip" or "xfail" or "uxsuccess"))
            {
                continue;
            }
            if (name.EndsWith(" [", StringComparison.Ordinal))
            {
                name = name[..^2];
                inDetails = true;
            }
            else if (name.EndsWith(']') && name.LastIndexOf(" [", StringComparison.Ordinal) is var b and > 0)
            {
                name = name[..b];
            }
            if (!done.Add(name))
            {
                continue;
            }
            if (name == open)
            {
                open = null;
            }
            switch (kind)
            {
                case "success" or "successful":
                    passed++;
                    passedNames.Add(name);
                    break;
                case "failure" or "fail" or "uxsuccess":
                    failed++;
                    notPassed.Add($"{name} ({kind})");
                    break;
                case "skip" or "xfail":
                    skipped++;
                    break;
                default:
                    errors++;
                    notPassed.Add($"{name} ({kind})");
                    break;
            }
        }
        if (open is not null)
        {
            errors++;
            notPassed.Add($"{open} (no result)");
        }
        return new SubunitSummary(passed, failed, skipped, errors, notPassed, passedNames);
    }

    public override string ToString() =>
        $"passed {Passed} failed {Failed} skipped {Skipped} errors {Errors}"
        + (NotPassed.Count > 0 ? ": " + string.Join(", ", NotPassed) : "");
}
