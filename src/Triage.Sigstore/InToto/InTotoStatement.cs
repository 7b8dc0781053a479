using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.InToto;

/// <summary>An in-toto subject: a name and its digests (algorithm name → lowercase hex). Subjects match by digest only.</summary>
public sealed record InTotoSubject(string Name, IReadOnlyDictionary<string, string> Digest)
{
    /// <summary>A subject with a single SHA-256 digest (lowercase hex, 64 characters; a <c>sha256:</c> prefix is accepted).</summary>
    public static InTotoSubject Sha256(string name, string hex)
    {
        var value = hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? hex[7..] : hex;
        if (value.Length != 64 || !value.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"'{hex}' is not a SHA-256 digest in hex", nameof(hex));
        return new InTotoSubject(name, new Dictionary<string, string> { ["sha256"] = value.ToLowerInvariant() });
    }
}

/// <summary>
/// An in-toto Statement (attestation layer): subjects plus a typed predicate. We write v1; we read v1 and v0.1,
/// which cosign still emits. The predicate is kept as its exact JSON text so a signed document round-trips unchanged.
/// </summary>
public sealed record InTotoStatement
{
    public const string TypeV1 = "https://in-toto.io/Statement/v1";
    public const string TypeV01 = "https://in-toto.io/Statement/v0.1";

    /// <summary>The OpenVEX predicate type cosign's <c>--type openvex</c> uses and verifies.</summary>
    public const string OpenVexPredicateType = "https://openvex.dev/ns";

    // sigstore-go's limits: they bound the work a hostile statement can cause.
    private const int MaxSubjects = 1024;
    private const int MaxDigestsPerSubject = 32;

    public required string Type { get; init; }
    public required IReadOnlyList<InTotoSubject> Subjects { get; init; }
    public required string PredicateType { get; init; }

    /// <summary>The predicate's JSON text, or null when the statement has none.</summary>
    public string? PredicateJson { get; init; }

    /// <summary>
    /// Builds a v1 statement. <paramref name="predicateJson"/> must be a JSON object (an OpenVEX document, for example);
    /// it is embedded verbatim.
    /// </summary>
    public static InTotoStatement Create(string predicateType, IEnumerable<InTotoSubject> subjects, string predicateJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(predicateType);
        var list = subjects.ToList();
        if (list.Count == 0) throw new ArgumentException("a statement needs at least one subject", nameof(subjects));
        foreach (var s in list)
            if (s.Digest.Count == 0) throw new ArgumentException($"subject '{s.Name}' has no digest", nameof(subjects));
        try
        {
            using var doc = JsonDocument.Parse(predicateJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SigstoreFormatException(SigstoreDocument.InTotoStatement, "predicate", "the predicate must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new SigstoreFormatException(SigstoreDocument.InTotoStatement, "predicate", $"not valid JSON ({e.Message})", e);
        }
        return new InTotoStatement { Type = TypeV1, Subjects = list, PredicateType = predicateType, PredicateJson = predicateJson };
    }

    public static InTotoStatement Parse(ReadOnlyMemory<byte> utf8)
    {
        using var doc = JsonCursor.ParseDocument(utf8, SigstoreDocument.InTotoStatement);
        var root = new JsonCursor(doc.RootElement, "", SigstoreDocument.InTotoStatement).RequireObject();
        var typeField = root.Required("_type");
        var type = typeField.GetString();
        if (type != TypeV1 && type != TypeV01) throw typeField.Error($"unsupported statement type '{type}'");

        var subjectsField = root.Required("subject");
        var subjects = new List<InTotoSubject>();
        foreach (var s in subjectsField.GetArray())
        {
            var digestField = s.Required("digest").RequireObject();
            var digest = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in digestField.Element.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) throw digestField.Error($"digest '{property.Name}' is not a string");
                digest[property.Name] = property.Value.GetString()!;
            }
            if (digest.Count == 0) throw digestField.Error("a subject needs at least one digest");
            if (digest.Count > MaxDigestsPerSubject) throw digestField.Error($"more than {MaxDigestsPerSubject} digests");
            subjects.Add(new InTotoSubject(s.OptionalString("name") ?? "", digest));
        }
        if (subjects.Count == 0) throw subjectsField.Error("a statement needs at least one subject");
        if (subjects.Count > MaxSubjects) throw subjectsField.Error($"more than {MaxSubjects} subjects");

        return new InTotoStatement
        {
            Type = type,
            Subjects = subjects,
            PredicateType = root.RequiredString("predicateType"),
            PredicateJson = root.Optional("predicate")?.Element.GetRawText(),
        };
    }

    /// <summary>True when some subject has exactly this digest (hex compared case-insensitively).</summary>
    public bool HasSubjectDigest(HashAlgorithmName algorithm, ReadOnlySpan<byte> digest)
    {
        var name = DigestAlgorithms.ToName(algorithm);
        var hex = Convert.ToHexStringLower(digest);
        return Subjects.Any(s => s.Digest.TryGetValue(name, out var value) && string.Equals(value, hex, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The digest algorithms named by the subjects that this library can compute.</summary>
    public IEnumerable<HashAlgorithmName> SubjectDigestAlgorithms() =>
        Subjects.SelectMany(s => s.Digest.Keys).Distinct().Select(DigestAlgorithms.FromName).OfType<HashAlgorithmName>();

    /// <summary>Compact UTF-8 JSON: the DSSE payload.</summary>
    public byte[] ToJsonBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonWriting.Compact))
        {
            w.WriteStartObject();
            w.WriteString("_type", Type);
            w.WriteStartArray("subject");
            foreach (var s in Subjects)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteStartObject("digest");
                foreach (var (alg, value) in s.Digest) w.WriteString(alg, value);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("predicateType", PredicateType);
            if (PredicateJson is not null)
            {
                w.WritePropertyName("predicate");
                w.WriteRawValue(PredicateJson);
            }
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToJsonBytes());
}
