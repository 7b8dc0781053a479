using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Dsse;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Bundles;

/// <summary>
/// A Sigstore bundle (<c>dev.sigstore.bundle.v1.Bundle</c>, proto3 JSON): the signature or DSSE envelope plus the
/// material to verify it. Parsing checks structure only; trust is established by <see cref="Verification.BundleVerifier"/>.
/// </summary>
public sealed record SigstoreBundle
{
    public required string MediaType { get; init; }
    public required BundleVersion Version { get; init; }
    public required VerificationMaterial VerificationMaterial { get; init; }

    /// <summary>Set when the bundle signs an artifact directly; exactly one of this and <see cref="DsseEnvelope"/> is set.</summary>
    public MessageSignature? MessageSignature { get; init; }

    /// <summary>Set when the bundle carries a DSSE envelope (an attestation).</summary>
    public DsseEnvelope? DsseEnvelope { get; init; }

    /// <summary>The signature bytes that timestamps and log entries refer to.</summary>
    public byte[] SignatureBytes => MessageSignature?.Signature ?? DsseEnvelope!.Signatures[0].Signature;

    /// <summary>Parses bundle JSON. Throws <see cref="SigstoreFormatException"/> for anything structurally wrong.</summary>
    public static SigstoreBundle Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static SigstoreBundle Parse(ReadOnlyMemory<byte> utf8)
    {
        using var doc = JsonCursor.ParseDocument(utf8, SigstoreDocument.Bundle);
        return Read(new JsonCursor(doc.RootElement, "", SigstoreDocument.Bundle));
    }

    /// <summary>The bundle as proto3 JSON (standard padded base64, int64 as strings), indented.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonWriting.Options)) Write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static SigstoreBundle Read(JsonCursor root)
    {
        root.RequireObject();
        var mediaTypeField = root.Required("mediaType");
        var mediaType = mediaTypeField.GetString();
        var version = BundleMediaTypes.TryGetVersion(mediaType)
            ?? throw mediaTypeField.Error($"unsupported bundle media type '{mediaType}' (known: v0.1, v0.2, v0.3)");

        var material = ReadMaterial(root.Required("verificationMaterial"), version);

        var message = root.Optional("messageSignature");
        var dsse = root.Optional("dsseEnvelope");
        if (message is not null == dsse is not null)
            throw root.Error("a bundle must carry exactly one of messageSignature and dsseEnvelope");

        MessageSignature? messageSignature = null;
        if (message is { } m)
        {
            var digest = m.Optional("messageDigest");
            var algorithmName = digest?.OptionalString("algorithm");
            HashAlgorithmName? algorithm = algorithmName is null ? null : DigestAlgorithms.FromProtoName(algorithmName)
                ?? throw digest!.Value.Required("algorithm").Error($"unsupported digest algorithm '{algorithmName}'");
            messageSignature = new MessageSignature
            {
                DigestAlgorithm = algorithm,
                Digest = digest?.OptionalBytes("digest"),
                Signature = m.RequiredBytes("signature"),
            };
            if (messageSignature.Signature.Length == 0) throw m.Required("signature").Error("signature is empty");
        }

        DsseEnvelope? envelope = null;
        if (dsse is { } d)
        {
            envelope = DsseEnvelope.Read(d);
            // The bundle spec allows exactly one signature: more would make "the" signer ambiguous.
            if (envelope.Signatures.Count != 1)
                throw d.Required("signatures").Error($"a bundle's DSSE envelope must have exactly one signature, found {envelope.Signatures.Count}");
        }

        return new SigstoreBundle
        {
            MediaType = mediaType,
            Version = version,
            VerificationMaterial = material,
            MessageSignature = messageSignature,
            DsseEnvelope = envelope,
        };
    }

    private static VerificationMaterial ReadMaterial(JsonCursor vm, BundleVersion version)
    {
        vm.RequireObject();
        var publicKey = vm.Optional("publicKey");
        var chain = vm.Optional("x509CertificateChain");
        var certificate = vm.Optional("certificate");
        var present = (publicKey is null ? 0 : 1) + (chain is null ? 0 : 1) + (certificate is null ? 0 : 1);
        if (present != 1)
            throw vm.Error("exactly one of publicKey, x509CertificateChain and certificate is required");

        SigningMaterialKind kind;
        string? hint = null;
        List<byte[]> certificates = [];
        if (publicKey is { } pk)
        {
            kind = SigningMaterialKind.PublicKey;
            hint = pk.OptionalString("hint") ?? "";
        }
        else if (chain is { } c)
        {
            // v0.3 replaced the chain with the leaf-only field; a v0.3 bundle with a chain is malformed.
            if (version == BundleVersion.V0_3) throw c.Error("v0.3 bundles carry the leaf in 'certificate', not a certificate chain");
            kind = SigningMaterialKind.CertificateChain;
            certificates = c.Required("certificates").GetArray().Select(x => x.RequiredBytes("rawBytes")).ToList();
            if (certificates.Count == 0) throw c.Required("certificates").Error("the certificate chain is empty");
        }
        else
        {
            kind = SigningMaterialKind.Certificate;
            certificates = [certificate!.Value.RequiredBytes("rawBytes")];
        }

        var entries = vm.OptionalArray("tlogEntries").Select(ReadEntry).ToList();
        var timestamps = vm.Optional("timestampVerificationData")?.OptionalArray("rfc3161Timestamps")
            .Select(t => t.RequiredBytes("signedTimestamp")).ToList() ?? [];

        return new VerificationMaterial
        {
            Kind = kind,
            PublicKeyHint = hint,
            Certificates = certificates,
            TlogEntries = entries,
            Rfc3161Timestamps = timestamps,
        };
    }

    private static TransparencyLogEntry ReadEntry(JsonCursor e)
    {
        e.RequireObject();
        var kindVersion = e.Required("kindVersion");
        var logIndex = e.Required("logIndex").GetInt64();
        if (logIndex < 0) throw e.Required("logIndex").Error("log index is negative");
        var integrated = e.OptionalInt64("integratedTime");
        InclusionProof? proof = null;
        if (e.Optional("inclusionProof") is { } p)
        {
            proof = new InclusionProof
            {
                LogIndex = p.Required("logIndex").GetInt64(),
                RootHash = p.RequiredBytes("rootHash"),
                TreeSize = p.Required("treeSize").GetInt64(),
                Hashes = p.OptionalArray("hashes").Select(h => h.GetBytes()).ToList(),
                Checkpoint = p.Optional("checkpoint")?.OptionalString("envelope"),
            };
            if (proof.LogIndex < 0 || proof.TreeSize < 0) throw p.Error("negative index or tree size");
        }
        return new TransparencyLogEntry
        {
            LogIndex = logIndex,
            LogId = e.Required("logId").RequiredBytes("keyId"),
            Kind = kindVersion.RequiredString("kind"),
            KindVersion = kindVersion.RequiredString("version"),
            // proto3 writes no default values: a zero integrated time means "none" (Rekor v2).
            IntegratedTime = integrated is null or 0 ? null : integrated,
            SignedEntryTimestamp = e.Optional("inclusionPromise")?.OptionalBytes("signedEntryTimestamp"),
            InclusionProof = proof,
            CanonicalizedBody = e.RequiredBytes("canonicalizedBody"),
        };
    }

    private void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", MediaType);
        w.WriteStartObject("verificationMaterial");
        var vm = VerificationMaterial;
        switch (vm.Kind)
        {
            case SigningMaterialKind.PublicKey:
                w.WriteStartObject("publicKey");
                w.WriteString("hint", vm.PublicKeyHint ?? "");
                w.WriteEndObject();
                break;
            case SigningMaterialKind.CertificateChain:
                w.WriteStartObject("x509CertificateChain");
                w.WriteStartArray("certificates");
                foreach (var c in vm.Certificates) WriteRawBytes(w, null, c);
                w.WriteEndArray();
                w.WriteEndObject();
                break;
            case SigningMaterialKind.Certificate:
                WriteRawBytes(w, "certificate", vm.Certificates[0]);
                break;
        }
        // Always written, even empty: sigstore-js rejects a bundle without the tlogEntries field.
        w.WriteStartArray("tlogEntries");
        foreach (var entry in vm.TlogEntries) WriteEntry(w, entry);
        w.WriteEndArray();
        if (vm.Rfc3161Timestamps.Count > 0)
        {
            w.WriteStartObject("timestampVerificationData");
            w.WriteStartArray("rfc3161Timestamps");
            foreach (var ts in vm.Rfc3161Timestamps)
            {
                w.WriteStartObject();
                w.WriteString("signedTimestamp", Convert.ToBase64String(ts));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();

        if (MessageSignature is { } m)
        {
            w.WriteStartObject("messageSignature");
            if (m.Digest is not null && m.DigestAlgorithm is { } alg)
            {
                w.WriteStartObject("messageDigest");
                w.WriteString("algorithm", DigestAlgorithms.ToProtoName(alg));
                w.WriteString("digest", Convert.ToBase64String(m.Digest));
                w.WriteEndObject();
            }
            w.WriteString("signature", Convert.ToBase64String(m.Signature));
            w.WriteEndObject();
        }
        if (DsseEnvelope is { } d)
        {
            w.WritePropertyName("dsseEnvelope");
            d.Write(w);
        }
        w.WriteEndObject();
    }

    private static void WriteRawBytes(Utf8JsonWriter w, string? name, byte[] der)
    {
        if (name is null) w.WriteStartObject(); else w.WriteStartObject(name);
        w.WriteString("rawBytes", Convert.ToBase64String(der));
        w.WriteEndObject();
    }

    private static void WriteEntry(Utf8JsonWriter w, TransparencyLogEntry e)
    {
        w.WriteStartObject();
        w.WriteString("logIndex", e.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteStartObject("logId");
        w.WriteString("keyId", Convert.ToBase64String(e.LogId));
        w.WriteEndObject();
        w.WriteStartObject("kindVersion");
        w.WriteString("kind", e.Kind);
        w.WriteString("version", e.KindVersion);
        w.WriteEndObject();
        if (e.IntegratedTime is { } t) w.WriteString("integratedTime", t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (e.SignedEntryTimestamp is { } set)
        {
            w.WriteStartObject("inclusionPromise");
            w.WriteString("signedEntryTimestamp", Convert.ToBase64String(set));
            w.WriteEndObject();
        }
        if (e.InclusionProof is { } p)
        {
            w.WriteStartObject("inclusionProof");
            w.WriteString("logIndex", p.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("rootHash", Convert.ToBase64String(p.RootHash));
            w.WriteString("treeSize", p.TreeSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteStartArray("hashes");
            foreach (var h in p.Hashes) w.WriteStringValue(Convert.ToBase64String(h));
            w.WriteEndArray();
            if (p.Checkpoint is not null)
            {
                w.WriteStartObject("checkpoint");
                w.WriteString("envelope", p.Checkpoint);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteString("canonicalizedBody", Convert.ToBase64String(e.CanonicalizedBody));
        w.WriteEndObject();
    }
}
