using System.Data.Common;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Data.Runtime;

/// <summary>
/// The VEX status ranking gives each finding: the decision in force from the VEX store (scope precedence, trust and
/// expiry applied by <see cref="VexStatementQueries"/>; the pages, sessions, API, CLI and imported documents all record
/// there). not_affected and fixed take a finding out of the ranking.
/// Only findings whose alias group is named by some decision are resolved, so a database without decisions costs one query.
/// </summary>
internal static class RankingVex
{
    /// <param name="resolved">The VEX store's statuses when the caller has already resolved them (the findings list does).</param>
    public static async Task<Dictionary<long, RankingVexStatus>> LoadAsync(SqlSource sql, ContextSource context, RiskScope scope,
        IReadOnlyCollection<(long Id, long GroupId)> findings, CancellationToken ct, IReadOnlyDictionary<long, VexStatus?>? resolved = null)
    {
        var result = new Dictionary<long, RankingVexStatus>();
        if (resolved is not null)
        {
            foreach (var (id, status) in resolved)
                if (status is { } s) result[id] = ToRanking(s);
        }
        else
            foreach (var (id, status) in await StoreAsync(sql, context, scope, findings, ct)) result[id] = status;
        return result;
    }

    /// <summary>The VEX store's decisions in force for some findings (null where none).</summary>
    public static async Task<Dictionary<long, RankingVexStatus>> StoreOnlyAsync(SqlSource sql, ContextSource context, IReadOnlyCollection<(long Id, long GroupId)> findings,
        CancellationToken ct) => await StoreAsync(sql, context, RiskScope.Findings(findings.Select(f => f.Id).ToList()), findings, ct);

    private static async Task<Dictionary<long, RankingVexStatus>> StoreAsync(SqlSource sql, ContextSource context, RiskScope scope,
        IReadOnlyCollection<(long Id, long GroupId)> findings, CancellationToken ct)
    {
        var result = new Dictionary<long, RankingVexStatus>();
        var keys = (await sql.QueryAsync("SELECT DISTINCT \"VulnKey\" FROM \"DecisionVulnerabilityIds\"", r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);
        if (keys.Count == 0) return result;

        static (long Group, string Id) Map(DbDataReader r) => (r.GetInt64(0), r.GetString(1));
        var groups = findings.Select(f => f.GroupId).Distinct().ToList();
        var members = scope.IsAll
            ? await sql.QueryAsync("SELECT \"GroupId\", \"VulnId\" FROM \"Vulnerabilities\"", Map, ct)
            : await sql.QueryByKeysAsync("SELECT \"GroupId\", \"VulnId\" FROM \"Vulnerabilities\" WHERE \"GroupId\" IN ({keys})", groups, Map, ct);
        var named = members.Where(m => keys.Contains(DecisionRows.VulnKey(m.Id))).Select(m => m.Group).ToHashSet();
        var candidates = findings.Where(f => named.Contains(f.GroupId)).Select(f => f.Id).ToList();
        if (candidates.Count == 0) return result;

        var byFinding = await context.UseAsync(async db =>
        {
            var refs = await VexFindingRefs.LoadAsync(db, candidates, ct);
            return (await VexStatementQueries.ResolveAsync(db, refs, DateTimeOffset.UtcNow, ct)).ByFinding;
        });
        foreach (var (id, resolution) in byFinding)
            if (resolution.Effective is { } effective) result[id] = ToRanking(effective.Status);
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

/// <summary>An EF context for the VEX store's queries: the page's own (not disposed here), or a new one for a connection
/// string (while scores are stored, beside the write transaction's connection).</summary>
internal sealed record ContextSource(TriageDbContext? Existing, string? ConnectionString)
{
    public static ContextSource Of(TriageDbContext db) => new(db, null);
    public static ContextSource Of(string connectionString) => new(null, connectionString);

    public async Task<T> UseAsync<T>(Func<TriageDbContext, Task<T>> work)
    {
        if (Existing is not null) return await work(Existing);
        await using var db = TriageDatabase.CreateContext(ConnectionString!);
        return await work(db);
    }
}
