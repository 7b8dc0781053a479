using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Data.Import;

namespace Triage.Data.Metrics;

/// <summary>What a snapshot run did.</summary>
/// <param name="From">The first week computed (null when there was nothing to compute).</param>
/// <param name="To">The week in progress, computed as of now.</param>
/// <param name="Skipped">Why nothing was written, when nothing was.</param>
public sealed record SnapshotRun(IsoWeek? From, IsoWeek? To, int Weeks, int Rows, int OpenProblems, TimeSpan Elapsed, string? Skipped)
{
    public TimeSpan LoadTime { get; init; }
    public TimeSpan ComputeTime { get; init; }
    public TimeSpan WriteTime { get; init; }
}

/// <summary>
/// Computes and stores weekly snapshots incrementally: a run starts at the first week that was not complete at the last run
/// (the ledger holds the problems open then), recomputes it and every later week up to the week in progress, and leaves
/// earlier weeks alone, so they survive the raw data being purged. A rebuild recomputes from the first week that still has
/// scans, keeping older weeks. Runs may race (two web instances, the CLI): each writes only if no other run wrote since it
/// read the state.
/// </summary>
public sealed class MetricsSnapshotter(string connectionString, SlaPolicy sla, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<SnapshotRun> RunAsync(bool rebuild = false, CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var now = Truncate(_time.GetUtcNow().UtcDateTime);
        var state = await db.MetricsStates.AsNoTracking().FirstOrDefaultAsync(s => s.Id == 1, ct);
        // Images whose scans were purged count from when they were first seen.
        var firstScan = await db.Scans.AsNoTracking().MinAsync(s => (DateTime?)s.ImportedAt, ct)
                        ?? await db.Artifacts.AsNoTracking().MinAsync(a => (DateTime?)a.FirstSeen, ct);
        if (firstScan is null) return new SnapshotRun(null, null, 0, 0, 0, total.Elapsed, "no images imported yet");

        var dataStart = IsoWeek.Of(MetricsHistoryLoader.Utc(firstScan.Value));
        IsoWeek from;
        IReadOnlyList<OpenProblem> ledger;
        if (!rebuild && state?.Ledger is { } ledgerWeek)
        {
            from = ledgerWeek;
            ledger = await MetricsHistoryLoader.LedgerAsync(db, ct);
        }
        else
        {
            from = dataStart;
            ledger = [];
        }

        var load = Stopwatch.StartNew();
        var decisions = await DecisionsAsOf.LoadAsync(db, ct);
        var history = await MetricsHistoryLoader.LoadAsync(db, from, now, ledger, decisions, ct: ct);
        load.Stop();
        var compute = Stopwatch.StartNew();
        var result = new WeeklyCalculator(sla).Compute(history, from, now);
        compute.Stop();

        var write = Stopwatch.StartNew();
        var written = await WriteAsync(connectionString, state?.Version, from, now, result, ct);
        write.Stop();
        var weeks = IsoWeek.Range(from, IsoWeek.Of(now)).Count();
        return new SnapshotRun(from, IsoWeek.Of(now), weeks, written ? result.Snapshots.Count : 0, result.Ledger.Count, total.Elapsed,
            written ? null : "another run stored snapshots meanwhile; nothing written")
        {
            LoadTime = load.Elapsed, ComputeTime = compute.Elapsed, WriteTime = write.Elapsed,
        };
    }

    /// <summary>Stores a run's result if the state is still the version the run read; false (nothing written) otherwise.
    /// One transaction: the state claimed, the recomputed weeks and the ledger replaced in bulk (tens of thousands of rows
    /// for a year of a thousand images; EF's change tracker took seconds for them).</summary>
    internal static async Task<bool> WriteAsync(string connectionString, long? seenVersion, IsoWeek from, DateTime now, WeeklyComputation result,
        CancellationToken ct)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var model = db.Model;
        var state = model.FindEntityType(typeof(MetricsState))!.GetTableName();
        var snapshots = new EntityRows<WeeklySnapshot>(model);
        var problems = new EntityRows<MetricsProblem>(model);
        await using var store = await ImportStore.BeginAsync(connectionString, ct);
        var ledgerWeek = result.LedgerWeek;
        if (seenVersion is { } v)
        {
            var claimed = await store.ExecuteAsync(
                $"UPDATE \"{state}\" SET \"Version\" = @p1, \"LedgerYear\" = @p2, \"LedgerWeek\" = @p3, \"LastRunAt\" = @p4 WHERE \"Id\" = 1 AND \"Version\" = @p0",
                ct, v, v + 1, ledgerWeek.Year, ledgerWeek.Week, now);
            if (claimed == 0) return false;
        }
        else
        {
            // Another first run may have created the state row meanwhile: then it wins and this one writes nothing.
            var created = await store.ExecuteAsync(
                $"INSERT INTO \"{state}\" (\"Id\", \"Version\", \"LedgerYear\", \"LedgerWeek\", \"LastRunAt\") VALUES (1, 1, @p0, @p1, @p2) ON CONFLICT DO NOTHING",
                ct, ledgerWeek.Year, ledgerWeek.Week, now);
            if (created == 0) return false;
        }

        await store.ExecuteAsync($"DELETE FROM \"{snapshots.Table}\" WHERE \"Year\" > @p0 OR (\"Year\" = @p0 AND \"Week\" >= @p1)", ct, from.Year, from.Week);
        await store.ExecuteAsync($"DELETE FROM \"{problems.Table}\"", ct);
        await store.InsertAsync(snapshots.Table, snapshots.Columns, snapshots.Of(result.Snapshots), ct);
        await store.InsertAsync(problems.Table, problems.Columns, problems.Of(result.Ledger.Select(p => new MetricsProblem
        {
            RepositoryId = p.RepositoryId, GroupId = p.GroupId, VulnerabilityId = p.VulnerabilityId, PackageType = p.Package.Type,
            PackageNamespace = p.Package.Namespace, PackageName = p.Package.Name, Severity = p.Severity, OpenedAt = p.OpenedAt,
        })), ct);
        await store.CommitAsync(ct);
        return true;
    }

    /// <summary>Milliseconds, like imports, so both providers store the same instant.</summary>
    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
