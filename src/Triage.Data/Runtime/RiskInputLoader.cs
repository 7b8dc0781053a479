using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Data.Runtime;

/// <summary>Which findings a load covers: every finding, the findings of some artifacts, or some findings.</summary>
internal sealed record RiskScope(IReadOnlyCollection<long>? ArtifactIds, IReadOnlyCollection<long>? FindingIds)
{
    public static RiskScope All { get; } = new(null, null);
    public static RiskScope Artifacts(IReadOnlyCollection<long> ids) => new(ids, null);
    public static RiskScope Findings(IReadOnlyCollection<long> ids) => new(null, ids);
    public bool IsAll => ArtifactIds is null && FindingIds is null;
}

/// <summary>The stored verdict of a finding.</summary>
internal sealed record StoredVerdict(ReachabilityVerdict Verdict, VerdictConfidence Confidence, ProposedJustification? Justification, string? SourcesJson, string? NotesJson);

/// <summary>Where an artifact's image runs: presence over current workloads (null when no inventory was ever imported, or
/// when the inventories do not cover where it could run: <paramref name="Gap"/> then says what they cover), and when any
/// workload last showed it, current or not.</summary>
internal sealed record ArtifactPresence(RuntimePresence? Presence, DateTime? LastSeenEver, InventoryGap? Gap = null);

/// <summary>Everything ranking and the finding's explanation need, for one finding.</summary>
internal sealed class FindingRiskContext
{
    public required long FindingId { get; init; }
    public required long ArtifactId { get; init; }
    public required long GroupId { get; init; }
    /// <summary>Whether the finding is open (what <see cref="Rollups.PriorityRollup"/> counts).</summary>
    public bool Active { get; init; }
    public required RiskInput Input { get; init; }
    public double? Cvss { get; init; }
    public required EnrichmentValues Enrichment { get; init; }
    public DateOnly? EpssDate { get; init; }
    public required ArtifactPresence Presence { get; init; }
    public StoredVerdict? Verdict { get; init; }
}

/// <summary>
/// Loads ranking inputs from the database with plain SQL (it runs for 500,000 findings inside the scoring transaction,
/// and for one page of findings on a page's connection): severity and fix of the finding, highest CVSS of its
/// observations and alias group, KEV and EPSS of its alias group's CVEs (<see cref="EnrichmentSelector"/>), where its image runs
/// (<see cref="RuntimePresence"/> over current workloads), its stored verdict, and the decision in force.
/// </summary>
internal static class RiskInputLoader
{
    private sealed record FindingRow(long Id, long ArtifactId, long GroupId, Severity Severity, bool FixAvailable, bool Active, double? StoredCvss, bool HasRisk);

    /// <param name="refreshCvss">Read CVSS again even when a stored score has it (after an import changed the evidence).</param>
    /// <param name="verdictDetails">Also read each verdict's sources and notes (explanations), not only the verdict.</param>
    /// <param name="now">When decisions in force are read (an expired one no longer counts).</param>
    /// <param name="vexResolved">The VEX store's decisions in force, when the caller read them already.</param>
    /// <param name="knownGroupCvss">Highest CVSS scores of alias groups whose records the caller wrote in this transaction.</param>
    public static async Task<List<FindingRiskContext>> LoadAsync(SqlSource sql, RiskScope scope, RuntimeSettings settings, bool refreshCvss,
        bool verdictDetails, DateTime now, CancellationToken ct, IReadOnlyDictionary<long, Triage.Core.Vex.VexStatus?>? vexResolved = null,
        IReadOnlyDictionary<long, (double? Modern, double? Any)>? knownGroupCvss = null)
    {
        var findings = await FindingsAsync(sql, scope, ct);
        if (findings.Count == 0) return [];

        var cvss = await CvssAsync(sql, scope, findings, refreshCvss, knownGroupCvss, ct);
        var groups = findings.Select(f => f.GroupId).Distinct().ToList();
        var enrichment = await EnrichmentAsync(sql, scope.IsAll ? null : groups, ct);
        var presence = await PresenceAsync(sql, settings, findings.Select(f => f.ArtifactId).Distinct().ToList(), ct);
        var verdicts = await VerdictsAsync(sql, scope, findings, verdictDetails, ct);
        var vex = await RankingVex.LoadAsync(sql, scope, findings.Select(f => f.Id).ToList(), now, ct, vexResolved);

        var result = new List<FindingRiskContext>(findings.Count);
        foreach (var f in findings)
        {
            var (values, epssDate) = enrichment.Get(f.GroupId);
            var p = presence[f.ArtifactId];
            verdicts.TryGetValue(f.Id, out var verdict);
            var c = cvss.TryGetValue(f.Id, out var score) ? score : f.StoredCvss;
            var input = new RiskInput
            {
                // Zero-padded so the ranker's ordinal tie-break is the numeric order SQL uses.
                FindingId = f.Id.ToString("D19", CultureInfo.InvariantCulture),
                Severity = f.Severity,
                CvssScore = c,
                FixAvailable = f.FixAvailable,
                Reachability = verdict?.Verdict ?? ReachabilityVerdict.Unknown,
                ReachabilityConfidence = verdict?.Confidence ?? VerdictConfidence.Low,
                Vex = vex.TryGetValue(f.Id, out var status) ? status : RankingVexStatus.None,
            }.With(p.Presence).With(values);
            if (p.Gap is { } gap) input = input.With(gap);
            result.Add(new FindingRiskContext
            {
                FindingId = f.Id, ArtifactId = f.ArtifactId, GroupId = f.GroupId, Input = input, Cvss = c,
                Enrichment = values, EpssDate = epssDate, Presence = p, Verdict = verdict,
                Active = f.Active,
            });
        }
        return result;
    }

    private static Task<List<FindingRow>> FindingsAsync(SqlSource sql, RiskScope scope, CancellationToken ct)
    {
        const string select = "SELECT f.\"Id\", f.\"ArtifactId\", f.\"GroupId\", f.\"Severity\", f.\"FixAvailable\", f.\"Active\", r.\"CvssScore\", " +
                              "CASE WHEN r.\"FindingId\" IS NULL THEN 0 ELSE 1 END FROM \"Findings\" f LEFT JOIN \"FindingRisks\" r ON r.\"FindingId\" = f.\"Id\"";
        static FindingRow Map(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (Severity)r.GetInt32(3), r.GetBoolean(4), r.GetBoolean(5),
            r.IsDBNull(6) ? null : r.GetDouble(6), r.GetInt32(7) == 1);
        if (scope.FindingIds is { } ids) return sql.QueryByKeysAsync(select + " WHERE f.\"Id\" IN ({keys})", ids, Map, ct);
        if (scope.ArtifactIds is { } artifacts) return sql.QueryByKeysAsync(select + " WHERE f.\"ArtifactId\" IN ({keys})", artifacts, Map, ct);
        return sql.QueryAsync(select, Map, ct);
    }

    /// <summary>Highest CVSS per finding, for findings whose stored value cannot be used (none stored yet, or an import
    /// changed their evidence): the scores its observations carry and those of the vulnerability records of its alias
    /// group, where the parsers put the scanners' CVSS (Trivy's CVSS by source, Grype's cvss, Snyk's CVSSv3). A v3 or v4
    /// score wins over a v2 one; among them the highest counts.</summary>
    /// <param name="knownGroups">Highest scores of groups whose records the caller holds already (an import's new groups, computed
    /// from the rows it wrote): those records are not read again.</param>
    private static async Task<Dictionary<long, double?>> CvssAsync(SqlSource sql, RiskScope scope, List<FindingRow> findings, bool refresh,
        IReadOnlyDictionary<long, (double? Modern, double? Any)>? knownGroups, CancellationToken ct)
    {
        var need = findings.Where(f => refresh || !f.HasRisk).ToList();
        var result = new Dictionary<long, double?>(need.Count);
        if (need.Count == 0) return result;
        var all = need.Count == findings.Count;
        var active = need.ToDictionary(f => f.Id, f => f.Active);
        const string select = "SELECT o.\"FindingId\", o.\"CvssJson\", o.\"Active\" FROM \"Observations\" o";
        static (long FindingId, string Json, bool Active) Map(DbDataReader r) => (r.GetInt64(0), r.GetString(1), r.GetBoolean(2));
        List<(long FindingId, string Json, bool Active)> rows;
        if (scope.ArtifactIds is { } artifacts && all)
            rows = await sql.QueryByKeysAsync(select + " JOIN \"Findings\" f ON f.\"Id\" = o.\"FindingId\" WHERE f.\"ArtifactId\" IN ({keys}) AND o.\"CvssJson\" IS NOT NULL", artifacts, Map, ct);
        else if (scope.IsAll && all)
            rows = await sql.QueryAsync(select + " WHERE o.\"CvssJson\" IS NOT NULL", Map, ct);
        else
            rows = await sql.QueryByKeysAsync(select + " WHERE o.\"FindingId\" IN ({keys}) AND o.\"CvssJson\" IS NOT NULL", need.Select(f => f.Id).ToList(), Map, ct);

        var best = new Dictionary<long, (double Modern, double Any)>();
        foreach (var (id, json, obsActive) in rows)
        {
            // An open finding is scored from what scanners report now; a resolved one from everything it had.
            if (!active.TryGetValue(id, out var findingActive) || (findingActive && !obsActive)) continue;
            Raise(best, id, Cvss.MaxScores(json));
        }

        const string vulnerabilities = "SELECT \"GroupId\", \"CvssJson\" FROM \"Vulnerabilities\" WHERE \"CvssJson\" IS NOT NULL";
        static (long GroupId, string Json) MapVulnerability(DbDataReader r) => (r.GetInt64(0), r.GetString(1));
        var byGroup = new Dictionary<long, (double Modern, double Any)>();
        var groups = need.Select(f => f.GroupId).Distinct().ToList();
        var unknown = knownGroups is null ? groups : groups.Where(g => !knownGroups.ContainsKey(g)).ToList();
        var groupRows = scope.IsAll && all && knownGroups is null
            ? await sql.QueryAsync(vulnerabilities, MapVulnerability, ct)
            : unknown.Count == 0 ? [] : await sql.QueryByKeysAsync(vulnerabilities + " AND \"GroupId\" IN ({keys})", unknown, MapVulnerability, ct);
        foreach (var (groupId, json) in groupRows) Raise(byGroup, groupId, Cvss.MaxScores(json));
        if (knownGroups is not null)
            foreach (var g in groups)
                if (knownGroups.TryGetValue(g, out var known)) Raise(byGroup, g, known);

        foreach (var f in need)
        {
            var fromObservations = best.TryGetValue(f.Id, out var o) ? o : (Modern: -1d, Any: -1d);
            var fromGroup = byGroup.TryGetValue(f.GroupId, out var g) ? g : (Modern: -1d, Any: -1d);
            var (modern, any) = (Math.Max(fromObservations.Modern, fromGroup.Modern), Math.Max(fromObservations.Any, fromGroup.Any));
            result[f.Id] = modern >= 0 ? modern : any >= 0 ? any : null;
        }
        return result;

        static void Raise(Dictionary<long, (double Modern, double Any)> into, long key, (double? Modern, double? Any) scores)
        {
            if (scores.Modern is null && scores.Any is null) return;
            var b = into.TryGetValue(key, out var found) ? found : (-1, -1);
            into[key] = (Math.Max(b.Modern, scores.Modern ?? -1), Math.Max(b.Any, scores.Any ?? -1));
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Enrichment through alias groups

    private sealed class GroupEnrichment(Dictionary<long, List<string>> cves, Dictionary<string, (double Epss, double Percentile, DateOnly Date)> epss,
        Dictionary<string, KevEntry> kev)
    {
        private readonly Dictionary<long, (EnrichmentValues, DateOnly?)> _cache = new();

        public (EnrichmentValues Values, DateOnly? EpssDate) Get(long groupId)
        {
            if (_cache.TryGetValue(groupId, out var hit)) return hit;
            if (!cves.TryGetValue(groupId, out var ids)) return _cache[groupId] = (EnrichmentValues.None, null);
            var values = EnrichmentSelector.Select(ids,
                c => epss.TryGetValue(c, out var e) ? new EpssScore(c, e.Epss, e.Percentile) : null,
                c => kev.GetValueOrDefault(c));
            DateOnly? date = values.EpssCve is { } chosen && epss.TryGetValue(chosen, out var e) ? e.Date : null;
            return _cache[groupId] = (values, date);
        }
    }

    private static async Task<GroupEnrichment> EnrichmentAsync(SqlSource sql, IReadOnlyCollection<long>? groups, CancellationToken ct)
    {
        // Without any EPSS score or KEV listing stored, no group has enrichment: skip reading every group's CVEs.
        var stored = await sql.QueryAsync(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM \"EpssEntries\") OR EXISTS (SELECT 1 FROM \"KevListings\") THEN 1 ELSE 0 END", r => r.GetInt32(0), ct);
        if (stored[0] == 0) return new GroupEnrichment([], new(StringComparer.Ordinal), new(StringComparer.OrdinalIgnoreCase));

        static (long Group, string Cve) MapMember(DbDataReader r) => (r.GetInt64(0), r.GetString(1));
        var members = groups is null
            ? await sql.QueryAsync("SELECT \"GroupId\", \"VulnId\" FROM \"Vulnerabilities\" WHERE \"VulnId\" LIKE 'CVE-%'", MapMember, ct)
            : await sql.QueryByKeysAsync("SELECT \"GroupId\", \"VulnId\" FROM \"Vulnerabilities\" WHERE \"GroupId\" IN ({keys}) AND \"VulnId\" LIKE 'CVE-%'", groups, MapMember, ct);
        var cves = new Dictionary<long, List<string>>();
        foreach (var (g, cve) in members)
        {
            if (!cves.TryGetValue(g, out var list)) cves[g] = list = new List<string>(1);
            list.Add(cve);
        }

        static (string Cve, double Epss, double Percentile, DateOnly Date) MapEpss(DbDataReader r) =>
            (r.GetString(0), r.GetDouble(1), r.GetDouble(2), DateOnly.FromDateTime(r.GetDateTime(3)));
        var epssRows = groups is null
            ? await sql.QueryAsync("SELECT e.\"Cve\", e.\"Epss\", e.\"Percentile\", e.\"ScoreDate\" FROM \"EpssEntries\" e JOIN \"Vulnerabilities\" v ON v.\"VulnId\" = e.\"Cve\"", MapEpss, ct)
            : await sql.QueryByKeysAsync("SELECT \"Cve\", \"Epss\", \"Percentile\", \"ScoreDate\" FROM \"EpssEntries\" WHERE \"Cve\" IN ({keys})",
                members.Select(m => m.Cve).Distinct(StringComparer.Ordinal).ToList(), MapEpss, ct);
        var epss = new Dictionary<string, (double, double, DateOnly)>(epssRows.Count, StringComparer.Ordinal);
        foreach (var (cve, e, p, d) in epssRows) epss[cve] = (e, p, d);

        static KevEntry MapKev(DbDataReader r) => new(r.GetString(0), DateOnly.FromDateTime(r.GetDateTime(1)),
            r.IsDBNull(2) ? null : DateOnly.FromDateTime(r.GetDateTime(2)), (RansomwareUse)r.GetInt32(3), null, null, null, null, []);
        const string kevSelect = "SELECT \"CveId\", \"DateAdded\", \"DueDate\", \"Ransomware\" FROM \"KevListings\"";
        var kevRows = groups is null
            ? await sql.QueryAsync(kevSelect, MapKev, ct)
            : await sql.QueryByKeysAsync(kevSelect + " WHERE \"CveId\" IN ({keys})", members.Select(m => m.Cve).Distinct(StringComparer.Ordinal).ToList(), MapKev, ct);
        var kev = kevRows.ToDictionary(k => k.CveId, StringComparer.OrdinalIgnoreCase);
        return new GroupEnrichment(cves, epss, kev);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Where images run

    /// <summary>Presence per artifact for <paramref name="artifactIds"/>.</summary>
    internal static async Task<Dictionary<long, ArtifactPresence>> PresenceAsync(SqlSource sql, RuntimeSettings settings, IReadOnlyCollection<long> artifactIds, CancellationToken ct)
    {
        var result = new Dictionary<long, ArtifactPresence>(artifactIds.Count);
        var state = await InventoryState.LoadAsync(sql, settings, ct);
        if (!state.HasInventories)
        {
            var unknown = new ArtifactPresence(null, null);
            foreach (var id in artifactIds) result[id] = unknown;
            return result;
        }
        var catalog = await ArtifactCatalog.LoadAsync(sql, ct);
        var byArtifact = new Dictionary<long, List<WorkloadRow>>();
        foreach (var w in state.Workloads)
            foreach (var id in catalog.Match(w.Repository, w.Tag, w.Digest, w.ImageId, w.Reference))
            {
                if (!byArtifact.TryGetValue(id, out var list)) byArtifact[id] = list = [];
                list.Add(w);
            }
        // Absence depends on the repository only: judged once per repository.
        var absence = new Dictionary<string, InventoryGap?>(StringComparer.Ordinal);
        foreach (var id in artifactIds)
        {
            var rows = byArtifact.GetValueOrDefault(id);
            var current = rows?.Where(state.IsCurrent).ToList() ?? [];
            if (current.Count > 0)
            {
                result[id] = new ArtifactPresence(Presence(current), rows!.Max(w => w.LastSeen));
                continue;
            }
            var repository = catalog.Get(id)?.Repository ?? "";
            if (!absence.TryGetValue(repository, out var gap)) absence[repository] = gap = state.Absence(repository);
            result[id] = new ArtifactPresence(gap is null ? RuntimePresence.NotSeen : null, rows?.Max(w => w.LastSeen), gap);
        }
        return result;
    }

    /// <summary>Where the current workloads of one image run, summed.</summary>
    private static RuntimePresence Presence(List<WorkloadRow> current)
    {
        // One inventory per row, observed when it was last seen: RuntimePresence sums workloads, replicas and environments.
        var inventories = current.Select(w =>
        {
            var inv = new DeploymentInventory { Source = w.Source, Cluster = w.Cluster.Length == 0 ? null : w.Cluster, ObservedAt = new DateTimeOffset(w.LastSeen, TimeSpan.Zero) };
            inv.Workloads.Add(new WorkloadImage
            {
                Cluster = w.Cluster.Length == 0 ? null : w.Cluster,
                Namespace = w.Namespace,
                WorkloadKind = w.Kind,
                WorkloadName = w.Name,
                Container = w.Container.Length == 0 ? null : w.Container,
                InitContainer = w.Init,
                Image = new Triage.Core.Runtime.RuntimeImageReference(w.Reference, w.Repository, w.Tag, w.Digest, w.ImageId),
                Environment = w.Environment,
                Replicas = w.Replicas,
                Pods = w.Pods,
                StartedAt = w.StartedAt is { } s ? new DateTimeOffset(s, TimeSpan.Zero) : null,
            });
            return inv;
        }).ToList();
        var presence = RuntimePresence.Of(inventories, _ => true);
        // First seen is when a snapshot first showed it (pod start times are per pod, not per image).
        return presence with { FirstSeen = new DateTimeOffset(current.Min(w => w.FirstSeen), TimeSpan.Zero), LastSeen = new DateTimeOffset(current.Max(w => w.LastSeen), TimeSpan.Zero) };
    }

    // -------------------------------------------------------------------------------------------------------------
    // Verdicts

    private static async Task<Dictionary<long, StoredVerdict>> VerdictsAsync(SqlSource sql, RiskScope scope, List<FindingRow> findings, bool details, CancellationToken ct)
    {
        var select = details
            ? "SELECT v.\"FindingId\", v.\"Verdict\", v.\"Confidence\", v.\"ProposedJustification\", v.\"SourcesJson\", v.\"NotesJson\" FROM \"FindingVerdicts\" v"
            : "SELECT v.\"FindingId\", v.\"Verdict\", v.\"Confidence\", v.\"ProposedJustification\", NULL, NULL FROM \"FindingVerdicts\" v";
        (long, StoredVerdict) Map(DbDataReader r) => (r.GetInt64(0), new StoredVerdict((ReachabilityVerdict)r.GetInt32(1), (VerdictConfidence)r.GetInt32(2),
            r.IsDBNull(3) ? null : (ProposedJustification)r.GetInt32(3), details && !r.IsDBNull(4) ? r.GetString(4) : null, details && !r.IsDBNull(5) ? r.GetString(5) : null));
        var rows = scope switch
        {
            { FindingIds: { } ids } => await sql.QueryByKeysAsync(select + " WHERE v.\"FindingId\" IN ({keys})", ids, Map, ct),
            { ArtifactIds: { } a } => await sql.QueryByKeysAsync(select + " JOIN \"Findings\" f ON f.\"Id\" = v.\"FindingId\" WHERE f.\"ArtifactId\" IN ({keys})", a, Map, ct),
            _ => await sql.QueryAsync(select, Map, ct),
        };
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    internal static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}

/// <summary>Highest CVSS base scores in a CvssJson list of an observation or a vulnerability record
/// ([{"source","version","vector","score"}], as <see cref="Triage.Core.Ingest.EvidenceJson.Cvss"/> writes it).</summary>
internal static class Cvss
{
    /// <summary>CVSS versions 3 and 4 are the modern ones: "3.0", "3.1", "4.0".</summary>
    private static bool IsModern(string? version) => version is ['3' or '4', ..];

    /// <summary>The same fold over a report's entries before they are written (an import's new alias groups): equal to
    /// <see cref="MaxScores(string)"/> of the JSON <see cref="Triage.Core.Ingest.EvidenceJson.Cvss"/> writes for them.</summary>
    public static (double? Modern, double? Any) MaxScores(IReadOnlyList<Triage.Core.Ingest.CvssScore> scores)
    {
        double? modern = null, any = null;
        foreach (var c in scores)
        {
            if (c.Score is not { } s || s is < 0 or > 10) continue;
            any = Math.Max(any ?? -1, s);
            if (IsModern(c.Version)) modern = Math.Max(modern ?? -1, s);
        }
        return (modern, any);
    }

    /// <summary>(highest v3/v4 score, highest score of any version); null where none.</summary>
    public static (double? Modern, double? Any) MaxScores(string json)
    {
        double? modern = null, any = null;
        // Called for every vulnerability record of the images being scored: no allocation per call.
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        var bytes = buffer[..Encoding.UTF8.GetBytes(json, buffer)];
        var reader = new Utf8JsonReader(bytes);
        var modernVersion = false;
        double? score = null;
        var depth = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        modernVersion = false;
                        score = null;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        if (score is { } s and >= 0 and <= 10)
                        {
                            any = Math.Max(any ?? -1, s);
                            if (modernVersion) modern = Math.Max(modern ?? -1, s);
                        }
                        break;
                    case JsonTokenType.PropertyName when depth == 1:
                        var isVersion = reader.ValueTextEquals("version"u8);
                        var isScore = !isVersion && reader.ValueTextEquals("score"u8);
                        reader.Read();
                        if (isVersion)
                            // "3.1", "4.0" (or a number 3.1): versions 3 and 4 are the modern ones (IsModern).
                            modernVersion = reader.TokenType switch
                            {
                                JsonTokenType.String => reader.ValueIsEscaped ? IsModern(reader.GetString()) : reader.ValueSpan is [(byte)'3' or (byte)'4', ..],
                                JsonTokenType.Number => reader.ValueSpan is [(byte)'3' or (byte)'4', ..],
                                _ => false,
                            };
                        else if (isScore && reader.TokenType == JsonTokenType.Number) score = reader.GetDouble();
                        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Stored by the importer, so well-formed; a damaged value counts as no score rather than failing ranking.
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
        return (modern, any);
    }
}
