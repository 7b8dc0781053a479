using System.Data.Common;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Data.Import;
using Triage.Data.Rollups;

namespace Triage.Data.Runtime;

/// <summary>
/// Scores findings with <see cref="RiskRanker"/> and stores score, priority and the rank key (FindingRisks), inside the
/// write transaction of the caller so scores never interleave with an import, and keeps the per-artifact counts by
/// priority (<see cref="PriorityRollup"/>) in step with what it wrote. Explanations are not stored: they are
/// rebuilt for the findings shown, by the same ranker and the policy recorded with the score.
/// </summary>
internal static class RiskScorer
{
    private static readonly string[] Columns = ["FindingId", "ScoreTenths", "Priority", "Excluded", "RankKey", "CvssScore", "PolicyId", "ComputedAt", "PrioritySince"];
    private const int PriorityColumn = 2, SinceColumn = 8;

    /// <returns>How many findings were scored.</returns>
    /// <param name="knownGroupCvss">Highest CVSS scores of alias groups the caller knows whole (an import's new groups).</param>
    /// <param name="sliceFindings">With <see cref="RiskScope.All"/>: about how many findings are scored at a time.</param>
    public static async Task<int> ScoreAsync(ImportStore store, RiskScope scope, RankingPolicy policy, RuntimeSettings settings,
        bool refreshCvss, DateTime now, CancellationToken ct, IReadOnlyDictionary<long, (double? Modern, double? Any)>? knownGroupCvss = null,
        int sliceFindings = DefaultSliceFindings)
    {
        if (scope.IsAll)
        {
            // A whole database is scored a slice of artifacts at a time (each slice exactly as an import's artifacts are),
            // so memory follows the slice, not the database: at 500,000 findings one pass held ~600 MiB of inputs, rows
            // and old scores (docs/benchmarks.md, "Full rescore").
            var total = 0;
            foreach (var slice in await ArtifactSlicesAsync(store, sliceFindings, ct))
                total += await ScoreAsync(store, RiskScope.Artifacts(slice), policy, settings, refreshCvss, now, ct, knownGroupCvss);
            // Scores of findings no artifact holds any more cannot exist (they cascade), so nothing else is left to delete.
            return total;
        }
        var timer = ImportTimings.Start();
        var policyId = await RankingPolicies.EnsureAsync(store, policy, settings, now, ct);
        timer.Lap("risk: policy");
        var contexts = await RiskInputLoader.LoadAsync(SqlSource.Of(store), scope, settings, refreshCvss, verdictDetails: false, now, ct,
            knownGroupCvss: knownGroupCvss);
        timer.Lap("risk: load inputs");
        var ranker = new RiskRanker(policy);
        var rows = new List<object?[]>(contexts.Count);
        // Open, ranked findings per (artifact, priority) among those scored: the new PriorityRollups contribution.
        var counts = new Dictionary<(long ArtifactId, SsvcPriority Priority), int>();
        foreach (var c in contexts)
        {
            var r = ranker.Score(c.Input);
            var excluded = r.Disposition == RankDisposition.Excluded;
            rows.Add([c.FindingId, (int)(r.Score * 10), r.Priority, excluded, RiskOrder.RankKey(r, policy), c.Cvss, policyId, now, null]);
            if (c.Active && !excluded) CollectionsMarshal.GetValueRefOrAddDefault(counts, (c.ArtifactId, r.Priority), out _)++;
        }
        // The deletes return what they delete, so a priority that did not change keeps the moment it took effect and one
        // that did is kept with its period (RiskPeriods, ADR 108).
        const string returning = " RETURNING \"FindingId\", \"Priority\", \"PrioritySince\"";
        Dictionary<long, RiskPeriods.Stored> old;
        if (scope.IsAll) old = await RiskPeriods.DeleteReturningAsync(store, "DELETE FROM \"FindingRisks\"" + returning, null, ct);
        else if (scope.ArtifactIds is { } artifacts)
            old = await RiskPeriods.DeleteReturningAsync(store,
                "DELETE FROM \"FindingRisks\" WHERE \"FindingId\" IN (SELECT \"Id\" FROM \"Findings\" WHERE \"ArtifactId\" IN ({keys}))" + returning, artifacts, ct);
        else
        {
            // Some findings of their artifacts: the rollups change by the difference, so take the old scores' share out.
            var open = contexts.Where(c => c.Active).ToDictionary(c => c.FindingId, c => c.ArtifactId);
            old = [];
            foreach (var (findingId, priority, wasExcluded, since) in await DeleteReturningAsync(store, scope.FindingIds!, ct))
            {
                old[findingId] = new RiskPeriods.Stored((int)priority, since);
                if (!wasExcluded && open.TryGetValue(findingId, out var artifactId))
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, (artifactId, priority), out _)--;
            }
        }
        var periods = RiskPeriods.Carry(old, rows, idColumn: 0, PriorityColumn, SinceColumn, RiskPeriods.Kind.Priority, now);
        timer.Lap("risk: rank+delete");
        await store.InsertAsync("FindingRisks", Columns, rows, ct);
        await RiskPeriods.InsertAsync(store, periods, ct);
        timer.Lap("risk: insert");
        // Every finding of the scope's artifacts was scored (or every finding): their rows are rewritten whole.
        if (scope.FindingIds is null) await PriorityRollupSql.ReplaceAsync(store, scope.ArtifactIds, counts, ct);
        else await PriorityRollupSql.AddAsync(store, counts, ct);
        timer.Lap("risk: priority rollups");
        return rows.Count;
    }

    /// <summary>About how many findings are scored together when everything is scored.</summary>
    public const int DefaultSliceFindings = 50_000;

    /// <summary>Every artifact that has findings, in id order, cut into slices of about <paramref name="findings"/> findings
    /// (an artifact is never split; one larger than that is a slice of its own). The full verdict refresh goes by the same
    /// slices (<see cref="VerdictRefresher.RefreshEverythingAsync"/>).</summary>
    internal static async Task<List<List<long>>> ArtifactSlicesAsync(ImportStore store, int findings, CancellationToken ct)
    {
        var counts = await store.QueryAsync("SELECT \"ArtifactId\", COUNT(*) FROM \"Findings\" GROUP BY \"ArtifactId\" ORDER BY \"ArtifactId\"",
            r => (r.GetInt64(0), r.GetInt64(1)), ct);
        var slices = new List<List<long>>();
        List<long>? slice = null;
        long inSlice = 0;
        foreach (var (artifactId, n) in counts)
        {
            if (slice is null || (inSlice > 0 && inSlice + n > findings))
            {
                slices.Add(slice = []);
                inSlice = 0;
            }
            slice.Add(artifactId);
            inSlice += n;
        }
        return slices;
    }

    /// <summary>Deletes the scores of these findings and returns what they were (priority, excluded, since when), in chunks.
    /// Both providers support <c>DELETE … RETURNING</c> (SQLite since 3.35).</summary>
    private static async Task<List<(long FindingId, SsvcPriority Priority, bool Excluded, DateTime Since)>> DeleteReturningAsync(ImportStore store,
        IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var old = new List<(long, SsvcPriority, bool, DateTime)>();
        foreach (var chunk in ids.Chunk(900))
        {
            var names = string.Join(',', chunk.Select((_, i) => "@p" + i));
            old.AddRange(await store.QueryAsync(
                $"DELETE FROM \"FindingRisks\" WHERE \"FindingId\" IN ({names}) RETURNING \"FindingId\", \"Priority\", \"Excluded\", \"PrioritySince\"",
                r => (r.GetInt64(0), (SsvcPriority)r.GetInt32(1), r.GetBoolean(2), RiskInputLoader.Utc(r.GetDateTime(3))), ct, chunk.Cast<object?>().ToArray()));
        }
        return old;
    }
}

/// <summary>
/// The ranker's total order as one number, for SQL: ranked before excluded, then score (tenths), priority, KEV, EPSS
/// (to 1e-9) and impact (to 0.001), exactly as <see cref="RiskRanker.Compare"/> orders them. "ORDER BY RankKey DESC,
/// FindingId" therefore lists findings as <see cref="RiskRanker.Rank"/> does (a test holds the two together).
/// </summary>
internal static class RiskOrder
{
    public static long RankKey(RiskResult r, RankingPolicy policy)
    {
        var input = r.Input;
        var tenths = (int)(r.Score * 10);
        long key = r.Disposition == RankDisposition.Ranked ? 1 : 0;
        key = (key << 11) | (uint)Math.Clamp(tenths, 0, 2047);
        key = (key << 2) | (uint)r.Priority;
        key = (key << 1) | (input.Kev ? 1u : 0u);
        key = (key << 31) | (input.Epss is { } e && !double.IsNaN(e) ? (uint)Math.Round(Math.Clamp(e, 0, 1) * 1e9) + 1 : 0u);
        key = (key << 14) | (uint)Math.Round(Impact(input, policy) * 1000);
        return key;
    }

    /// <summary>CVSS when known, else the policy's CVSS-equivalent of the severity (the ranker's impact).</summary>
    public static double Impact(RiskInput input, RankingPolicy p) => input.CvssScore is { } c && c is >= 0 and <= 10
        ? c
        : input.Severity switch
        {
            Severity.Critical => p.CriticalScore,
            Severity.High => p.HighScore,
            Severity.Medium => p.MediumScore,
            Severity.Low => p.LowScore,
            Severity.Unknown => p.UnknownSeverityScore,
        };
}

/// <summary>What a stored score depends on besides the data: the ranking policy, the running window, and the version of
/// how inputs are read (<see cref="CurrentInputs"/>). A change to any of them changes the stored configuration's hash, so
/// scores made before are computed again (<see cref="FindingRiskService"/>'s start-up check).</summary>
internal sealed record ScoringConfig(RankingPolicy Ranking, double RunningWindowHours, int Inputs = ScoringConfig.CurrentInputs, bool AllClustersInventoried = false)
{
    /// <summary>2: a finding's CVSS also comes from the vulnerability records of its alias group, where the parsers keep
    /// the scanners' scores (before, only observations were read, and they carry none). 3: exposure follows what the
    /// inventories cover (ADR 109): an image missing from partial inventories is unknown, not "not running".</summary>
    public const int CurrentInputs = 3;

    public RuntimeSettings Settings(RuntimeSettings? template = null) =>
        (template ?? RuntimeSettings.Default) with { RunningWindowHours = RunningWindowHours, AllClustersInventoried = AllClustersInventoried };
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ScoringConfig))]
internal sealed partial class ScoringJson : JsonSerializerContext;

/// <summary>Scoring configurations that scored findings, stored once each by the hash of their JSON; explanations are
/// rebuilt with the configuration that produced the stored score.</summary>
internal static class RankingPolicies
{
    // Source-generated: the reflection serializer cost ~80 ms of start-up (emitted accessors) in every `triage ingest`.
    // Enums as names, declaration order. Adding a field changes every hash, and with it every stored score is computed again.
    public static string ToJson(RankingPolicy policy, RuntimeSettings settings) =>
        JsonSerializer.Serialize(new ScoringConfig(policy, settings.RunningWindowHours, AllClustersInventoried: settings.AllClustersInventoried), ScoringJson.Default.ScoringConfig);

    public static ScoringConfig FromJson(string json) =>
        JsonSerializer.Deserialize(json, ScoringJson.Default.ScoringConfig) ?? throw new InvalidOperationException("a stored ranking policy is empty");

    public static string Hash(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    public static async Task<long> EnsureAsync(ImportStore store, RankingPolicy policy, RuntimeSettings settings, DateTime now, CancellationToken ct)
    {
        var json = ToJson(policy, settings);
        var hash = Hash(json);
        var id = await store.ScalarAsync<long?>("SELECT \"Id\" FROM \"RankingPolicies\" WHERE \"Hash\" = @p0", ct, hash);
        if (id is not null) return id.Value;
        var newId = (await store.AllocateIdsAsync("RankingPolicies", 1, ct))[0];
        await store.InsertAsync("RankingPolicies", ["Id", "Hash", "PolicyJson", "CreatedAt"], [[newId, hash, json, now]], ct);
        return newId;
    }

    /// <summary>The hash of the configuration that scored most recently (null before anything was scored).</summary>
    public static async Task<string?> LatestHashAsync(SqlSource sql, CancellationToken ct) =>
        (await sql.QueryAsync("SELECT p.\"Hash\" FROM \"RankingPolicies\" p WHERE p.\"Id\" = (SELECT MAX(r.\"PolicyId\") FROM \"FindingRisks\" r)",
            r => r.GetString(0), ct)).FirstOrDefault();

    /// <summary>The configuration with the highest id among <paramref name="ids"/>, else the newest stored one, else the defaults.</summary>
    public static async Task<ScoringConfig> NewestAsync(SqlSource sql, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var rows = ids.Count == 0
            ? await sql.QueryAsync("SELECT \"Id\", \"PolicyJson\" FROM \"RankingPolicies\" ORDER BY \"Id\" DESC LIMIT 1", (DbDataReader r) => (r.GetInt64(0), r.GetString(1)), ct)
            : await sql.QueryByKeysAsync("SELECT \"Id\", \"PolicyJson\" FROM \"RankingPolicies\" WHERE \"Id\" IN ({keys})", ids, (DbDataReader r) => (r.GetInt64(0), r.GetString(1)), ct);
        return rows.Count == 0 ? new ScoringConfig(RankingPolicy.Default, RuntimeSettings.Default.RunningWindowHours) : FromJson(rows.MaxBy(r => r.Item1).Item2);
    }
}
