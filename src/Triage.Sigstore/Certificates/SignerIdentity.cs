using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Triage.Sigstore.Certificates;

/// <summary>The kinds of SubjectAlternativeName Fulcio issues.</summary>
public enum SanKind
{
    Email,
    Uri,
    /// <summary>otherName of type 1.3.6.1.4.1.57264.1.7 (a username such as <c>foo!oidc.local</c>).</summary>
    OtherName,
    Dns,
}

public sealed record SubjectAlternativeName(SanKind Kind, string Value);

/// <summary>
/// Who a Fulcio certificate says signed: its SubjectAlternativeNames (Fulcio leaves have an empty subject), the OIDC
/// issuer, and the other Fulcio extensions (source repository, workflow, …) by OID.
/// </summary>
public sealed record SignerIdentity
{
    public required IReadOnlyList<SubjectAlternativeName> SubjectAlternativeNames { get; init; }

    /// <summary>The OIDC issuer: extension 1.8 if present, else legacy 1.1.</summary>
    public string? Issuer { get; init; }

    /// <summary>Fulcio extension values by OID (see <see cref="FulcioOids"/>).</summary>
    public required IReadOnlyDictionary<string, string> Extensions { get; init; }

    /// <summary>The first SAN value: what a person would call "the identity".</summary>
    public string? PrimaryName => SubjectAlternativeNames.Count > 0 ? SubjectAlternativeNames[0].Value : null;

    public string? Get(string oid) => Extensions.GetValueOrDefault(oid);

    public static SignerIdentity FromCertificate(X509Certificate2 certificate)
    {
        var sans = new List<SubjectAlternativeName>();
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var extension in certificate.Extensions)
        {
            var oid = extension.Oid?.Value;
            if (oid == "2.5.29.17") sans.AddRange(ReadSubjectAlternativeNames(extension.RawData));
            else if (oid is not null && oid.StartsWith(FulcioOids.Prefix, StringComparison.Ordinal) && ReadFulcioValue(oid, extension.RawData) is { } value)
                extensions[oid] = value;
        }
        var issuer = extensions.GetValueOrDefault(FulcioOids.Issuer) ?? extensions.GetValueOrDefault(FulcioOids.IssuerV1);
        return new SignerIdentity { SubjectAlternativeNames = sans, Issuer = issuer, Extensions = extensions };
    }

    private static string? ReadFulcioValue(string oid, byte[] raw)
    {
        if (FulcioOids.IsRawString(oid)) return Encoding.UTF8.GetString(raw);
        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            return reader.ReadCharacterString(UniversalTagNumber.UTF8String);
        }
        catch (AsnContentException)
        {
            // An extension we cannot read cannot satisfy a policy either; leave it out rather than fail the whole certificate.
            return null;
        }
    }

    private static IEnumerable<SubjectAlternativeName> ReadSubjectAlternativeNames(byte[] raw)
    {
        var names = new List<SubjectAlternativeName>();
        try
        {
            var seq = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
            while (seq.HasData)
            {
                var tag = seq.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    seq.ReadEncodedValue();
                    continue;
                }
                switch (tag.TagValue)
                {
                    case 0:
                    {
                        var other = seq.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                        var typeId = other.ReadObjectIdentifier();
                        var value = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
                        if (typeId == FulcioOids.OtherName)
                            names.Add(new SubjectAlternativeName(SanKind.OtherName, value.ReadCharacterString(UniversalTagNumber.UTF8String)));
                        break;
                    }
                    case 1:
                        names.Add(new SubjectAlternativeName(SanKind.Email, seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 1))));
                        break;
                    case 2:
                        names.Add(new SubjectAlternativeName(SanKind.Dns, seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2))));
                        break;
                    case 6:
                        names.Add(new SubjectAlternativeName(SanKind.Uri, seq.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6))));
                        break;
                    default:
                        seq.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (AsnContentException)
        {
            // A SAN we cannot decode yields no names at all (not the part read so far), so it matches no identity policy.
            return [];
        }
        return names;
    }
}
