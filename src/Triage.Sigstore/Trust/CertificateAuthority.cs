using System.Security.Cryptography.X509Certificates;

namespace Triage.Sigstore.Trust;

/// <summary>
/// A Fulcio CA or a timestamp authority of the trusted root. <see cref="CertChain"/> runs leaf-most first and ends
/// with the trust anchor, which may be a root or an intermediate.
/// </summary>
public sealed record CertificateAuthority
{
    public string? Uri { get; init; }
    public string? Organization { get; init; }
    public string? CommonName { get; init; }
    public required IReadOnlyList<X509Certificate2> CertChain { get; init; }
    public ValidityPeriod ValidFor { get; init; } = ValidityPeriod.Always;
    public string? Operator { get; init; }

    public X509Certificate2 Anchor => CertChain[^1];

    public string DisplayName => Uri ?? CommonName ?? CertChain[0].Subject;
}
