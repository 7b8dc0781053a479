using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Signing;

namespace Triage.Data.Runtime;

/// <summary>The exploitation data in use for one feed: its import with the newest data date (an older EPSS file never
/// replaces newer scores, an older KEV catalog is refused).</summary>
public sealed record EnrichmentFeedStatus(EnrichmentFeed Feed, string Format, string? Version, DateOnly? DataDate, int Rows, string Source,
    DateTime ImportedAt, string? ImportedBy);

/// <summary>How the last scheduled download of one feed went (kept in <c>AppSettings</c>, so every instance shows it).</summary>
public sealed record EnrichmentDownloadState
{
    public required string Url { get; init; }
    public DateTime? LastAttemptAt { get; init; }
    /// <summary>When a download last answered (200 or 304); the data is current as of then.</summary>
    public DateTime? LastSuccessAt { get; init; }
    /// <summary>imported, unchanged (same bytes as before), not_modified (HTTP 304) or failed.</summary>
    public string? Outcome { get; init; }
    public string? Error { get; init; }
    /// <summary>The data's own date after the last import.</summary>
    public DateOnly? DataDate { get; init; }
    /// <summary>Validators for the next conditional GET.</summary>
    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    /// <summary>The instance that ran the attempt.</summary>
    public string? Instance { get; init; }
}

/// <summary>What the Runtime page shows about KEV and EPSS: the data in use and the scheduled downloads.</summary>
public sealed record EnrichmentOverview(IReadOnlyList<EnrichmentFeedStatus> Feeds, IReadOnlyDictionary<EnrichmentFeed, EnrichmentDownloadState> Downloads)
{
    public EnrichmentFeedStatus? Feed(EnrichmentFeed feed) => Feeds.FirstOrDefault(f => f.Feed == feed);
}

/// <summary>
/// Coordinates scheduled KEV/EPSS downloads between app instances through the existing <c>AppSettings</c> table (no
/// schema of its own): one row per feed holds the last attempt's outcome, and one claim row per feed decides which
/// instance downloads in a period. The claim is a single upsert that only succeeds when the previous claim is older than
/// the period, so of several instances polling at once exactly one wins (SQLite by its single writer, PostgreSQL by the
/// row lock the upsert takes).
/// </summary>
public static class EnrichmentSchedule
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static string ClaimKey(EnrichmentFeed feed) => $"enrichment.download.{Wire(feed)}.claim";
    private static string StateKey(EnrichmentFeed feed) => $"enrichment.download.{Wire(feed)}.state";

    public static string Wire(EnrichmentFeed feed) => feed switch
    {
        EnrichmentFeed.Kev => "kev",
        EnrichmentFeed.Epss => "epss",
    };

    /// <summary>Claims the download of <paramref name="feed"/> for the period starting now, unless another claim (by any
    /// instance) is younger than <paramref name="period"/>. Returns true for exactly one of several instances racing.</summary>
    public static async Task<bool> TryClaimAsync(string connectionString, EnrichmentFeed feed, string instance, DateTime now, TimeSpan period, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var key = ClaimKey(feed);
        var due = now - period;
        // Values are plain ASCII (a key, an instance name without NUL), so PostgreSQL's text escaping does not apply.
        var value = instance.Replace("\0", "", StringComparison.Ordinal);
        var changed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO \"AppSettings\" (\"Key\", \"Value\", \"UpdatedAt\") VALUES ({key}, {value}, {now}) ON CONFLICT (\"Key\") DO UPDATE SET \"Value\" = excluded.\"Value\", \"UpdatedAt\" = excluded.\"UpdatedAt\" WHERE \"AppSettings\".\"UpdatedAt\" <= {due}",
            ct);
        return changed == 1;
    }

    /// <summary>Gives a claim back early (the download was not attempted), so another instance may try in its next poll.</summary>
    public static async Task ReleaseAsync(string connectionString, EnrichmentFeed feed, string instance, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var key = ClaimKey(feed);
        await db.AppSettings.Where(s => s.Key == key && s.Value == instance).ExecuteDeleteAsync(ct);
    }

    public static async Task<EnrichmentDownloadState?> ReadStateAsync(TriageDbContext db, EnrichmentFeed feed, CancellationToken ct = default)
    {
        var key = StateKey(feed);
        var json = await db.AppSettings.AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<EnrichmentDownloadState>(json, Json);
    }

    public static async Task WriteStateAsync(string connectionString, EnrichmentFeed feed, EnrichmentDownloadState state, DateTime now, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var key = StateKey(feed);
        var json = JsonSerializer.Serialize(state, Json);
        var row = await db.AppSettings.FirstOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.AppSettings.Add(new AppSetting { Key = key, Value = json, UpdatedAt = now });
        else
        {
            row.Value = json;
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The data in use of each feed, and the scheduled downloads' states.</summary>
    public static async Task<EnrichmentOverview> OverviewAsync(TriageDbContext db, CancellationToken ct = default)
    {
        var feeds = new List<EnrichmentFeedStatus>();
        var downloads = new Dictionary<EnrichmentFeed, EnrichmentDownloadState>();
        foreach (var feed in new[] { EnrichmentFeed.Kev, EnrichmentFeed.Epss })
        {
            var latest = await db.EnrichmentImports.AsNoTracking().Where(i => i.Feed == feed)
                .OrderByDescending(i => i.DataDate).ThenByDescending(i => i.Id).FirstOrDefaultAsync(ct);
            if (latest is not null)
                feeds.Add(new EnrichmentFeedStatus(feed, latest.Format, latest.Version, latest.DataDate is { } d ? DateOnly.FromDateTime(d) : null, latest.Rows,
                    latest.Source, DateTime.SpecifyKind(latest.ImportedAt, DateTimeKind.Utc), latest.ImportedBy));
            if (await ReadStateAsync(db, feed, ct) is { } state) downloads[feed] = state;
        }
        return new EnrichmentOverview(feeds, downloads);
    }
}
