using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Trust;

/// <summary>
/// The out-of-band trust anchors (<c>trusted_root.json</c>): transparency logs, Fulcio CAs, CT logs and timestamp
/// authorities, each with its validity period. Everything a bundle says is checked against these.
/// </summary>
public sealed class TrustedRoot
{
    public const string MediaTypeV01 = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
    public const string MediaTypeV02 = "application/vnd.dev.sigstore.trustedroot.v0.2+json";

    private const string PublicGoodResource = "Triage.Sigstore.public-good.trusted_root.json";
    private static readonly Lazy<TrustedRoot> PublicGoodRoot = new(LoadPublicGood);

    public TrustedRoot(
        IReadOnlyList<TransparencyLogInstance> transparencyLogs,
        IReadOnlyList<CertificateAuthority> certificateAuthorities,
        IReadOnlyList<TransparencyLogInstance> certificateTransparencyLogs,
        IReadOnlyList<CertificateAuthority> timestampAuthorities,
        string mediaType = MediaTypeV01)
    {
        TransparencyLogs = transparencyLogs;
        CertificateAuthorities = certificateAuthorities;
        CertificateTransparencyLogs = certificateTransparencyLogs;
        TimestampAuthorities = timestampAuthorities;
        MediaType = mediaType;
    }

    public string MediaType { get; }

    /// <summary><c>tlogs</c>: Rekor instances whose entries, SETs and checkpoints we accept.</summary>
    public IReadOnlyList<TransparencyLogInstance> TransparencyLogs { get; }

    /// <summary><c>certificateAuthorities</c>: Fulcio instances that may issue signing certificates.</summary>
    public IReadOnlyList<CertificateAuthority> CertificateAuthorities { get; }

    /// <summary><c>ctlogs</c>: certificate transparency logs whose SCTs we accept.</summary>
    public IReadOnlyList<TransparencyLogInstance> CertificateTransparencyLogs { get; }

    /// <summary><c>timestampAuthorities</c>: RFC 3161 TSAs whose timestamps give a trusted signing time.</summary>
    public IReadOnlyList<CertificateAuthority> TimestampAuthorities { get; }

    /// <summary>
    /// The Sigstore public-good trusted root shipped with this library (a snapshot of the TUF target
    /// <c>trusted_root.json</c>; see docs/decisions). Replace it with a fresh file when keys rotate.
    /// </summary>
    public static TrustedRoot PublicGood => PublicGoodRoot.Value;

    public static TrustedRoot Load(string path) => Parse(File.ReadAllBytes(path));

    public static TrustedRoot Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>Parses <c>trusted_root.json</c>; throws <see cref="SigstoreFormatException"/> when it is malformed.</summary>
    public static TrustedRoot Parse(ReadOnlyMemory<byte> utf8)
    {
        using var doc = JsonCursor.ParseDocument(utf8, SigstoreDocument.TrustedRoot);
        var root = new JsonCursor(doc.RootElement, "", SigstoreDocument.TrustedRoot).RequireObject();
        var mediaTypeField = root.Required("mediaType");
        var mediaType = mediaTypeField.GetString();
        if (mediaType is not (MediaTypeV01 or MediaTypeV02))
            throw mediaTypeField.Error($"unsupported trusted root media type '{mediaType}'");
        return new TrustedRoot(
            root.OptionalArray("tlogs").Select(ReadLog).ToList(),
            root.OptionalArray("certificateAuthorities").Select(ReadAuthority).ToList(),
            root.OptionalArray("ctlogs").Select(ReadLog).ToList(),
            root.OptionalArray("timestampAuthorities").Select(ReadAuthority).ToList(),
            mediaType);
    }

    /// <summary>The transparency log a bundle entry names, or null when the entry comes from a log we do not trust.</summary>
    public TransparencyLogInstance? FindTransparencyLog(ReadOnlySpan<byte> logId)
    {
        foreach (var log in TransparencyLogs)
            if (log.LogId.AsSpan().SequenceEqual(logId) || (log.CheckpointKeyId is { } k && k.AsSpan().SequenceEqual(logId)))
                return log;
        return null;
    }

    private static TransparencyLogInstance ReadLog(JsonCursor c)
    {
        c.RequireObject();
        var key = c.Optional("publicKey");
        return new TransparencyLogInstance
        {
            BaseUrl = c.OptionalString("baseUrl") ?? "",
            HashAlgorithm = c.OptionalString("hashAlgorithm") ?? "SHA2_256",
            PublicKeyBytes = key?.OptionalBytes("rawBytes"),
            KeyDetails = key?.OptionalString("keyDetails"),
            ValidFor = ValidityPeriod.Read(key?.Optional("validFor")),
            LogId = c.Required("logId").RequiredBytes("keyId"),
            CheckpointKeyId = c.Optional("checkpointKeyId")?.OptionalBytes("keyId"),
            Operator = c.OptionalString("operator"),
        };
    }

    private static CertificateAuthority ReadAuthority(JsonCursor c)
    {
        c.RequireObject();
        var certificatesField = c.Required("certChain").Required("certificates");
        var chain = new List<X509Certificate2>();
        foreach (var item in certificatesField.GetArray())
        {
            var rawBytes = item.Required("rawBytes");
            try
            {
                chain.Add(X509CertificateLoader.LoadCertificate(rawBytes.GetBytes()));
            }
            catch (CryptographicException e)
            {
                throw new SigstoreFormatException(SigstoreDocument.TrustedRoot, rawBytes.Path, "not a DER X.509 certificate", e);
            }
        }
        if (chain.Count == 0) throw certificatesField.Error("the certificate chain is empty");
        var subject = c.Optional("subject");
        return new CertificateAuthority
        {
            Uri = c.OptionalString("uri"),
            Organization = subject?.OptionalString("organization"),
            CommonName = subject?.OptionalString("commonName"),
            CertChain = chain,
            ValidFor = ValidityPeriod.Read(c.Optional("validFor")),
            Operator = c.OptionalString("operator"),
        };
    }

    private static TrustedRoot LoadPublicGood()
    {
        using var stream = typeof(TrustedRoot).Assembly.GetManifestResourceStream(PublicGoodResource)
            ?? throw new InvalidOperationException($"embedded resource {PublicGoodResource} is missing from the build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray());
    }
}
