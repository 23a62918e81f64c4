using System.Formats.Asn1;
using System.Security.Cryptography;

namespace FastSmb.Protocol.Security.Spnego;

/// <summary>
/// RFC 4178 4.2.2 NegTokenResp ([1] choice of NegotiationToken, sent without the GSS-API wrapper). A decoded
/// object for the reason given on <see cref="NegTokenInit"/>.
/// </summary>
public sealed class NegTokenResp
{
    public NegState? State { get; init; }
    public string? SupportedMech { get; init; }
    public byte[]? ResponseToken { get; init; }
    public byte[]? MechListMic { get; init; }

    /// <summary>Parses a NegTokenResp. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> token, out NegTokenResp result)
    {
        result = null!;
        try
        {
            var outer = new AsnReader(token.ToArray(), AsnEncodingRules.BER);
            var choice = outer.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
            outer.ThrowIfNotEmpty();
            var seq = choice.ReadSequence();
            choice.ThrowIfNotEmpty();
            NegState? state = null;
            string? mech = null;
            byte[]? response = null, mic = null;
            while (seq.HasData)
            {
                Asn1Tag tag = seq.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific) return false;
                var field = seq.ReadSequence(tag);
                switch (tag.TagValue)
                {
                    case 0:
                        var value = field.ReadEnumeratedBytes().Span;
                        if (value.Length != 1 || value[0] > (byte)NegState.RequestMic) return false;
                        state = (NegState)value[0];
                        break;
                    case 1: mech = field.ReadObjectIdentifier(); break;
                    case 2: response = field.ReadOctetString(); break;
                    case 3: mic = field.ReadOctetString(); break;
                    default: field.ReadEncodedValue(); break;
                }
                field.ThrowIfNotEmpty();
            }
            result = new NegTokenResp { State = state, SupportedMech = mech, ResponseToken = response, MechListMic = mic };
            return true;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    public byte[] Encode()
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
        using (w.PushSequence())
        {
            if (State is { } s)
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    w.WriteEnumeratedValue(s);
            if (SupportedMech is not null)
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                    w.WriteObjectIdentifier(SupportedMech);
            if (ResponseToken is not null)
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                    w.WriteOctetString(ResponseToken);
            if (MechListMic is not null)
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                    w.WriteOctetString(MechListMic);
        }
        return w.Encode();
    }
}
