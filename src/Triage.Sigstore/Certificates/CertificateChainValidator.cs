using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Certificates;

/// <summary>
/// Path validation to a trusted-root authority at a given time (the "hybrid model": the signing time must fall in
/// every certificate's validity). Only certificates from the trusted root are used to build the path; whatever the
/// bundle carries besides the leaf is ignored.
/// </summary>
internal static class CertificateChainValidator
{
    public const string CodeSigningEku = "1.3.6.1.5.5.7.3.3";
    public const string TimeStampingEku = "1.3.6.1.5.5.7.3.8";

    /// <summary>The validated path (leaf first, anchor last) and the authority it ends in, or null with the reasons.</summary>
    public static (IReadOnlyList<X509Certificate2>? Path, CertificateAuthority? Authority) Build(
        X509Certificate2 leaf, IEnumerable<CertificateAuthority> authorities, DateTimeOffset time, string requiredEku, out string? problem)
    {
        var reasons = new List<string>();
        foreach (var authority in authorities)
        {
            if (!authority.ValidFor.Contains(time))
            {
                reasons.Add($"{authority.DisplayName} is trusted only {authority.ValidFor}");
                continue;
            }
            var path = TryBuild(leaf, authority, time, requiredEku, out var reason);
            if (path is not null)
            {
                problem = null;
                return (path, authority);
            }
            reasons.Add($"{authority.DisplayName}: {reason}");
        }
        problem = reasons.Count == 0
            ? "the trusted root has no certificate authority"
            : $"no trusted authority issued the certificate valid at {time.UtcDateTime:u} ({string.Join("; ", reasons)})";
        return (null, null);
    }

    private static IReadOnlyList<X509Certificate2>? TryBuild(X509Certificate2 leaf, CertificateAuthority authority, DateTimeOffset time, string requiredEku, out string? problem)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(authority.Anchor);
        // The leaf itself may appear in a TSA's chain (certChain[0] is the TSA certificate); it is never an issuer.
        foreach (var intermediate in authority.CertChain.Take(authority.CertChain.Count - 1))
            if (!intermediate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                policy.ExtraStore.Add(intermediate);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = time.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new Oid(requiredEku));
        try
        {
            if (!chain.Build(leaf))
            {
                problem = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                return null;
            }
        }
        catch (CryptographicException e)
        {
            problem = e.Message;
            return null;
        }
        var path = chain.ChainElements.Select(e => e.Certificate).ToList();
        // Belt and braces: the path must end in this authority's anchor and every element must be valid at the time.
        if (!path[^1].RawDataMemory.Span.SequenceEqual(authority.Anchor.RawDataMemory.Span))
        {
            problem = "the path does not end in the authority's trust anchor";
            return null;
        }
        if (path.Any(c => c.NotBefore.ToUniversalTime() > time.UtcDateTime || c.NotAfter.ToUniversalTime() < time.UtcDateTime))
        {
            problem = "a certificate of the path is not valid at that time";
            return null;
        }
        problem = null;
        return path;
    }
}
