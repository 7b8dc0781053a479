using Triage.Sigstore.Bundles;
using Triage.Sigstore.Dsse;

namespace Triage.Sigstore.Signing;

/// <summary>A Fulcio certificate authority: exchanges an OIDC identity token and a CSR for a short-lived signing certificate.</summary>
public interface IFulcioClient
{
    /// <summary>The issued chain as DER, leaf first.</summary>
    Task<IReadOnlyList<byte[]>> RequestCertificateAsync(byte[] certificateSigningRequestDer, string identityToken, CancellationToken cancellationToken = default);
}

/// <summary>What to record in a transparency log: a signature over an artifact digest, or a DSSE envelope.</summary>
public sealed record RekorEntryRequest
{
    public required byte[] Signature { get; init; }

    /// <summary>The signer as PEM: the leaf certificate (keyless) or the public key (keyed).</summary>
    public required string VerifierPem { get; init; }

    /// <summary>For a message signature: the artifact's SHA-256 digest.</summary>
    public byte[]? ArtifactSha256 { get; init; }

    /// <summary>For an attestation: the signed envelope.</summary>
    public DsseEnvelope? Envelope { get; init; }
}

/// <summary>A Rekor transparency log: records a signing event and returns the entry with its proofs.</summary>
public interface IRekorClient
{
    Task<TransparencyLogEntry> AddEntryAsync(RekorEntryRequest request, CancellationToken cancellationToken = default);
}

/// <summary>An RFC 3161 timestamp authority.</summary>
public interface ITimestampAuthority
{
    /// <summary>Timestamps the signature bytes; returns the DER <c>TimeStampResp</c> a bundle stores.</summary>
    Task<byte[]> TimestampAsync(byte[] signature, CancellationToken cancellationToken = default);
}

/// <summary>A Sigstore service (Fulcio, Rekor, TSA) refused or failed a request.</summary>
public sealed class SigstoreServiceException(string service, string message, Exception? inner = null)
    : Exception($"{service}: {message}", inner)
{
    public string Service { get; } = service;
}
