using System.Reflection;

namespace FastSmb.Protocol.Tests;

public class NtStatusTests
{
    [Test]
    public void EveryMember_HasStatusName_MatchingItsValueName()
    {
        foreach (var field in typeof(NtStatus).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var attr = field.GetCustomAttribute<StatusNameAttribute>();
            Assert.That(attr, Is.Not.Null, field.Name);
            // STATUS_ACCESS_DENIED <-> AccessDenied: the attribute must spell the member's own name.
            var pascal = string.Concat(attr!.Name["STATUS_".Length..].Split('_')
                .Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));
            Assert.That(field.Name, Is.EqualTo(pascal).IgnoreCase, attr.Name);
        }
    }

    [Test]
    public void ToStatusName_KnownAndUnknown()
    {
        Assert.That(NtStatus.LogonFailure.ToStatusName(), Is.EqualTo("STATUS_LOGON_FAILURE"));
        Assert.That(((NtStatus)0xC0DEC0DE).ToStatusName(), Is.EqualTo("0xC0DEC0DE"));
    }

    [Test]
    public void IsError_SeverityBits()
    {
        Assert.That(NtStatus.AccessDenied.IsError(), Is.True);
        Assert.That(NtStatus.BufferOverflow.IsError(), Is.False);
        Assert.That(NtStatus.MoreProcessingRequired.IsError(), Is.True);
        Assert.That(NtStatus.Success.IsError(), Is.False);
    }
}
