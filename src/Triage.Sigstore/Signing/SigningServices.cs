using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Signing;

/// <summary>
/// The online services a <see cref="SigstoreSigner"/> uses. All optional: with none, keyed signing is fully offline
/// (no log entry, no timestamp); keyless signing needs a CA and a log or a TSA.
/// </summary>
public sealed record SigningServices
{
    public static readonly SigningServices Offline = new();

    public IFulcioClient? CertificateAuthority { get; init; }
    public IRekorClient? TransparencyLog { get; init; }
    public ITimestampAuthority? TimestampAuthority { get; init; }

    /// <summary>
    /// HTTP clients for the endpoints a signing config names and that are valid now: Fulcio (API major 1, i.e.
    /// <c>/api/v2/signingCert</c>), Rekor v1 and an RFC 3161 TSA. Rekor v2 endpoints are not used.
    /// </summary>
    public static SigningServices FromSigningConfig(SigningConfig config, HttpClient http, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var ca = SigningConfig.Select(config.CertificateAuthorityUrls, at, 1);
        var log = SigningConfig.Select(config.TransparencyLogUrls, at, 1);
        var tsa = SigningConfig.Select(config.TimestampAuthorityUrls, at, 1);
        return new SigningServices
        {
            CertificateAuthority = ca is null ? null : new HttpFulcioClient(http, BaseUri(ca.Url)),
            TransparencyLog = log is null ? null : new HttpRekorClient(http, BaseUri(log.Url)),
            TimestampAuthority = tsa is null ? null : new HttpTimestampAuthority(http, new Uri(tsa.Url)),
        };
    }

    /// <summary>A base URI with a trailing slash, so relative API paths append instead of replacing its last segment.</summary>
    internal static Uri BaseUri(string url) => new(url.EndsWith('/') ? url : url + "/");
}
