using FastSmb.Control.Users;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Spnego;

namespace FastSmb.Control.Auth;

/// <summary>
/// Makes <see cref="SpnegoSecurityContext"/>s that authenticate NTLMSSP (NTLMv2 only) against an
/// <see cref="IUserStore"/>. Kerberos is not offered yet. Immutable once built; shared by all connections.
/// </summary>
public sealed class SpnegoSecurityContextFactory : ISecurityContextFactory
{
    private readonly IUserStore _users;
    private readonly ServerIdentity _names;
    private readonly byte[] _hint;

    public SpnegoSecurityContextFactory(IUserStore users, ServerIdentity? names = null)
    {
        _users = users;
        _names = names ?? new ServerIdentity();
        // [MS-SPNG] 2.2.1 / 3.2.5.2: NegTokenInit2 listing the mechanisms, with the conventional negHints.
        _hint = NegTokenInit.Encode([SpnegoOids.Ntlmssp], hintName: NegTokenInit.DefaultHintName);
    }

    public ReadOnlySpan<byte> NegotiateHint => _hint;

    /// <summary>Tests only: the 8-byte server challenge every new context uses.</summary>
    internal byte[]? FixedChallengeForTests { get; set; }

    /// <summary>
    /// Tests only: a whole CHALLENGE message every new context answers with, to replay a captured exchange (the
    /// client's MIC covers the CHALLENGE it saw, so fixing the 8-byte challenge alone is not enough).
    /// </summary>
    internal byte[]? ReplayedChallengeMessageForTests { get; set; }

    public ISecurityContext Create() =>
        new SpnegoSecurityContext(_users, _names, FixedChallengeForTests, ReplayedChallengeMessageForTests);
}
