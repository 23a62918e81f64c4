namespace FastSmb.Protocol.Tests.Support;

/// <summary>
/// Feeds a parser every truncated prefix of a valid PDU and seeded random corruptions of it.
/// The parser must never throw: it answers false / an error status. Used by every codec's tests.
/// </summary>
public static class ParserRobustness
{
    /// <summary>A parser under test: returns whether it accepted the bytes. It must not throw.</summary>
    public delegate bool Parser(ReadOnlySpan<byte> input);

    /// <summary>
    /// Asserts that every strict prefix of <paramref name="valid"/> is rejected (or, where
    /// <paramref name="minimumValidLength"/> says a shorter message is legal, at least handled without
    /// throwing), and that the full PDU is accepted.
    /// </summary>
    public static void AllPrefixesRejected(byte[] valid, Parser parse, int? minimumValidLength = null)
    {
        Assert.That(parse(valid), Is.True, "the untruncated PDU must parse");
        int min = minimumValidLength ?? valid.Length;
        for (int len = 0; len < valid.Length; len++)
        {
            bool accepted;
            try { accepted = parse(valid.AsSpan(0, len)); }
            catch (Exception e) { Assert.Fail($"parser threw on a {len}-byte prefix: {e}"); return; }
            if (len < min)
                Assert.That(accepted, Is.False, $"a {len}-byte prefix of a {valid.Length}-byte PDU was accepted");
        }
    }

    /// <summary>
    /// Flips random bytes (1..4 per iteration) and truncates at random points, with a fixed seed so a failure
    /// reproduces. Only asserts that the parser does not throw; a corrupted PDU may well be legal.
    /// </summary>
    public static void SurvivesCorruption(byte[] valid, Parser parse, int iterations = 2000, int seed = 1234)
    {
        var rng = new Random(seed);
        var buf = new byte[valid.Length];
        for (int i = 0; i < iterations; i++)
        {
            valid.CopyTo(buf, 0);
            int flips = rng.Next(1, 5);
            for (int f = 0; f < flips && buf.Length > 0; f++)
                buf[rng.Next(buf.Length)] = (byte)rng.Next(256);
            int len = rng.Next(4) == 0 ? rng.Next(buf.Length + 1) : buf.Length;
            try { parse(buf.AsSpan(0, len)); }
            catch (Exception e)
            {
                Assert.Fail($"parser threw on corruption #{i} (seed {seed}, length {len}): {Convert.ToHexString(buf, 0, len)}\n{e}");
            }
        }
    }

    /// <summary>Both checks in one call, the usual form in codec tests.</summary>
    public static void Check(byte[] valid, Parser parse, int? minimumValidLength = null)
    {
        AllPrefixesRejected(valid, parse, minimumValidLength);
        SurvivesCorruption(valid, parse);
    }
}

/// <summary>Loads captured PDUs stored as hex text under Captures/ (see Captures/README.md for where each came from).</summary>
public static class Captures
{
    public static byte[] Load(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Captures", name);
        var text = File.ReadAllText(path);
        var hex = new System.Text.StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            var l = line.Trim();
            if (l.Length == 0 || l.StartsWith('#')) continue;
            foreach (var c in l) if (Uri.IsHexDigit(c)) hex.Append(c);
        }
        return Convert.FromHexString(hex.ToString());
    }
}
