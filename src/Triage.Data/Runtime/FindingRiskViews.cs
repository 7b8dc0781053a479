using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Data.Runtime;

/// <summary>A finding's risk as the CLI, the API and the pages show it: score, priority, the factors that make the score,
/// the runtime verdict with its sources, where the image runs, and EPSS and KEV with the data's dates.</summary>
public sealed record FindingRiskView
{
    public required decimal Score { get; init; }
    public required SsvcPriority Priority { get; init; }
    /// <summary>VEX not_affected or fixed: out of the ranking (score 0, listed last).</summary>
    public bool Excluded { get; init; }
    /// <summary>The factors in order; their contributions sum to <see cref="Score"/>.</summary>
    public IReadOnlyList<RiskFactor> Why { get; init; } = [];
    public required ReachabilityView Reachability { get; init; }
    public required RuntimeView Runtime { get; init; }
    public EpssView? Epss { get; init; }
    public required KevView Kev { get; init; }
    /// <summary>The highest CVSS base score used for impact (null: severity was used).</summary>
    public double? Cvss { get; init; }
}

/// <param name="Evaluated">False when no runtime or code evidence applies to the image (the verdict is then unknown).</param>
/// <param name="ProposedJustification">The not_affected justification the verdict suggests; a person confirms it.</param>
public sealed record ReachabilityView(ReachabilityVerdict Verdict, VerdictConfidence Confidence, IReadOnlyList<VerdictSource> Sources,
    ProposedJustification? ProposedJustification, IReadOnlyList<string> Notes, bool Evaluated)
{
    public static ReachabilityView NoEvidence { get; } = new(ReachabilityVerdict.Unknown, VerdictConfidence.Low, [], null,
        ["no runtime or code evidence for this image"], false);
}

/// <param name="Running">True when a current workload runs the image; false when cluster-wide inventories of the clusters that
/// matter show it does not; null when no inventory was imported, or when the inventories do not cover where it could run.</param>
/// <param name="LastSeen">When a workload last showed the image, current or not.</param>
/// <param name="Gap">When <paramref name="Running"/> is null although inventories exist: what they cover.</param>
public sealed record RuntimeView(bool? Running, IReadOnlyList<string> Environments, int Workloads, int? Replicas, IReadOnlyList<string> Clusters,
    DateTime? FirstSeen, DateTime? LastSeen, InventoryGap? Gap = null);

/// <param name="Cve">The CVE of the alias group whose score was taken (the highest).</param>
public sealed record EpssView(double Score, double Percentile, DateOnly? Date, string Cve);

public sealed record KevView(bool Listed, DateOnly? DateAdded, RansomwareUse Ransomware, DateOnly? DueDate, IReadOnlyList<string> Cves)
{
    public static KevView NotListed { get; } = new(false, null, RansomwareUse.Unknown, null, []);
}

/// <summary>
/// Builds <see cref="FindingRiskView"/>s for findings being shown. Inputs are loaded by the same loader that stores
/// scores, and scored by the same ranker with the configuration of the stored score, so what is shown explains the
/// order lists sort by.
/// </summary>
public static class FindingRiskViews
{
    /// <param name="vexResolved">The VEX store's decision in force per finding, when the caller resolved it (the findings list
    /// does); otherwise it is resolved here.</param>
    public static async Task<Dictionary<long, FindingRiskView>> LoadAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, CancellationToken ct = default,
        IReadOnlyDictionary<long, Triage.Core.Vex.VexStatus?>? vexResolved = null)
    {
        var result = new Dictionary<long, FindingRiskView>(findingIds.Count);
        if (findingIds.Count == 0) return result;
        var conn = db.Database.GetDbConnection();
        var opened = conn.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            var sql = SqlSource.Of(conn, db.Provider, db.Database.CurrentTransaction?.GetDbTransaction());
            var policyIds = await sql.QueryByKeysAsync("SELECT DISTINCT \"PolicyId\" FROM \"FindingRisks\" WHERE \"FindingId\" IN ({keys})", findingIds, r => r.GetInt64(0), ct);
            var config = await RankingPolicies.NewestAsync(sql, policyIds.Distinct().ToList(), ct);
            var ranker = new RiskRanker(config.Ranking);
            var contexts = await RiskInputLoader.LoadAsync(sql, RiskScope.Findings(findingIds), config.Settings(), refreshCvss: false, verdictDetails: true,
                DateTime.UtcNow, ct, vexResolved);
            foreach (var c in contexts) result[c.FindingId] = View(c, ranker.Score(c.Input));
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
        return result;
    }

    private static FindingRiskView View(FindingRiskContext c, RiskResult r)
    {
        var e = c.Enrichment;
        var presence = c.Presence.Presence;
        return new FindingRiskView
        {
            Score = r.Score,
            Priority = r.Priority,
            Excluded = r.Disposition == RankDisposition.Excluded,
            Why = r.Why,
            Cvss = c.Cvss,
            Reachability = c.Verdict is { } v
                ? new ReachabilityView(v.Verdict, v.Confidence, v.SourcesJson is null ? [] : VerdictRefresher.ParseSources(v.SourcesJson), v.Justification,
                    v.NotesJson is null ? [] : JsonSerializer.Deserialize(v.NotesJson, Configuration.DataJson.Default.ListString) ?? [], true)
                : ReachabilityView.NoEvidence,
            Runtime = new RuntimeView(presence?.Running, presence?.Environments ?? [], presence?.Workloads ?? 0, presence?.Replicas, presence?.Clusters ?? [],
                presence?.FirstSeen?.UtcDateTime, presence is { Running: true } ? presence.LastSeen?.UtcDateTime : c.Presence.LastSeenEver, c.Presence.Gap),
            Epss = e.Epss is { } score ? new EpssView(score, e.EpssPercentile ?? 0, c.EpssDate, e.EpssCve ?? "") : null,
            Kev = e.Kev ? new KevView(true, e.KevDateAdded, e.KevRansomware, e.KevDueDate, e.KevCves) : KevView.NotListed,
        };
    }
}
