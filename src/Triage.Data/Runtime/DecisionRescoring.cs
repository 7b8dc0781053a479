using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Scores findings again when the status of the decision in force changed (recorded, imported, expired, moved to another
/// team): a finding decided not_affected or fixed leaves the ranking, the priority counts and the top risks at once.
/// Only findings that have a stored score are scored, with the configuration that scored them (the newest of theirs), in the
/// caller's transaction; unscored findings are scored by the import's own refresh. A status that did not change leaves
/// the score as it is.
/// </summary>
internal static class DecisionRescoring
{
    public static async Task RescoreAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, DateTime now, CancellationToken ct)
    {
        if (findingIds.Count == 0) return;
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                 ?? throw new InvalidOperationException("decisions are recomputed inside a transaction");
        await using var store = ImportStore.Over(db.Database.GetDbConnection(), tx);
        // Scores and their priority counts are written under the import's lock (imports score inside their transaction):
        // on PostgreSQL a decision that changes scores waits for a running import; SQLite has one writer anyway.
        if (store.Provider == DatabaseProvider.PostgreSql) await store.ExecuteAsync("SELECT pg_advisory_xact_lock(7425001)", ct);
        var scored = await store.QueryByKeysAsync("SELECT \"FindingId\", \"PolicyId\" FROM \"FindingRisks\" WHERE \"FindingId\" IN ({keys})",
            findingIds, r => (FindingId: r.GetInt64(0), PolicyId: r.GetInt64(1)), ct);
        if (scored.Count == 0) return;
        var config = await RankingPolicies.NewestAsync(SqlSource.Of(store), scored.Select(s => s.PolicyId).Distinct().ToList(), ct);
        await RiskScorer.ScoreAsync(store, RiskScope.Findings(scored.Select(s => s.FindingId).ToList()), config.Ranking, config.Settings(),
            refreshCvss: false, now, ct);
    }
}
