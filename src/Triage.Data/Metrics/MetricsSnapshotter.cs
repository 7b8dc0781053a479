using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;

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
        var written = await WriteAsync(db, state?.Version, from, now, result, ct);
        write.Stop();
        var weeks = IsoWeek.Range(from, IsoWeek.Of(now)).Count();
        return new SnapshotRun(from, IsoWeek.Of(now), weeks, written ? result.Snapshots.Count : 0, result.Ledger.Count, total.Elapsed,
            written ? null : "another run stored snapshots meanwhile; nothing written")
        {
            LoadTime = load.Elapsed, ComputeTime = compute.Elapsed, WriteTime = write.Elapsed,
        };
    }

    /// <summary>Stores a run's result if the state is still the version the run read; false (nothing written) otherwise.</summary>
    internal static async Task<bool> WriteAsync(TriageDbContext db, long? seenVersion, IsoWeek from, DateTime now, WeeklyComputation result, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ledgerWeek = result.LedgerWeek;
        if (seenVersion is { } v)
        {
            var claimed = await db.MetricsStates.Where(s => s.Id == 1 && s.Version == v).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Version, v + 1)
                .SetProperty(s => s.LedgerYear, ledgerWeek.Year)
                .SetProperty(s => s.LedgerWeek, ledgerWeek.Week)
                .SetProperty(s => s.LastRunAt, now), ct);
            if (claimed == 0) return false;
        }
        else
        {
            db.MetricsStates.Add(new MetricsState { Id = 1, Version = 1, LedgerYear = ledgerWeek.Year, LedgerWeek = ledgerWeek.Week, LastRunAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                return false; // another first run created the state row
            }
        }

        var (y, w) = (from.Year, from.Week);
        await db.WeeklySnapshots.Where(s => s.Year > y || (s.Year == y && s.Week >= w)).ExecuteDeleteAsync(ct);
        await db.MetricsProblems.ExecuteDeleteAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.WeeklySnapshots.AddRange(result.Snapshots);
        db.MetricsProblems.AddRange(result.Ledger.Select(p => new MetricsProblem
        {
            RepositoryId = p.RepositoryId, GroupId = p.GroupId, VulnerabilityId = p.VulnerabilityId, PackageType = p.Package.Type,
            PackageNamespace = p.Package.Namespace, PackageName = p.Package.Name, Severity = p.Severity, OpenedAt = p.OpenedAt,
        }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Milliseconds, like imports, so both providers store the same instant.</summary>
    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
