using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Triage.Sigstore.Certificates;
using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Timestamps;

/// <summary>A signing time vouched for by a trusted timestamp authority.</summary>
public sealed record TimestampAuthorityTime(DateTimeOffset Time, CertificateAuthority Authority);

/// <summary>
/// Verifies the RFC 3161 timestamps of a bundle: the message imprint is the hash of the signature bytes, the token's
/// CMS signature verifies with a TSA certificate that chains to a trusted-root TSA at the time it states.
/// </summary>
public static class Rfc3161Verifier
{
    /// <summary>Unwraps a DER <c>TimeStampResp</c> (what bundles store) to its token; a bare token is accepted too.</summary>
    public static byte[] ExtractToken(byte[] signedTimestamp)
    {
        var reader = new AsnReader(signedTimestamp, AsnEncodingRules.BER).ReadSequence();
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)) return signedTimestamp; // already a ContentInfo
        var status = reader.ReadSequence();
        var code = status.ReadInteger();
        // 0 granted, 1 grantedWithMods: anything else carries no token.
        if (code != BigInteger.Zero && code != BigInteger.One) throw new CryptographicException($"the TSA refused the request (status {code})");
        if (!reader.HasData) throw new CryptographicException("the timestamp response carries no token");
        return reader.ReadEncodedValue().ToArray();
    }

    /// <summary>The verified time, or null with the reason.</summary>
    public static TimestampAuthorityTime? Verify(byte[] signedTimestamp, ReadOnlySpan<byte> signature, TrustedRoot trustedRoot, out string? problem)
    {
        Rfc3161TimestampToken? token;
        try
        {
            if (!Rfc3161TimestampToken.TryDecode(ExtractToken(signedTimestamp), out token, out _))
            {
                problem = "not a valid RFC 3161 timestamp token";
                return null;
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            problem = $"not a valid RFC 3161 timestamp ({e.Message})";
            return null;
        }

        var time = token.TokenInfo.Timestamp;
        var reasons = new List<string>();
        foreach (var authority in trustedRoot.TimestampAuthorities)
        {
            if (!authority.ValidFor.Contains(time))
            {
                reasons.Add($"{authority.DisplayName} is trusted only {authority.ValidFor}");
                continue;
            }
            // Tokens may omit certificates; the trusted root's TSA certificate is then the signer candidate.
            var candidates = new X509Certificate2Collection(authority.CertChain.ToArray());
            X509Certificate2? signer;
            try
            {
                if (!token.VerifySignatureForData(signature, out signer, candidates)) signer = null;
            }
            catch (CryptographicException)
            {
                signer = null;
            }
            if (signer is null)
            {
                reasons.Add($"{authority.DisplayName}: the token does not cover this signature or its CMS signature does not verify");
                continue;
            }
            var (path, _) = CertificateChainValidator.Build(signer, [authority], time, CertificateChainValidator.TimeStampingEku, out var chainProblem);
            if (path is null)
            {
                reasons.Add(chainProblem!);
                continue;
            }
            problem = null;
            return new TimestampAuthorityTime(time, authority);
        }
        problem = reasons.Count == 0 ? "the trusted root has no timestamp authority" : string.Join("; ", reasons);
        return null;
    }
}
