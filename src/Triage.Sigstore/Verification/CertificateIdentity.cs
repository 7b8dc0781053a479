using System.Text.RegularExpressions;
using Triage.Sigstore.Certificates;

namespace Triage.Sigstore.Verification;

/// <summary>
/// The signer a keyless bundle must come from: a SubjectAlternativeName (exact, or a regular expression that must
/// match the whole value), the OIDC issuer (exact), and optionally exact values of other Fulcio extensions such as
/// <see cref="FulcioOids.SourceRepositoryUri"/>.
/// </summary>
public sealed record CertificateIdentity
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private CertificateIdentity(string issuer, string? san, Regex? sanPattern)
    {
        Issuer = issuer;
        SubjectAlternativeName = san;
        SubjectAlternativeNamePattern = sanPattern;
    }

    public string Issuer { get; }
    public string? SubjectAlternativeName { get; }
    public Regex? SubjectAlternativeNamePattern { get; }

    /// <summary>Further Fulcio extensions that must have exactly these values (OID → value).</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; init; } = new Dictionary<string, string>();

    public static CertificateIdentity Exact(string subjectAlternativeName, string issuer)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectAlternativeName);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        return new CertificateIdentity(issuer, subjectAlternativeName, null);
    }

    /// <summary>A SAN pattern; it is anchored, so <c>https://github.com/org/.*</c> cannot match a longer foreign URI.</summary>
    public static CertificateIdentity Pattern(string subjectAlternativeNamePattern, string issuer)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectAlternativeNamePattern);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        return new CertificateIdentity(issuer, null,
            new Regex($"^(?:{subjectAlternativeNamePattern})$", RegexOptions.CultureInvariant, RegexTimeout));
    }

    public CertificateIdentity WithExtension(string oid, string value) =>
        this with { Extensions = new Dictionary<string, string>(Extensions) { [oid] = value } };

    /// <summary>Null when the signer matches; otherwise what differs.</summary>
    internal string? Mismatch(SignerIdentity signer)
    {
        var names = signer.SubjectAlternativeNames.Select(n => n.Value).ToList();
        var nameMatches = SubjectAlternativeNamePattern is { } pattern
            ? names.Any(n => SafeIsMatch(pattern, n))
            : names.Contains(SubjectAlternativeName!, StringComparer.Ordinal);
        var expectedName = SubjectAlternativeName ?? $"/{SubjectAlternativeNamePattern}/";
        if (!nameMatches)
            return $"certificate identity '{string.Join("', '", names)}' does not match the expected '{expectedName}'";
        if (!string.Equals(signer.Issuer, Issuer, StringComparison.Ordinal))
            return $"certificate OIDC issuer '{signer.Issuer ?? "(none)"}' is not the expected '{Issuer}'";
        foreach (var (oid, value) in Extensions)
            if (!string.Equals(signer.Get(oid), value, StringComparison.Ordinal))
                return $"certificate extension {oid} is '{signer.Get(oid) ?? "(absent)"}', expected '{value}'";
        return null;
    }

    public override string ToString() => $"{SubjectAlternativeName ?? $"/{SubjectAlternativeNamePattern}/"} (issuer {Issuer})";

    private static bool SafeIsMatch(Regex pattern, string value)
    {
        try
        {
            return pattern.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
