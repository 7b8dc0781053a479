using System.Globalization;
using System.Security.Cryptography;
using Triage.Sigstore.Crypto;

namespace Triage.Sigstore.Verification;

/// <summary>A digest of an artifact, e.g. parsed from <c>sha256:ab12…</c>.</summary>
public sealed record ArtifactDigest(HashAlgorithmName Algorithm, byte[] Value)
{
    /// <summary>Parses <c>ALG:HEX</c> (sha256, sha384, sha512). Throws <see cref="FormatException"/> with the reason.</summary>
    public static ArtifactDigest Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new FormatException($"'{text}' is not ALG:HEX (for example sha256:…)");
        var algorithm = DigestAlgorithms.FromName(text[..colon])
            ?? throw new FormatException($"unsupported digest algorithm '{text[..colon]}' (sha256, sha384, sha512)");
        var hex = text[(colon + 1)..];
        if (hex.Length != 2 * DigestAlgorithms.Length(algorithm) || !hex.All(char.IsAsciiHexDigit))
            throw new FormatException($"'{hex}' is not a {DigestAlgorithms.ToName(algorithm)} digest in hex");
        return new ArtifactDigest(algorithm, Convert.FromHexString(hex));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{DigestAlgorithms.ToName(Algorithm)}:{Convert.ToHexStringLower(Value)}");
}

/// <summary>
/// What a bundle is verified against: the artifact's bytes (or a stream of them), or only its digest. Streams are
/// hashed once with every supported algorithm, so large artifacts are never held in memory.
/// </summary>
public sealed class Artifact
{
    private readonly Dictionary<HashAlgorithmName, byte[]> _digests;

    private Artifact(byte[]? bytes, Dictionary<HashAlgorithmName, byte[]> digests)
    {
        Bytes = bytes;
        _digests = digests;
    }

    /// <summary>The artifact bytes when given as bytes (needed only for pure Ed25519 signatures).</summary>
    public byte[]? Bytes { get; }

    public static Artifact FromBytes(byte[] bytes) =>
        new(bytes, DigestAlgorithms.Supported.ToDictionary(a => a, a => DigestAlgorithms.Hash(a, bytes)));

    public static Artifact FromStream(Stream stream)
    {
        var hashes = DigestAlgorithms.Supported.ToDictionary(a => a, IncrementalHash.CreateHash);
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
            foreach (var hash in hashes.Values) hash.AppendData(buffer, 0, read);
        var digests = hashes.ToDictionary(h => h.Key, h => h.Value.GetHashAndReset());
        foreach (var hash in hashes.Values) hash.Dispose();
        return new Artifact(null, digests);
    }

    public static Artifact FromFile(string path)
    {
        using var stream = File.OpenRead(path);
        return FromStream(stream);
    }

    public static Artifact FromDigest(ArtifactDigest digest) =>
        new(null, new Dictionary<HashAlgorithmName, byte[]> { [digest.Algorithm] = digest.Value });

    public static Artifact FromDigest(string digest) => FromDigest(ArtifactDigest.Parse(digest));

    /// <summary>The digest for an algorithm, or null when only a digest of another algorithm is known.</summary>
    public byte[]? GetDigest(HashAlgorithmName algorithm) => _digests.GetValueOrDefault(algorithm);

    public IEnumerable<HashAlgorithmName> KnownAlgorithms => _digests.Keys;
}
