using Triage.Core.Ranking;
using Triage.Core.Vex;

namespace Triage.Data.Runtime;

/// <summary>
/// The VEX status ranking gives each finding: the decision in force as the VEX store keeps it in
/// <c>EffectiveDecisions</c> (docs/decisions/025-effective-decisions.md; scope precedence, trust and expiry are applied
/// when the store rewrites those rows). Ranking reads the rows and never resolves statements itself, so the grid's status
/// filter, the counts and the ranking agree by construction. not_affected and fixed take a finding out of the ranking.
/// </summary>
internal static class RankingVex
{
    private const string Select = "SELECT \"FindingId\", \"Status\", \"ExpiresAt\" FROM \"EffectiveDecisions\"";

    /// <summary>The decisions in force for the findings of <paramref name="scope"/>, read on the caller's connection (inside
    /// the scoring transaction, or on a page's connection).</summary>
    /// <param name="resolved">The VEX store's statuses when the caller has already read them (the findings list does).</param>
    public static async Task<Dictionary<long, RankingVexStatus>> LoadAsync(SqlSource sql, RiskScope scope, IReadOnlyCollection<long> findings, DateTime now,
        CancellationToken ct, IReadOnlyDictionary<long, VexStatus?>? resolved = null)
    {
        var result = new Dictionary<long, RankingVexStatus>();
        if (resolved is not null)
        {
            foreach (var (id, status) in resolved)
                if (status is { } s) result[id] = ToRanking(s);
            return result;
        }
        static (long Id, VexStatus Status, DateTime? ExpiresAt) Map(System.Data.Common.DbDataReader r) =>
            (r.GetInt64(0), (VexStatus)r.GetInt32(1), r.IsDBNull(2) ? null : RiskInputLoader.Utc(r.GetDateTime(2)));
        var rows = scope.IsAll
            ? await sql.QueryAsync(Select, Map, ct)
            : await sql.QueryByKeysAsync(Select + " WHERE \"FindingId\" IN ({keys})", findings, Map, ct);
        // An expired winner stops counting at once (as EffectiveDecisions.Current reads it), before the sweep replaces it.
        foreach (var (id, status, expires) in rows)
            if (expires is null || expires > now) result[id] = ToRanking(status);
        return result;
    }

    internal static RankingVexStatus ToRanking(VexStatus s) => s switch
    {
        VexStatus.UnderInvestigation => RankingVexStatus.UnderInvestigation,
        VexStatus.Affected => RankingVexStatus.Affected,
        VexStatus.NotAffected => RankingVexStatus.NotAffected,
        VexStatus.Fixed => RankingVexStatus.Fixed,
    };
}
