using System.Formats.Asn1;
using System.Security.Cryptography;

namespace FastSmb.Protocol.Security.Spnego;

/// <summary>
/// RFC 4178 4.2.1 NegTokenInit, and [MS-SPNG] 2.2.1 NegTokenInit2 (which adds negHints at [3] and moves
/// mechListMIC to [4]), inside the GSS-API InitialContextToken (RFC 2743 3.1: [APPLICATION 0] { thisMech,
/// innerToken }). ASN.1 cannot be read in place at fixed offsets, so unlike the SMB2 wire structs this is a
/// decoded object; it is only used while a session is set up.
/// </summary>
public sealed class NegTokenInit
{
    /// <summary>The hint Windows sends in the NEGOTIATE response ([MS-SPNG] 3.2.5.2).</summary>
    public const string DefaultHintName = "not_defined_in_RFC4178@please_ignore";

    public IReadOnlyList<string> MechTypes { get; init; } = [];
    /// <summary>
    /// The DER of the MechTypeList exactly as received: the mechListMIC covers these bytes ([MS-SPNG] 3.1.5.1,
    /// RFC 4178 5 "the DER encoding of the MechTypeList").
    /// </summary>
    public byte[] MechTypesEncoded { get; init; } = [];
    public byte[]? MechToken { get; init; }
    public byte[]? MechListMic { get; init; }
    /// <summary>negHints.hintName of a NegTokenInit2; null in a plain NegTokenInit.</summary>
    public string? HintName { get; init; }

    /// <summary>Parses an InitialContextToken whose inner token is a NegTokenInit/NegTokenInit2. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> token, out NegTokenInit result)
    {
        result = null!;
        try
        {
            var outer = new AsnReader(token.ToArray(), AsnEncodingRules.BER);
            var gss = outer.ReadSequence(new Asn1Tag(TagClass.Application, 0));
            outer.ThrowIfNotEmpty();
            if (gss.ReadObjectIdentifier() != SpnegoOids.Spnego) return false;
            var choice = gss.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            var seq = choice.ReadSequence();
            return TryParseBody(seq, out result);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    private static bool TryParseBody(AsnReader seq, out NegTokenInit result)
    {
        result = null!;
        var mechs = new List<string>();
        byte[] mechTypesEncoded = [];
        byte[]? mechToken = null, mic = null;
        string? hint = null;
        while (seq.HasData)
        {
            Asn1Tag tag = seq.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific) return false;
            var field = seq.ReadSequence(tag);
            switch (tag.TagValue)
            {
                case 0:
                    mechTypesEncoded = field.PeekEncodedValue().ToArray();
                    var list = field.ReadSequence();
                    while (list.HasData) mechs.Add(list.ReadObjectIdentifier());
                    break;
                case 1: // reqFlags: SHOULD be omitted and is ignored ([MS-SPNG] 3.1.5.1 … "ignored").
                    field.ReadEncodedValue();
                    break;
                case 2:
                    mechToken = field.ReadOctetString();
                    break;
                case 3: // mechListMIC in RFC 4178, negHints in NegTokenInit2
                    if (field.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveOctetString)) mic = field.ReadOctetString();
                    else hint = ReadHint(field.ReadSequence());
                    break;
                case 4:
                    mic = field.ReadOctetString();
                    break;
                default:
                    field.ReadEncodedValue();
                    break;
            }
            field.ThrowIfNotEmpty();
        }
        if (mechs.Count == 0) return false; // mechTypes is the one mandatory field
        result = new NegTokenInit
        {
            MechTypes = mechs, MechTypesEncoded = mechTypesEncoded, MechToken = mechToken, MechListMic = mic, HintName = hint,
        };
        return true;
    }

    private static string? ReadHint(AsnReader hints)
    {
        string? name = null;
        while (hints.HasData)
        {
            Asn1Tag tag = hints.PeekTag();
            var field = hints.ReadSequence(tag);
            ReadOnlyMemory<byte> raw = field.ReadEncodedValue();
            // hintName is a GeneralString (tag 27), which AsnReader does not decode: take its contents as ASCII.
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 0 && raw.Length > 0 && raw.Span[0] == 0x1B)
            {
                AsnDecoder.ReadEncodedValue(raw.Span, AsnEncodingRules.BER, out int at, out int length, out _);
                name = System.Text.Encoding.ASCII.GetString(raw.Span.Slice(at, length));
            }
        }
        return name;
    }

    /// <summary>
    /// DER InitialContextToken. With <paramref name="hintName"/> it is a NegTokenInit2 (negHints at [3],
    /// mechListMIC at [4]); without, a NegTokenInit.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<string> mechTypes, ReadOnlySpan<byte> mechToken = default,
        string? hintName = null, ReadOnlySpan<byte> mechListMic = default)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence(new Asn1Tag(TagClass.Application, 0)))
        {
            w.WriteObjectIdentifier(SpnegoOids.Spnego);
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (w.PushSequence())
            {
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    w.WriteEncodedValue(EncodeMechTypes(mechTypes));
                if (!mechToken.IsEmpty)
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                        w.WriteOctetString(mechToken);
                if (hintName is not null)
                {
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                    using (w.PushSequence())
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                        w.WriteEncodedValue(GeneralString(hintName));
                }
                if (!mechListMic.IsEmpty)
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, hintName is null ? 3 : 4)))
                        w.WriteOctetString(mechListMic);
            }
        }
        return w.Encode();
    }

    /// <summary>DER of MechTypeList (SEQUENCE OF OBJECT IDENTIFIER), the bytes a mechListMIC covers.</summary>
    public static byte[] EncodeMechTypes(IReadOnlyList<string> mechTypes)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
            foreach (var oid in mechTypes) w.WriteObjectIdentifier(oid);
        return w.Encode();
    }

    private static byte[] GeneralString(string s)
    {
        // Tag 27 (GeneralString), definite length, ASCII contents; AsnWriter refuses to write this type itself.
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteOctetString(System.Text.Encoding.ASCII.GetBytes(s));
        byte[] b = w.Encode();
        b[0] = 0x1B;
        return b;
    }
}
