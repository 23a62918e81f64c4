using System.Numerics;

namespace FastSmb.Datapath.Connections;

/// <summary>
/// The command sequence window of one connection ([MS-SMB2] 3.3.1.1 and 3.3.1.2): the set of MessageIds the
/// client may use. Granting credits extends it at the top; each request consumes CreditCharge consecutive ids,
/// each usable once. A request outside the window, or reusing an id, means the client is broken or hostile and
/// the connection is dropped ([MS-SMB2] 3.3.5.2.3).
/// Owned by the connection's owner; not thread-safe.
/// </summary>
public sealed class CreditWindow
{
    private readonly int _maxCredits;
    private readonly ulong[] _used;     // bitmap over [_low, _low + _used.Length*64), ring-indexed
    private readonly int _capacity;     // bits in _used
    private ulong _low;                 // lowest id not yet consumed
    private ulong _high;                // one past the highest granted id
    private int _consumedAboveLow;      // ids in (_low, _high) already consumed (holes keep _low back)

    /// <param name="maxCredits">Most credits a client may hold at once (Samba and Windows use 8192 by default).</param>
    public CreditWindow(int maxCredits = 8192)
    {
        if (maxCredits < 1) throw new ArgumentOutOfRangeException(nameof(maxCredits));
        _maxCredits = maxCredits;
        // Twice the credit limit leaves room for ids the client skips without starving it of credits.
        _capacity = (int)Math.Max(128, BitOperations.RoundUpToPowerOf2((uint)maxCredits * 2));
        _used = new ulong[_capacity / 64];
        _high = 1; // [MS-SMB2] 3.3.1.1: the window starts as { 0 }.
    }

    /// <summary>Credits the client holds now: granted ids it has not used.</summary>
    public int Available => (int)(_high - _low) - _consumedAboveLow;

    public ulong Low => _low;
    public ulong High => _high;

    /// <summary>
    /// Consumes <paramref name="charge"/> ids starting at <paramref name="messageId"/> (charge 0 counts as 1,
    /// [MS-SMB2] 3.3.5.2.3). False when any of them is outside the window or already used; then nothing changes.
    /// </summary>
    public bool TryConsume(ulong messageId, ushort charge)
    {
        ulong count = Math.Max((ushort)1, charge);
        if (messageId < _low || messageId > ulong.MaxValue - count || messageId + count > _high) return false;
        for (ulong id = messageId; id < messageId + count; id++)
            if (IsUsed(id)) return false;
        for (ulong id = messageId; id < messageId + count; id++)
        {
            SetUsed(id, true);
            _consumedAboveLow++;
        }
        // Slide the bottom of the window over the consumed prefix.
        while (_low < _high && IsUsed(_low))
        {
            SetUsed(_low, false);
            _low++;
            _consumedAboveLow--;
        }
        return true;
    }

    /// <summary>
    /// Grants credits for a response: what the client asked for, at least one while it holds none (so it is
    /// never stranded), never more than the credit limit or the bitmap's room. Returns the number granted.
    /// </summary>
    public ushort Grant(ushort requested, ushort charged)
    {
        int want = Math.Max((int)requested, 1);
        // [MS-SMB2] 3.3.1.2: a server SHOULD grant at least the credits the request consumed, so a client
        // that asks for fewer (for example 0) does not drain its window.
        if (Available == 0) want = Math.Max(want, Math.Max((int)charged, 1));
        int room = Math.Min(_maxCredits - Available, _capacity - (int)(_high - _low));
        int grant = Math.Clamp(want, 0, Math.Max(room, 0));
        _high += (ulong)grant;
        return (ushort)grant;
    }

    private bool IsUsed(ulong id)
    {
        int bit = (int)(id & (ulong)(_capacity - 1));
        return (_used[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private void SetUsed(ulong id, bool value)
    {
        int bit = (int)(id & (ulong)(_capacity - 1));
        if (value) _used[bit >> 6] |= 1UL << (bit & 63);
        else _used[bit >> 6] &= ~(1UL << (bit & 63));
    }
}
