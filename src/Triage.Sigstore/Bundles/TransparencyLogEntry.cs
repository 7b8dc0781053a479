namespace Triage.Sigstore.Bundles;

/// <summary>
/// One transparency-log entry of a bundle (<c>dev.sigstore.rekor.v1.TransparencyLogEntry</c>). Nothing here is trusted
/// until the verifier has checked it against a log key from the trusted root.
/// </summary>
public sealed record TransparencyLogEntry
{
    /// <summary>The global log index; the SET signs this one.</summary>
    public required long LogIndex { get; init; }

    /// <summary>The log's key id (Rekor v1: SHA-256 of the log key's SPKI DER).</summary>
    public required byte[] LogId { get; init; }

    /// <summary>Entry kind (<c>hashedrekord</c>, <c>dsse</c>, <c>intoto</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>Entry version (<c>0.0.1</c>, <c>0.0.2</c>).</summary>
    public required string KindVersion { get; init; }

    /// <summary>Unix seconds the log says it integrated the entry; absent for Rekor v2. Only trusted through a verified SET.</summary>
    public long? IntegratedTime { get; init; }

    /// <summary>The inclusion promise (Signed Entry Timestamp), DER ECDSA; Rekor v1 only.</summary>
    public byte[]? SignedEntryTimestamp { get; init; }

    public InclusionProof? InclusionProof { get; init; }

    /// <summary>The exact bytes the log hashed: the leaf hash and the SET are computed over these, so they are never re-serialized.</summary>
    public required byte[] CanonicalizedBody { get; init; }
}

/// <summary>An RFC 9162 inclusion proof with the log's signed checkpoint.</summary>
public sealed record InclusionProof
{
    /// <summary>The index inside this tree (a Rekor v1 shard), not the global index.</summary>
    public required long LogIndex { get; init; }

    public required byte[] RootHash { get; init; }
    public required long TreeSize { get; init; }

    /// <summary>Audit path from leaf to root, leaf and root excluded.</summary>
    public required IReadOnlyList<byte[]> Hashes { get; init; }

    /// <summary>The signed note (C2SP checkpoint) text, or null when the bundle has none (allowed in v0.1 only).</summary>
    public string? Checkpoint { get; init; }
}
