using System.Text;
using System.Text.Json;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Dsse;

/// <summary>One DSSE signature: raw signature bytes and the optional, unauthenticated key id.</summary>
public sealed record DsseSignature(byte[] Signature, string? KeyId = null);

/// <summary>A DSSE envelope (secure-systems-lab/dsse): a payload, its type, and signatures over <see cref="Pae"/>.</summary>
public sealed record DsseEnvelope
{
    /// <summary>The only payload type Sigstore accepts in a bundle: an in-toto Statement.</summary>
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    public required string PayloadType { get; init; }
    public required byte[] Payload { get; init; }
    public required IReadOnlyList<DsseSignature> Signatures { get; init; }

    /// <summary>The bytes each signature signs.</summary>
    public byte[] PreAuthenticationEncoding() => Pae.Encode(PayloadType, Payload);

    public static DsseEnvelope Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static DsseEnvelope Parse(ReadOnlyMemory<byte> utf8)
    {
        using var doc = JsonCursor.ParseDocument(utf8, SigstoreDocument.DsseEnvelope);
        return Read(new JsonCursor(doc.RootElement, "", SigstoreDocument.DsseEnvelope));
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonWriting.Options)) Write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static DsseEnvelope Read(JsonCursor cursor)
    {
        cursor.RequireObject();
        var signatures = cursor.Required("signatures").GetArray()
            .Select(s => new DsseSignature(s.RequiredBytes("sig"), s.OptionalString("keyid")))
            .ToList();
        return new DsseEnvelope
        {
            PayloadType = cursor.RequiredString("payloadType"),
            // proto3 JSON omits empty bytes, so an absent payload is an empty one.
            Payload = cursor.OptionalBytes("payload") ?? [],
            Signatures = signatures,
        };
    }

    internal void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("payload", Convert.ToBase64String(Payload));
        writer.WriteString("payloadType", PayloadType);
        writer.WriteStartArray("signatures");
        foreach (var signature in Signatures)
        {
            writer.WriteStartObject();
            writer.WriteString("sig", Convert.ToBase64String(signature.Signature));
            // DSSE and sigstore-js emit keyid even when empty; keep the field for byte-level familiarity.
            writer.WriteString("keyid", signature.KeyId ?? "");
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
