using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Dsse;
using Triage.Sigstore.InToto;

namespace Triage.Sigstore.Signing;

/// <summary>
/// Produces Sigstore bundles v0.3. Keyed: sign with a <see cref="KeyPairSigner"/>; the bundle names the key by
/// <c>publicKey.hint</c> and carries log entries and timestamps only if the services are configured. Keyless: an
/// OIDC token buys a short-lived Fulcio certificate for an ephemeral key, the signature is logged in Rekor and/or
/// timestamped, and the key is discarded.
/// </summary>
public sealed class SigstoreSigner(SigningServices? services = null)
{
    private readonly SigningServices _services = services ?? SigningServices.Offline;

    /// <summary>Signs an in-toto statement (e.g. an OpenVEX attestation) with a self-managed key: a DSSE bundle.</summary>
    public Task<SigstoreBundle> SignInTotoAsync(InTotoStatement statement, KeyPairSigner key, CancellationToken cancellationToken = default) =>
        SignAsync(Content.Dsse(statement), key, certificate: null, cancellationToken);

    /// <summary>Signs an artifact with a self-managed key: a message-signature bundle.</summary>
    public Task<SigstoreBundle> SignArtifactAsync(Stream artifact, KeyPairSigner key, CancellationToken cancellationToken = default) =>
        SignAsync(Content.Message(artifact), key, certificate: null, cancellationToken);

    /// <summary>Signs an in-toto statement keylessly with the identity of <paramref name="identityToken"/>.</summary>
    public Task<SigstoreBundle> SignInTotoKeylessAsync(InTotoStatement statement, string identityToken, CancellationToken cancellationToken = default) =>
        SignKeylessAsync(Content.Dsse(statement), identityToken, cancellationToken);

    /// <summary>Signs an artifact keylessly with the identity of <paramref name="identityToken"/>.</summary>
    public Task<SigstoreBundle> SignArtifactKeylessAsync(Stream artifact, string identityToken, CancellationToken cancellationToken = default) =>
        SignKeylessAsync(Content.Message(artifact), identityToken, cancellationToken);

    private async Task<SigstoreBundle> SignKeylessAsync(Content content, string identityToken, CancellationToken cancellationToken)
    {
        var ca = _services.CertificateAuthority
            ?? throw new InvalidOperationException("keyless signing needs a certificate authority (Fulcio)");
        if (_services.TransparencyLog is null && _services.TimestampAuthority is null)
            throw new InvalidOperationException("keyless signing needs a transparency log or a timestamp authority: a short-lived certificate is worthless without a trusted signing time");

        using var key = KeyPairSigner.Generate();
        var chain = await ca.RequestCertificateAsync(key.CreateCertificateSigningRequest(), identityToken, cancellationToken).ConfigureAwait(false);
        using var leaf = X509CertificateLoader.LoadCertificate(chain[0]);
        // The CA must have certified *our* key; anything else would produce a bundle no verifier accepts.
        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.PublicKeySpki))
            throw new SigstoreServiceException("Fulcio", "the issued certificate is not for the key in the request");
        return await SignAsync(content, key, leaf, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SigstoreBundle> SignAsync(Content content, KeyPairSigner key, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var signature = content.Envelope is { } unsigned
            ? key.Sign(unsigned.PreAuthenticationEncoding())
            : key.SignSha256Digest(content.ArtifactSha256!);
        var envelope = content.Envelope is { } e ? e with { Signatures = [new DsseSignature(signature, "")] } : null;

        var timestamps = new List<byte[]>();
        if (_services.TimestampAuthority is { } tsa)
            timestamps.Add(await tsa.TimestampAsync(signature, cancellationToken).ConfigureAwait(false));

        var entries = new List<TransparencyLogEntry>();
        if (_services.TransparencyLog is { } log)
        {
            var verifierPem = certificate is not null
                ? PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n"
                : key.ExportPublicKeyPem();
            entries.Add(await log.AddEntryAsync(new RekorEntryRequest
            {
                Signature = signature,
                VerifierPem = verifierPem,
                ArtifactSha256 = content.ArtifactSha256,
                Envelope = envelope,
            }, cancellationToken).ConfigureAwait(false));
        }

        return new SigstoreBundle
        {
            MediaType = BundleMediaTypes.V0_3,
            Version = BundleVersion.V0_3,
            VerificationMaterial = new VerificationMaterial
            {
                Kind = certificate is null ? SigningMaterialKind.PublicKey : SigningMaterialKind.Certificate,
                PublicKeyHint = certificate is null ? key.KeyHint : null,
                Certificates = certificate is null ? [] : [certificate.RawData],
                TlogEntries = entries,
                Rfc3161Timestamps = timestamps,
            },
            MessageSignature = content.ArtifactSha256 is { } digest
                ? new MessageSignature { DigestAlgorithm = HashAlgorithmName.SHA256, Digest = digest, Signature = signature }
                : null,
            DsseEnvelope = envelope,
        };
    }

    /// <summary>What is signed: a DSSE envelope (unsigned yet) or an artifact digest.</summary>
    private sealed record Content(DsseEnvelope? Envelope, byte[]? ArtifactSha256)
    {
        public static Content Dsse(InTotoStatement statement) => new(new DsseEnvelope
        {
            PayloadType = DsseEnvelope.InTotoPayloadType,
            Payload = statement.ToJsonBytes(),
            Signatures = [],
        }, null);

        public static Content Message(Stream artifact) => new(null, SHA256.HashData(artifact));
    }
}
