using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Keeps verdicts and stored scores current: after a scan import (the imported artifacts), after runtime evidence
/// (the artifacts it names, or every finding when an inventory changes where images run), after enrichment (every
/// finding) and after a decision (that finding). Each refresh runs in one write transaction, serialised with imports.
/// </summary>
public sealed class FindingRiskService
{
    private readonly string _connectionString;
    private readonly RankingPolicy _policy;
    private readonly RuntimeSettings _settings;
    private readonly TimeProvider _time;

    /// <summary>About how many findings a whole-database scoring holds in memory at a time (tests and benchmarks change it).</summary>
    public int SliceFindings { get; init; } = RiskScorer.DefaultSliceFindings;

    public FindingRiskService(string connectionString, RankingPolicy? policy = null, RuntimeSettings? settings = null, TimeProvider? time = null)
    {
        _connectionString = connectionString;
        _policy = policy ?? RankingPolicy.Default;
        var errors = _policy.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid ranking policy (Triage:Ranking): " + string.Join(" ", errors), nameof(policy));
        _settings = settings ?? RuntimeSettings.Default;
        var settingErrors = _settings.Validate();
        if (settingErrors.Count > 0) throw new ArgumentException("Invalid runtime settings: " + string.Join(" ", settingErrors), nameof(settings));
        _time = time ?? TimeProvider.System;
    }

    public RankingPolicy Policy => _policy;
    public RuntimeSettings Settings => _settings;

    /// <summary>After an import: verdicts and scores of the imported artifacts (a duplicate changed nothing).</summary>
    public Task<RiskRefreshResult> AfterImportAsync(ImportSummary summary, CancellationToken ct = default) =>
        summary.Duplicate || summary.RiskScored
            ? Task.FromResult(RiskRefreshResult.None)
            : RefreshAsync(summary.Artifacts.Select(a => a.ArtifactId).Distinct().ToList(), scoreAll: false, ct);

    /// <summary>Judges the findings of <paramref name="artifactIds"/> again and scores them (or every finding).</summary>
    public Task<RiskRefreshResult> RefreshAsync(IReadOnlyCollection<long> artifactIds, bool scoreAll, CancellationToken ct = default) =>
        RefreshAsync(artifactIds, scoreAll, inventoryChanged: false, listedDigests: [], ct);

    /// <summary>After runtime evidence: the artifacts it names, and those whose tag runs with another digest that the
    /// evidence concerns (<see cref="VerdictRefresher.RefreshAsync"/>): every such artifact after an inventory
    /// (<paramref name="inventoryChanged"/>), those a package list of a running digest speaks for (<paramref name="listedDigests"/>).</summary>
    internal async Task<RiskRefreshResult> RefreshAsync(IReadOnlyCollection<long> artifactIds, bool scoreAll, bool inventoryChanged,
        IReadOnlyCollection<string> listedDigests, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var timer = ImportTimings.Start();
        await TriageDatabase.EnsureMigratedAsync(_connectionString, ct);
        await using var store = await ImportStore.BeginAsync(_connectionString, ct);
        var now = Now();
        var verdicts = artifactIds.Count == 0 && !inventoryChanged && listedDigests.Count == 0
            ? new VerdictRefresher.VerdictRefresh(0, [], [], [])
            : await VerdictRefresher.RefreshAsync(store, artifactIds, _settings, now, ct, inventoryChanged, listedDigests);
        var (artifacts, judged, counts, scope) = verdicts;
        timer.Lap("risk: verdicts");
        var scored = scoreAll
            ? await RiskScorer.ScoreAsync(store, RiskScope.All, _policy, _settings, refreshCvss: false, now, ct, sliceFindings: SliceFindings)
            : scope.Count == 0 ? 0 : await RiskScorer.ScoreAsync(store, RiskScope.Artifacts(scope), _policy, _settings, refreshCvss: true, now, ct);
        timer.Lap("risk: scores");
        await store.CommitAsync(ct);
        var flagged = await FlagContradictionsAsync(judged, ct);
        timer.Lap("risk: commit");
        return new RiskRefreshResult(artifacts, judged.Count, scored, counts, sw.ElapsedMilliseconds, flagged);
    }

    /// <summary>Verdicts and scores of freshly imported images, inside the import's transaction (see <see cref="ReportImporter"/>).
    /// Only used while no VEX decision exists: then no verdict can contradict a decision, so nothing is flagged.</summary>
    /// <param name="newGroupCvss">Highest CVSS scores of the alias groups the import created (<see cref="RiskInputLoader"/>
    /// reads the others).</param>
    internal async Task ScoreWithinImportAsync(ImportStore store, IReadOnlyCollection<long> artifactIds,
        IReadOnlyDictionary<long, (double? Modern, double? Any)> newGroupCvss, CancellationToken ct)
    {
        if (artifactIds.Count == 0) return;
        var now = Now();
        // The scope may widen: an imported digest that runs under a tag judges the findings of the tag's other digests.
        var verdicts = await VerdictRefresher.RefreshAsync(store, artifactIds, _settings, now, ct);
        await RiskScorer.ScoreAsync(store, RiskScope.Artifacts(verdicts.Scope), _policy, _settings, refreshCvss: true, now, ct, newGroupCvss);
    }

    /// <summary>Every verdict from every stored evidence file, then every score (e.g. after evidence rules changed): both a
    /// slice of about <see cref="SliceFindings"/> findings (whole artifacts) at a time, in one transaction.</summary>
    public async Task<RiskRefreshResult> RefreshEverythingAsync(CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        await TriageDatabase.EnsureMigratedAsync(_connectionString, ct);
        await using var store = await ImportStore.BeginAsync(_connectionString, ct);
        var now = Now();
        // Verdicts go a slice of artifacts at a time, as scores do: only the findings whose verdict may contradict a
        // not_affected decision in force are kept for flagging once committed, not every judged finding.
        var toFlag = new List<(long FindingId, PackageEvidence Evidence)>();
        var (artifacts, judged, counts) = await VerdictRefresher.RefreshEverythingAsync(store, _settings, now, SliceFindings,
            async slice => toFlag.AddRange(await ContradictingAsync(SqlSource.Of(store), slice, now, ct)), ct);
        var scored = await RiskScorer.ScoreAsync(store, RiskScope.All, _policy, _settings, refreshCvss: true, now, ct, sliceFindings: SliceFindings);
        await store.CommitAsync(ct);
        var flagged = await FlagAsync(toFlag, ct);
        return new RiskRefreshResult(artifacts, judged, scored, counts, sw.ElapsedMilliseconds, flagged);
    }

    /// <summary>Scores every finding again from stored verdicts, enrichment and inventories (CVSS kept from the last score).</summary>
    public Task<RiskRefreshResult> RescoreAllAsync(CancellationToken ct = default) => RefreshAsync([], scoreAll: true, ct);

    /// <summary>Scores some findings again (a decision changed whether they are ranked at all).</summary>
    public async Task<RiskRefreshResult> RescoreFindingsAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default)
    {
        if (findingIds.Count == 0) return RiskRefreshResult.None;
        var sw = Stopwatch.StartNew();
        await TriageDatabase.EnsureMigratedAsync(_connectionString, ct);
        await using var store = await ImportStore.BeginAsync(_connectionString, ct);
        var scored = await RiskScorer.ScoreAsync(store, RiskScope.Findings(findingIds), _policy, _settings, refreshCvss: false, Now(), ct);
        await store.CommitAsync(ct);
        return new RiskRefreshResult(0, 0, scored, new Dictionary<string, int>(), sw.ElapsedMilliseconds);
    }

    /// <summary>
    /// Scores everything when stored scores are missing or were made with another policy (a database from before this
    /// feature, or a changed Triage:Ranking section). Cheap when they are current: two small queries.
    /// </summary>
    /// <returns>True when it rescored.</returns>
    public async Task<bool> EnsureCurrentAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(_connectionString, ct);
        await using (var db = TriageDatabase.CreateContext(_connectionString))
        {
            var conn = db.Database.GetDbConnection();
            await conn.OpenAsync(ct);
            var sql = SqlSource.Of(conn, db.Provider);
            var unscored = (await sql.QueryAsync(
                "SELECT COUNT(*) FROM \"Findings\" f WHERE NOT EXISTS (SELECT 1 FROM \"FindingRisks\" r WHERE r.\"FindingId\" = f.\"Id\")",
                r => r.GetInt64(0), ct)).Single();
            var latest = await RankingPolicies.LatestHashAsync(sql, ct);
            var any = (await sql.QueryAsync("SELECT COUNT(*) FROM \"FindingRisks\"", r => r.GetInt64(0), ct)).Single() > 0;
            if (unscored == 0 && (!any || latest == RankingPolicies.Hash(RankingPolicies.ToJson(_policy, _settings)))) return false;
        }
        await RefreshEverythingAsync(ct);
        return true;
    }

    /// <summary>
    /// New evidence against a not_affected decision in force (component_not_present, but the package is loaded…) flags the
    /// decision for re-review in the VEX store; the decision itself never changes. Only findings whose decision in force
    /// is not_affected are looked at.
    /// </summary>
    private async Task<int> FlagContradictionsAsync(List<(long FindingId, long GroupId, ReachabilityVerdict Verdict)> judged, CancellationToken ct)
    {
        List<(long FindingId, PackageEvidence Evidence)> contradicting;
        await using (var db = TriageDatabase.CreateContext(_connectionString))
        {
            await db.Database.OpenConnectionAsync(ct);
            contradicting = await ContradictingAsync(SqlSource.Of(db.Database.GetDbConnection(), db.Provider), judged, Now(), ct);
        }
        return await FlagAsync(contradicting, ct);
    }

    /// <summary>The judged findings whose decision in force is not_affected, with what their verdict says of the package.</summary>
    private static async Task<List<(long FindingId, PackageEvidence Evidence)>> ContradictingAsync(SqlSource sql,
        List<(long FindingId, long GroupId, ReachabilityVerdict Verdict)> judged, DateTime now, CancellationToken ct)
    {
        var withEvidence = judged.Where(j => Evidence(j.Verdict) is not null).ToList();
        if (withEvidence.Count == 0) return [];
        var ids = withEvidence.Select(j => j.FindingId).ToList();
        var statuses = await RankingVex.LoadAsync(sql, RiskScope.Findings(ids), ids, now, ct);
        return withEvidence.Where(j => statuses.GetValueOrDefault(j.FindingId) == RankingVexStatus.NotAffected)
            .Select(j => (j.FindingId, Evidence(j.Verdict)!.Value)).ToList();
    }

    /// <summary>Flags each decision whose justification the evidence contradicts (<see cref="Vex.DecisionService.FlagEvidenceAsync"/>).</summary>
    private async Task<int> FlagAsync(List<(long FindingId, PackageEvidence Evidence)> contradicting, CancellationToken ct)
    {
        if (contradicting.Count == 0) return 0;
        var decisions = new Vex.DecisionService(_connectionString, _time);
        var flagged = 0;
        foreach (var (id, evidence) in contradicting) flagged += await decisions.FlagEvidenceAsync(id, evidence, ct);
        return flagged;
    }

    private static PackageEvidence? Evidence(ReachabilityVerdict v) => v switch
    {
        ReachabilityVerdict.Reachable => PackageEvidence.Reachable,
        ReachabilityVerdict.Loaded => PackageEvidence.Loaded,
        ReachabilityVerdict.PresentNotLoaded => PackageEvidence.PresentNotLoaded,
        ReachabilityVerdict.NotPresent => PackageEvidence.Absent,
        ReachabilityVerdict.Unknown => null,
    };

    private DateTime Now()
    {
        var t = _time.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
