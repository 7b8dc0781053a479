using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Dsse;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Transparency;

/// <summary>What a log entry's body must agree with: the bundle's signature, signer and signed content.</summary>
internal sealed record LogBodyExpectation
{
    public required byte[] Signature { get; init; }

    /// <summary>Leaf certificate DER (keyless) — exactly one of this and <see cref="PublicKeySpki"/>.</summary>
    public byte[]? CertificateDer { get; init; }

    /// <summary>SPKI DER of the verification key (keyed).</summary>
    public byte[]? PublicKeySpki { get; init; }

    /// <summary>The DSSE envelope, for attestation bundles.</summary>
    public DsseEnvelope? Envelope { get; init; }

    /// <summary>The artifact's digest for an algorithm, or null when it cannot be known (digest-only input of another algorithm).</summary>
    public required Func<HashAlgorithmName, byte[]?> ArtifactDigest { get; init; }
}

/// <summary>
/// Checks that a log entry records this bundle's signing event, not some other genuine entry (CVE-2022-36056):
/// same signature, same signer, same content. Bodies are compared field by field after parsing, because the
/// entry JSON is the log's serialization, not ours.
/// </summary>
internal static class RekorEntryBody
{
    /// <summary>Null when the body matches; otherwise what differs.</summary>
    public static string? Check(TransparencyLogEntry entry, LogBodyExpectation expected)
    {
        try
        {
            using var doc = JsonDocument.Parse(entry.CanonicalizedBody);
            var root = doc.RootElement;
            var kind = Str(root, "kind");
            var apiVersion = Str(root, "apiVersion");
            if (kind != entry.Kind || apiVersion != entry.KindVersion)
                return $"entry body is {kind} {apiVersion} but the bundle says {entry.Kind} {entry.KindVersion}";
            var spec = root.GetProperty("spec");
            return (kind, apiVersion) switch
            {
                ("hashedrekord", "0.0.1") => HashedRekordV001(spec, expected),
                ("hashedrekord", "0.0.2") => HashedRekordV002(spec, expected),
                ("dsse", "0.0.1") => DsseV001(spec, expected),
                ("intoto", "0.0.2") => IntotoV002(spec, expected),
                _ => $"unsupported log entry type {kind} {apiVersion}",
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"entry body is not a well-formed Rekor entry ({e.Message})";
        }
    }

    private static string? HashedRekordV001(JsonElement spec, LogBodyExpectation expected)
    {
        if (expected.Envelope is not null) return "a hashedrekord 0.0.1 entry cannot record a DSSE envelope";
        var signature = spec.GetProperty("signature");
        if (!Bytes(signature, "content").AsSpan().SequenceEqual(expected.Signature))
            return "the entry records a different signature";
        if (SignerProblem(Pem(Bytes(signature.GetProperty("publicKey"), "content")), expected) is { } signer) return signer;
        var hash = spec.GetProperty("data").GetProperty("hash");
        return DigestProblem(DigestAlgorithms.FromName(Str(hash, "algorithm")), Convert.FromHexString(Str(hash, "value")), expected.ArtifactDigest, "artifact");
    }

    private static string? HashedRekordV002(JsonElement spec, LogBodyExpectation expected)
    {
        var body = spec.GetProperty("hashedRekordV002");
        var signature = body.GetProperty("signature");
        if (!Bytes(signature, "content").AsSpan().SequenceEqual(expected.Signature))
            return "the entry records a different signature";
        var verifier = signature.GetProperty("verifier");
        var signerDer = verifier.TryGetProperty("x509Certificate", out var cert) ? (Label: "CERTIFICATE", Der: Bytes(cert, "rawBytes"))
            : (Label: "PUBLIC KEY", Der: Bytes(verifier.GetProperty("publicKey"), "rawBytes"));
        if (SignerProblem(signerDer, expected) is { } signer) return signer;
        var data = body.GetProperty("data");
        var algorithm = DigestAlgorithms.FromProtoName(Str(data, "algorithm"));
        var digest = Bytes(data, "digest");
        // Rekor v2 logs a DSSE envelope as a hashedrekord over its PAE (client spec §4.4, rekor-v2 spec §6.1.4).
        if (expected.Envelope is { } envelope)
            return DigestProblem(algorithm, digest, a => DigestAlgorithms.Hash(a, envelope.PreAuthenticationEncoding()), "DSSE PAE");
        return DigestProblem(algorithm, digest, expected.ArtifactDigest, "artifact");
    }

    private static string? DsseV001(JsonElement spec, LogBodyExpectation expected)
    {
        if (expected.Envelope is not { } envelope) return "a dsse entry cannot record a message signature";
        var payloadHash = spec.GetProperty("payloadHash");
        if (DigestProblem(DigestAlgorithms.FromName(Str(payloadHash, "algorithm")), Convert.FromHexString(Str(payloadHash, "value")),
                a => DigestAlgorithms.Hash(a, envelope.Payload), "DSSE payload") is { } payload)
            return payload;
        // The envelope hash is over the log's re-serialized envelope JSON and cannot be recomputed; python and go skip it too.
        var signatures = spec.GetProperty("signatures");
        if (signatures.GetArrayLength() != 1) return $"the entry records {signatures.GetArrayLength()} signatures, the bundle one";
        var only = signatures[0];
        if (!Bytes(only, "signature").AsSpan().SequenceEqual(expected.Signature)) return "the entry records a different signature";
        return SignerProblem(Pem(Bytes(only, "verifier")), expected);
    }

    private static string? IntotoV002(JsonElement spec, LogBodyExpectation expected)
    {
        if (expected.Envelope is not { } envelope) return "an intoto entry cannot record a message signature";
        var content = spec.GetProperty("content");
        var payloadHash = content.GetProperty("payloadHash");
        if (DigestProblem(DigestAlgorithms.FromName(Str(payloadHash, "algorithm")), Convert.FromHexString(Str(payloadHash, "value")),
                a => DigestAlgorithms.Hash(a, envelope.Payload), "DSSE payload") is { } payload)
            return payload;
        var logged = content.GetProperty("envelope");
        if (logged.TryGetProperty("payloadType", out var type) && type.GetString() != envelope.PayloadType)
            return "the entry records a different payload type";
        // intoto 0.0.2 stores the envelope's base64 strings base64-encoded once more.
        if (logged.TryGetProperty("payload", out var p) && !Base64Lenient.Decode(Encoding.UTF8.GetString(Base64Lenient.Decode(p.GetString()!))).AsSpan().SequenceEqual(envelope.Payload))
            return "the entry records a different payload";
        var signatures = logged.GetProperty("signatures");
        if (signatures.GetArrayLength() != 1) return $"the entry records {signatures.GetArrayLength()} signatures, the bundle one";
        var only = signatures[0];
        var sig = Base64Lenient.Decode(Encoding.UTF8.GetString(Bytes(only, "sig")));
        if (!sig.AsSpan().SequenceEqual(expected.Signature)) return "the entry records a different signature";
        return SignerProblem(Pem(Bytes(only, "publicKey")), expected);
    }

    private static string? SignerProblem((string Label, byte[] Der) signer, LogBodyExpectation expected)
    {
        if (expected.CertificateDer is { } cert)
            return signer.Label == "CERTIFICATE" && signer.Der.AsSpan().SequenceEqual(cert) ? null : "the entry records a different signing certificate";
        if (expected.PublicKeySpki is { } spki)
            return signer.Label == "PUBLIC KEY" && signer.Der.AsSpan().SequenceEqual(spki) ? null : "the entry records a different public key";
        return "no signer to compare the entry with";
    }

    private static string? DigestProblem(HashAlgorithmName? algorithm, byte[] logged, Func<HashAlgorithmName, byte[]?> actual, string what)
    {
        if (algorithm is not { } a) return "the entry uses an unsupported digest algorithm";
        var expected = actual(a);
        if (expected is null) return $"the entry records a {DigestAlgorithms.ToName(a)} digest, which cannot be compared with the {what} digest given";
        return CryptographicOperations.FixedTimeEquals(expected, logged) ? null : $"the entry records a different {what} digest";
    }

    private static (string Label, byte[] Der) Pem(byte[] pemBytes)
    {
        var pem = Encoding.UTF8.GetString(pemBytes);
        if (!PemEncoding.TryFind(pem, out var fields)) throw new FormatException("signer is not PEM");
        return (pem[fields.Label].ToString(), Convert.FromBase64String(pem[fields.Base64Data].ToString()));
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? throw new FormatException($"{name} is null");

    private static byte[] Bytes(JsonElement e, string name) => Base64Lenient.Decode(Str(e, name));
}
