using System.Security.Cryptography;

namespace Triage.Sigstore.Crypto;

/// <summary>
/// The names digest algorithms go by in Sigstore documents: protobuf enum names in bundles (<c>SHA2_256</c>) and
/// lowercase names in in-toto subjects, Rekor bodies and <c>alg:hex</c> digests (<c>sha256</c>).
/// </summary>
public static class DigestAlgorithms
{
    public static readonly IReadOnlyList<HashAlgorithmName> Supported = [HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512];

    /// <summary>From a protobuf <c>HashAlgorithm</c> name; null when unknown.</summary>
    public static HashAlgorithmName? FromProtoName(string name) => name switch
    {
        "SHA2_256" => HashAlgorithmName.SHA256,
        "SHA2_384" => HashAlgorithmName.SHA384,
        "SHA2_512" => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static string ToProtoName(HashAlgorithmName algorithm) =>
        algorithm == HashAlgorithmName.SHA384 ? "SHA2_384"
        : algorithm == HashAlgorithmName.SHA512 ? "SHA2_512"
        : algorithm == HashAlgorithmName.SHA256 ? "SHA2_256"
        : throw new NotSupportedException($"digest algorithm {algorithm} is not supported");

    /// <summary>From a lowercase name as in-toto and Rekor write it; null when unknown.</summary>
    public static HashAlgorithmName? FromName(string name) => name.ToLowerInvariant() switch
    {
        "sha256" or "sha-256" => HashAlgorithmName.SHA256,
        "sha384" or "sha-384" => HashAlgorithmName.SHA384,
        "sha512" or "sha-512" => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static string ToName(HashAlgorithmName algorithm) =>
        algorithm == HashAlgorithmName.SHA384 ? "sha384"
        : algorithm == HashAlgorithmName.SHA512 ? "sha512"
        : algorithm == HashAlgorithmName.SHA256 ? "sha256"
        : throw new NotSupportedException($"digest algorithm {algorithm} is not supported");

    public static byte[] Hash(HashAlgorithmName algorithm, ReadOnlySpan<byte> data) =>
        algorithm == HashAlgorithmName.SHA384 ? SHA384.HashData(data)
        : algorithm == HashAlgorithmName.SHA512 ? SHA512.HashData(data)
        : algorithm == HashAlgorithmName.SHA256 ? SHA256.HashData(data)
        : throw new NotSupportedException($"digest algorithm {algorithm} is not supported");

    public static int Length(HashAlgorithmName algorithm) =>
        algorithm == HashAlgorithmName.SHA384 ? 48 : algorithm == HashAlgorithmName.SHA512 ? 64 : 32;
}
