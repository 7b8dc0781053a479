using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Core.Vex;

namespace Triage.Data.Metrics;

/// <summary>
/// Which snapshot rows a report adds up: everything (admins, the CLI), some teams and/or the unowned repositories (what a
/// team member sees), or some repositories.
/// </summary>
public sealed record ReportScope(string Name, bool Everything, IReadOnlyList<long> Teams, bool Unowned, IReadOnlyList<long> Repositories)
{
    public static ReportScope All { get; } = new("all repositories", true, [], false, []);

    public static ReportScope Team(long id, string name) => new($"team {name}", false, [id], false, []);

    public static ReportScope Repository(long id, string name) => new(name, false, [], false, [id]);

    /// <summary>What a team member sees: their teams' repositories and the ones no team owns.</summary>
    public static ReportScope Visible(IReadOnlyList<long> teams) => new("your teams and unowned repositories", false, teams, true, []);

    /// <summary>The rows whose sum is this scope: the All row, team rows, the unowned row, repository rows.</summary>
    internal IQueryable<WeeklySnapshot> Rows(IQueryable<WeeklySnapshot> q)
    {
        var teams = Teams.ToList();
        var repositories = Repositories.ToList();
        var everything = Everything;
        var unowned = Unowned;
        return q.Where(s => (everything && s.Scope == SnapshotScope.All)
                            || (s.Scope == SnapshotScope.Team && teams.Contains(s.ScopeId))
                            || (unowned && s.Scope == SnapshotScope.Unowned)
                            || (s.Scope == SnapshotScope.Repository && repositories.Contains(s.ScopeId)));
    }

    /// <summary>The repository rows inside this scope (for the week's changes and top movers).</summary>
    internal IQueryable<WeeklySnapshot> RepositoryRows(IQueryable<WeeklySnapshot> q)
    {
        var teams = Teams.ToList();
        var repositories = Repositories.ToList();
        var everything = Everything;
        var unowned = Unowned;
        return q.Where(s => s.Scope == SnapshotScope.Repository && (everything || repositories.Contains(s.ScopeId)
                                                                     || (s.TeamId != null && teams.Contains(s.TeamId.Value)) || (unowned && s.TeamId == null)));
    }

    /// <summary>The team rows inside this scope (for top teams).</summary>
    internal IQueryable<WeeklySnapshot> TeamRows(IQueryable<WeeklySnapshot> q)
    {
        var teams = Teams.ToList();
        var everything = Everything;
        var unowned = Unowned;
        return q.Where(s => (s.Scope == SnapshotScope.Team && (everything || teams.Contains(s.ScopeId)))
                            || (s.Scope == SnapshotScope.Unowned && (everything || unowned)));
    }
}

/// <summary>A repository or team whose open findings moved most in a week, with the week's attribution.</summary>
public sealed record Mover(SnapshotScope Scope, long Id, string Name, AttributionCounts Change)
{
    public int Delta => Change.After - Change.Before;
}

/// <summary>A migrated image: the replaced repository's last image against its successor's newest.</summary>
public sealed record SlimmingWin(string From, string To, long FromArtifactId, long ToArtifactId, Comparison Comparison)
{
    public long? SizeSaved => Comparison.Before.SizeBytes is { } a && Comparison.After.SizeBytes is { } b ? a - b : null;
    public int FindingsRemoved => Comparison.Counts.Before - Comparison.Counts.After;
}

/// <summary>A decision in force that expires soon.</summary>
public sealed record ExpiringDecision(long Id, string Vulnerability, string Scope, string Status, string Author, DateTime ExpiresAt);

/// <summary>The weekly review of one scope: its weeks (sums of snapshot rows, oldest first), the selected week's changes
/// by repository, top movers, slimming wins and decisions expiring soon.</summary>
public sealed record WeeklyReport(ReportScope Scope, IsoWeek Week, IReadOnlyList<WeeklySnapshot> Weeks, IReadOnlyList<WeeklySnapshot> Changes,
    IReadOnlyList<Mover> TopImages, IReadOnlyList<Mover> TopTeams, IReadOnlyList<SlimmingWin> SlimmingWins, IReadOnlyList<ExpiringDecision> ExpiringDecisions,
    DateTime GeneratedAt)
{
    /// <summary>The selected week's row (null when it has no snapshot).</summary>
    public WeeklySnapshot? Selected => Weeks.FirstOrDefault(w => w.IsoWeek == Week);
}

public static class WeeklyReportQueries
{
    public const int MoversShown = 5;
    public const int ExpiringWithinDays = 14;

    /// <summary>A team named by id or by name (any case); null when unknown.</summary>
    public static async Task<(long Id, string Name)?> FindTeamAsync(TriageDbContext db, string team, CancellationToken ct = default)
    {
        var t = team.Trim();
        var byId = long.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? await db.Teams.AsNoTracking().Where(x => x.Id == id).Select(x => new { x.Id, x.Name }).FirstOrDefaultAsync(ct)
            : null;
        var lower = t.ToLowerInvariant();
        var found = byId ?? await db.Teams.AsNoTracking().Where(x => x.Name.ToLower() == lower).Select(x => new { x.Id, x.Name }).FirstOrDefaultAsync(ct);
        return found is null ? null : (found.Id, found.Name);
    }

    /// <summary>The report of <paramref name="weeks"/> weeks ending with <paramref name="week"/> (default: the week in progress).</summary>
    public static async Task<WeeklyReport> LoadAsync(TriageDbContext db, ReportScope scope, int weeks, IsoWeek? week, DateTime now,
        DecisionLookup? decisions, CancellationToken ct = default)
    {
        var last = week ?? IsoWeek.Of(now);
        var range = IsoWeek.Ending(last, Math.Clamp(weeks, 1, 520));
        var first = range[0];
        var inRange = db.WeeklySnapshots.AsNoTracking()
            .Where(s => (s.Year > first.Year || (s.Year == first.Year && s.Week >= first.Week)) && (s.Year < last.Year || (s.Year == last.Year && s.Week <= last.Week)));
        var rows = Utc(await scope.Rows(inRange).ToListAsync(ct));
        var summed = rows.GroupBy(r => r.IsoWeek).OrderBy(g => g.Key).Select(g =>
        {
            var sum = WeeklySnapshot.Empty(g.Key, SnapshotScope.All, 0, scope.Name);
            sum.AsOf = DateTime.MinValue;
            foreach (var r in g) sum.Add(r);
            return sum;
        }).ToList();

        var (y, w) = (last.Year, last.Week);
        var ofWeek = db.WeeklySnapshots.AsNoTracking().Where(s => s.Year == y && s.Week == w);
        var changes = Utc(await scope.RepositoryRows(ofWeek).ToListAsync(ct))
            .Where(r => r.OpenAtStart != r.OpenTotal || r.WeekChange.Removed + r.WeekChange.Fixed + r.WeekChange.Suppressed + r.WeekChange.Lifted
                + r.WeekChange.Disclosed + r.WeekChange.Withdrawn + r.WeekChange.Introduced > 0)
            .OrderByDescending(r => Math.Abs(r.OpenTotal - r.OpenAtStart)).ThenBy(r => r.ScopeName, StringComparer.Ordinal).ToList();
        var topImages = changes.Where(r => r.OpenTotal != r.OpenAtStart).Take(MoversShown)
            .Select(r => new Mover(r.Scope, r.ScopeId, r.ScopeName, r.WeekChange)).ToList();
        var topTeams = Utc(await scope.TeamRows(ofWeek).ToListAsync(ct))
            .Where(r => r.OpenTotal != r.OpenAtStart)
            .OrderByDescending(r => Math.Abs(r.OpenTotal - r.OpenAtStart)).ThenBy(r => r.ScopeName, StringComparer.Ordinal).Take(MoversShown)
            .Select(r => new Mover(r.Scope, r.ScopeId, r.ScopeName, r.WeekChange)).ToList();

        var wins = await SlimmingWinsAsync(db, scope, now, decisions, ct);
        var expiring = await ExpiringDecisionsAsync(db, scope, now, ExpiringWithinDays, ct);
        return new WeeklyReport(scope, last, summed, changes, topImages, topTeams, wins, expiring, now);
    }

    /// <summary>Each repository in scope that replaces another: the replaced repository's newest image against its own.</summary>
    public static async Task<List<SlimmingWin>> SlimmingWinsAsync(TriageDbContext db, ReportScope scope, DateTime now, DecisionLookup? decisions,
        CancellationToken ct = default)
    {
        var teams = scope.Teams.ToList();
        var repositories = scope.Repositories.ToList();
        var (everything, unowned) = (scope.Everything, scope.Unowned);
        var migrated = await db.Repositories.AsNoTracking()
            .Where(r => r.ReplacesRepositoryId != null
                        && (everything || repositories.Contains(r.Id) || (r.TeamId != null && teams.Contains(r.TeamId.Value)) || (unowned && r.TeamId == null)))
            .Select(r => new { r.Id, r.Name, Old = r.ReplacesRepositoryId!.Value, OldName = db.Repositories.Where(o => o.Id == r.ReplacesRepositoryId).Select(o => o.Name).First() })
            .ToListAsync(ct);
        var wins = new List<SlimmingWin>();
        foreach (var m in migrated.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var before = await NewestImageAsync(db, m.Old, ct);
            var after = await NewestImageAsync(db, m.Id, ct);
            if (before is null || after is null) continue;
            var comparison = await CompareQueries.ImagesAsync(db, before.Value, after.Value, now, decisions, ct);
            wins.Add(new SlimmingWin(m.OldName, m.Name, before.Value, after.Value, comparison));
        }
        return wins;
    }

    /// <summary>Decisions in force (the latest of their slot) that expire within <paramref name="days"/> days, about what the
    /// scope covers: its repositories and digests, its teams, and everything (global decisions).</summary>
    public static async Task<List<ExpiringDecision>> ExpiringDecisionsAsync(TriageDbContext db, ReportScope scope, DateTime now, int days,
        CancellationToken ct = default)
    {
        var until = now.AddDays(days);
        var soon = await db.Decisions.AsNoTracking().Where(d => d.ExpiresAt != null && d.ExpiresAt > now && d.ExpiresAt <= until).ToListAsync(ct);
        if (soon.Count == 0) return [];
        var slots = soon.Select(d => d.SlotKey).Distinct().ToList();
        var latest = (await db.Decisions.AsNoTracking().Where(d => slots.Contains(d.SlotKey)).Select(d => new { d.SlotKey, d.Id, d.Timestamp }).ToListAsync(ct))
            .GroupBy(d => d.SlotKey).ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.Timestamp).ThenByDescending(d => d.Id).First().Id);
        var teams = scope.Teams.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        HashSet<string>? repositories = null;
        if (!scope.Everything)
        {
            var teamIds = scope.Teams.ToList();
            var repoIds = scope.Repositories.ToList();
            var unowned = scope.Unowned;
            repositories = (await db.Repositories.AsNoTracking()
                    .Where(r => repoIds.Contains(r.Id) || (r.TeamId != null && teamIds.Contains(r.TeamId.Value)) || (unowned && r.TeamId == null))
                    .Select(r => r.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        }
        return soon.Where(d => latest[d.SlotKey] == d.Id)
            .Where(d => repositories is null || d.ScopeKind switch
            {
                Core.Domain.DecisionScopeKind.Global => true,
                Core.Domain.DecisionScopeKind.Team => d.ScopeTeam is { } t && teams.Contains(t),
                Core.Domain.DecisionScopeKind.Repository or Core.Domain.DecisionScopeKind.Digest => d.ScopeRepository is { } r && repositories.Contains(r),
            })
            .OrderBy(d => d.ExpiresAt).ThenBy(d => d.Id)
            .Select(d => new ExpiringDecision(d.Id, d.VulnerabilityId, d.ScopeKind switch
            {
                Core.Domain.DecisionScopeKind.Global => "everywhere",
                Core.Domain.DecisionScopeKind.Team => $"team {d.ScopeTeam}",
                Core.Domain.DecisionScopeKind.Repository => $"repository {d.ScopeRepository}",
                Core.Domain.DecisionScopeKind.Digest => $"image {d.ScopeRepository}@{d.ScopeDigest}",
            }, d.Status.ToWire(), d.Author, MetricsHistoryLoader.Utc(d.ExpiresAt!.Value)))
            .ToList();
    }

    /// <summary>SQLite gives times back without a kind; they are UTC.</summary>
    private static List<WeeklySnapshot> Utc(List<WeeklySnapshot> rows)
    {
        foreach (var r in rows)
        {
            r.AsOf = MetricsHistoryLoader.Utc(r.AsOf);
            r.ComputedAt = MetricsHistoryLoader.Utc(r.ComputedAt);
        }
        return rows;
    }

    private static Task<long?> NewestImageAsync(TriageDbContext db, long repositoryId, CancellationToken ct) =>
        db.Artifacts.AsNoTracking().Where(a => a.RepositoryId == repositoryId)
            .OrderByDescending(a => a.FirstSeen).ThenByDescending(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
}
