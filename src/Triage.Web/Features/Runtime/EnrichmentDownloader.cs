using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Data.Runtime;
using Triage.Web.Infrastructure.Queue;

namespace Triage.Web.Features.Runtime;

/// <summary>Triage:Enrichment in configuration: scheduled KEV and EPSS downloads, off unless a URL is set (the app works offline).</summary>
public sealed class EnrichmentDownloadOptions
{
    public const string Section = "Triage:Enrichment";

    /// <summary>The CISA KEV catalog, e.g. https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json.</summary>
    public string? KevUrl { get; set; }
    /// <summary>FIRST EPSS scores, e.g. https://epss.empiricalsecurity.com/epss_scores-current.csv.gz.</summary>
    public string? EpssUrl { get; set; }
    /// <summary>How often each feed is downloaded (by one instance of several).</summary>
    public double IntervalHours { get; set; } = 24;
    /// <summary>Largest download accepted; a longer body is cut off and refused.</summary>
    public long MaxDownloadBytes { get; set; } = 256L * 1024 * 1024;
    public double TimeoutSeconds { get; set; } = 300;
    /// <summary>How often an instance checks whether a download is due.</summary>
    public double PollMinutes { get; set; } = 5;

    public TimeSpan Interval => TimeSpan.FromHours(IntervalHours);

    public string IntervalText => IntervalHours % 24 == 0 ? $"{IntervalHours / 24:0} day(s)" : $"{IntervalHours:0.##} hours";

    /// <summary>The configured URL of a feed; null when its download is off.</summary>
    public string? Url(EnrichmentFeed feed) => (feed switch
    {
        EnrichmentFeed.Kev => KevUrl,
        EnrichmentFeed.Epss => EpssUrl,
    }) is { Length: > 0 } url ? url : null;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, url) in new[] { ("KevUrl", KevUrl), ("EpssUrl", EpssUrl) })
            if (!string.IsNullOrEmpty(url) && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)))
                yield return $"{Section}:{name} '{url}' is not an http(s) URL";
        if (IntervalHours <= 0) yield return $"{Section}:IntervalHours must be positive";
        if (MaxDownloadBytes <= 0) yield return $"{Section}:MaxDownloadBytes must be positive";
        if (TimeoutSeconds <= 0) yield return $"{Section}:TimeoutSeconds must be positive";
        if (PollMinutes <= 0) yield return $"{Section}:PollMinutes must be positive";
    }
}

/// <summary>
/// Downloads the configured KEV and EPSS files every <see cref="EnrichmentDownloadOptions.IntervalHours"/> and imports them
/// through <see cref="EnrichmentService"/> (as `triage enrich` and the Runtime page do, rescoring included). With several
/// instances only the one that claims the period downloads (<see cref="EnrichmentSchedule.TryClaimAsync"/>); the GET is
/// conditional on the last ETag / Last-Modified; the body is limited in size; every outcome is logged and kept for the page.
/// </summary>
public sealed class EnrichmentDownloader(
    EnrichmentDownloadOptions options, EnrichmentService enrichment, IHttpClientFactory http, QueueRuntime runtime, TimeProvider time,
    ILogger<EnrichmentDownloader> log, Infrastructure.TriageConnection connection, IConfiguration config) : BackgroundService
{
    public const string HttpClientName = "enrichment";

    private string ConnectionString => connection.ConnectionString;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Url(EnrichmentFeed.Kev) is null && options.Url(EnrichmentFeed.Epss) is null) return;
        var poll = TimeSpan.FromMinutes(Math.Min(options.PollMinutes, options.IntervalHours * 60));
        // Not at once: let the app start (and migrations finish) first.
        try { await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, poll.TotalSeconds)), time, stoppingToken); }
        catch (OperationCanceledException) { return; }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Scheduled enrichment download check failed; it runs again in {Minutes} minutes", poll.TotalMinutes);
            }
            try { await Task.Delay(poll, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Downloads each configured feed whose period this instance claims. Returns the feeds it attempted.</summary>
    public async Task<IReadOnlyList<EnrichmentFeed>> RunOnceAsync(CancellationToken ct = default)
    {
        var attempted = new List<EnrichmentFeed>();
        foreach (var feed in new[] { EnrichmentFeed.Kev, EnrichmentFeed.Epss })
        {
            if (options.Url(feed) is not { } url) continue;
            var now = time.GetUtcNow().UtcDateTime;
            if (!await EnrichmentSchedule.TryClaimAsync(ConnectionString, feed, runtime.Instance, now, options.Interval, ct)) continue;
            attempted.Add(feed);
            await DownloadAsync(feed, url, ct);
        }
        return attempted;
    }

    private async Task DownloadAsync(EnrichmentFeed feed, string url, CancellationToken ct)
    {
        var name = EnrichmentSchedule.Wire(feed);
        EnrichmentDownloadState? previous;
        await using (var db = Data.TriageDatabase.CreateContext(ConnectionString))
            previous = await EnrichmentSchedule.ReadStateAsync(db, feed, ct);
        if (previous?.Url != url) previous = null; // validators of another URL mean nothing here
        var started = time.GetUtcNow().UtcDateTime;
        var state = new EnrichmentDownloadState
        {
            Url = url, LastAttemptAt = started, LastSuccessAt = previous?.LastSuccessAt, DataDate = previous?.DataDate, ETag = previous?.ETag,
            LastModified = previous?.LastModified, Instance = runtime.Instance,
        };
        try
        {
            using var client = http.CreateClient(HttpClientName);
            client.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (state.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
            if (state.LastModified is { } lm && DateTimeOffset.TryParse(lm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
                request.Headers.IfModifiedSince = since;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                state = state with { Outcome = "not_modified", LastSuccessAt = started, Error = null };
                log.LogInformation("Scheduled {Feed} download: {Url} not modified since the last download", name, url);
            }
            else
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
                if (response.Content.Headers.ContentLength > options.MaxDownloadBytes)
                    throw new ReportFormatException(ReportErrorCode.TooLarge,
                        $"{url} announces {CaptureStream.FormatBytes(response.Content.Headers.ContentLength.Value)}, more than the limit of {CaptureStream.FormatBytes(options.MaxDownloadBytes)}");
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var import = new EnrichmentImportOptions
                {
                    ImportedBy = "scheduler:" + runtime.Instance, MaxBytes = options.MaxDownloadBytes, MaxDecompressedBytes = RuntimeServices.MaxDecompressedBytes(config),
                };
                var summary = await enrichment.ImportAsync(body, url, import, ct);
                var warning = summary.Feed == name ? null : $"{url} is configured for {name} but served {summary.Feed} data (imported as {summary.Feed})";
                state = state with
                {
                    Outcome = summary.Duplicate ? "unchanged" : "imported", LastSuccessAt = started, DataDate = summary.DataDate ?? state.DataDate, Error = warning,
                    ETag = response.Headers.ETag?.ToString(), LastModified = response.Content.Headers.LastModified?.ToString("R", CultureInfo.InvariantCulture),
                };
                log.LogInformation("Scheduled {Feed} download: {Description}", name, EnrichmentJson.Describe(summary));
                if (warning is not null) log.LogWarning("Scheduled {Feed} download: {Warning}", name, warning);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ReportFormatException or ArgumentException or IOException
                                      or System.Data.Common.DbException && !ct.IsCancellationRequested)
        {
            var reason = e switch
            {
                ReportFormatException r => r.Describe(),
                TaskCanceledException => $"no complete answer from {url} within {options.TimeoutSeconds:0} s",
                _ => e.Message,
            };
            state = state with { Outcome = "failed", Error = reason };
            log.LogWarning(e, "Scheduled {Feed} download from {Url} failed: {Reason}; the data in use is kept", name, url, reason);
        }
        await EnrichmentSchedule.WriteStateAsync(ConnectionString, feed, state, time.GetUtcNow().UtcDateTime, ct);
    }
}
