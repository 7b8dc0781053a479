using System.Text;
using Triage.Sigstore.Json;

namespace Triage.Sigstore.Trust;

/// <summary>One service endpoint of a signing config (<c>dev.sigstore.trustroot.v1.Service</c>).</summary>
public sealed record SigstoreService(string Url, int MajorApiVersion, ValidityPeriod ValidFor, string? Operator);

/// <summary>How many of the listed services a signer should use.</summary>
public enum ServiceSelector
{
    All,
    Any,
    Exact,
}

/// <summary>
/// Where to sign (<c>signing_config.json</c>, media type v0.2): Fulcio, OIDC, Rekor and TSA endpoints with validity
/// periods. The counterpart of <see cref="TrustedRoot"/> for the signing side.
/// </summary>
public sealed record SigningConfig
{
    public const string MediaTypeV02 = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

    public IReadOnlyList<SigstoreService> CertificateAuthorityUrls { get; init; } = [];
    public IReadOnlyList<SigstoreService> OidcUrls { get; init; } = [];
    public IReadOnlyList<SigstoreService> TransparencyLogUrls { get; init; } = [];
    public IReadOnlyList<SigstoreService> TimestampAuthorityUrls { get; init; } = [];
    public ServiceSelector TransparencyLogSelector { get; init; } = ServiceSelector.Any;
    public ServiceSelector TimestampAuthoritySelector { get; init; } = ServiceSelector.Any;

    public static SigningConfig Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static SigningConfig Parse(ReadOnlyMemory<byte> utf8)
    {
        using var doc = JsonCursor.ParseDocument(utf8, SigstoreDocument.SigningConfig);
        var root = new JsonCursor(doc.RootElement, "", SigstoreDocument.SigningConfig).RequireObject();
        var mediaTypeField = root.Required("mediaType");
        if (mediaTypeField.GetString() != MediaTypeV02)
            throw mediaTypeField.Error($"unsupported signing config media type '{mediaTypeField.GetString()}'");
        return new SigningConfig
        {
            CertificateAuthorityUrls = root.OptionalArray("caUrls").Select(ReadService).ToList(),
            OidcUrls = root.OptionalArray("oidcUrls").Select(ReadService).ToList(),
            TransparencyLogUrls = root.OptionalArray("rekorTlogUrls").Select(ReadService).ToList(),
            TimestampAuthorityUrls = root.OptionalArray("tsaUrls").Select(ReadService).ToList(),
            TransparencyLogSelector = ReadSelector(root.Optional("rekorTlogConfig")),
            TimestampAuthoritySelector = ReadSelector(root.Optional("tsaConfig")),
        };
    }

    /// <summary>
    /// The newest service valid at <paramref name="now"/> that speaks one of <paramref name="majorApiVersions"/>, or null.
    /// Newest first because a signing config lists successor instances with later start dates.
    /// </summary>
    public static SigstoreService? Select(IEnumerable<SigstoreService> services, DateTimeOffset now, params int[] majorApiVersions) =>
        services.Where(s => s.ValidFor.Contains(now) && majorApiVersions.Contains(s.MajorApiVersion))
            .OrderByDescending(s => s.ValidFor.Start ?? DateTimeOffset.MinValue)
            .FirstOrDefault();

    private static SigstoreService ReadService(JsonCursor c) => new(
        c.RequiredString("url"),
        c.Optional("majorApiVersion")?.GetInt32() ?? 1,
        ValidityPeriod.Read(c.Optional("validFor")),
        c.OptionalString("operator"));

    private static ServiceSelector ReadSelector(JsonCursor? config)
    {
        var selector = config?.Optional("selector");
        return selector?.GetString() switch
        {
            null or "ANY" => ServiceSelector.Any,
            "ALL" => ServiceSelector.All,
            "EXACT" => ServiceSelector.Exact,
            var other => throw selector!.Value.Error($"unknown selector '{other}'"),
        };
    }
}
