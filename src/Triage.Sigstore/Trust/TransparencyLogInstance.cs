using Triage.Sigstore.Crypto;

namespace Triage.Sigstore.Trust;

/// <summary>A transparency log or CT log of the trusted root (<c>TransparencyLogInstance</c>).</summary>
public sealed record TransparencyLogInstance
{
    public required string BaseUrl { get; init; }
    public string HashAlgorithm { get; init; } = "SHA2_256";

    /// <summary>The key's raw bytes as the trusted root gives them (normally SPKI DER).</summary>
    public byte[]? PublicKeyBytes { get; init; }

    /// <summary>The protobuf <c>PublicKeyDetails</c> name, e.g. <c>PKIX_ECDSA_P256_SHA_256</c> or <c>PKIX_ED25519</c>.</summary>
    public string? KeyDetails { get; init; }

    /// <summary>When the key may be used; a SET must fall inside it.</summary>
    public ValidityPeriod ValidFor { get; init; } = ValidityPeriod.Always;

    /// <summary>True when the trusted root states a start for the key (a SET is not accepted from a key without one).</summary>
    public bool HasValidityStart => ValidFor.Start is not null;

    /// <summary>The log id bundles and SCTs refer to this log by.</summary>
    public required byte[] LogId { get; init; }

    /// <summary>Rekor v2: the C2SP key id of the checkpoint key, when given.</summary>
    public byte[]? CheckpointKeyId { get; init; }

    public string? Operator { get; init; }

    /// <summary>Host of <see cref="BaseUrl"/>: the signer name of Rekor v2 checkpoints.</summary>
    public string Host => Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) ? uri.Authority : BaseUrl;

    /// <summary>Loads the key; a key the library cannot read makes only this log unusable, not the whole trusted root.</summary>
    public VerificationKey? TryLoadKey(out string? problem)
    {
        problem = null;
        if (PublicKeyBytes is null || PublicKeyBytes.Length == 0)
        {
            problem = $"log {BaseUrl} has no public key in the trusted root";
            return null;
        }
        try
        {
            return VerificationKey.FromSubjectPublicKeyInfo(PublicKeyBytes, KeyDetails);
        }
        catch (SigstoreFormatException e)
        {
            problem = $"key of log {BaseUrl}: {e.Problem}";
            return null;
        }
    }
}
