using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>A stored statement: the row, its document (null for a person's decision) and the statement rebuilt from them.</summary>
public sealed record StoredStatement(Decision Row, VexDocumentRecord? Document, VexStatement Statement);

/// <summary>
/// Statements indexed by the ids they name (as <see cref="DecisionRows.VulnKey"/> spells them), so a finding meets only the
/// statements about its own vulnerability: resolving N findings against M statements costs N·k, not N·M (a bulk decision
/// over 400 findings makes 400 statements).
/// </summary>
public sealed class StatementIndex
{
    private readonly Dictionary<string, List<int>> _byVulnKey = new(StringComparer.Ordinal);

    public StatementIndex(IReadOnlyList<VexStatement> statements)
    {
        Statements = statements;
        for (var i = 0; i < statements.Count; i++)
            foreach (var id in statements[i].Vulnerability.AllIds.Select(DecisionRows.VulnKey).Distinct(StringComparer.Ordinal))
            {
                if (!_byVulnKey.TryGetValue(id, out var list)) _byVulnKey[id] = list = [];
                list.Add(i);
            }
    }

    public IReadOnlyList<VexStatement> Statements { get; }

    /// <summary>The statements naming one of these ids, in their order (the resolver's tie-break).</summary>
    public IReadOnlyList<VexStatement> About(IEnumerable<string> vulnerabilityIds)
    {
        List<int>? single = null;
        SortedSet<int>? many = null;
        foreach (var id in vulnerabilityIds)
        {
            if (!_byVulnKey.TryGetValue(DecisionRows.VulnKey(id), out var list)) continue;
            if (single is null) single = list;
            else (many ??= [.. single]).UnionWith(list);
        }
        if (single is null) return [];
        return (many ?? (IEnumerable<int>)single).Select(i => Statements[i]).ToArray();
    }
}

/// <summary>The statements that can apply to a set of findings, in record order, with the trust policy to resolve them.</summary>
public sealed class StatementSet
{
    private readonly StatementIndex _index;

    public StatementSet(IReadOnlyList<StoredStatement> stored, VexTrustPolicy trust)
    {
        Stored = stored;
        Trust = trust;
        ById = stored.ToDictionary(s => s.Statement.Id);
        _index = new StatementIndex(stored.Select(s => s.Statement).ToArray());
    }

    public IReadOnlyList<StoredStatement> Stored { get; }
    public IReadOnlyDictionary<Guid, StoredStatement> ById { get; }
    public VexTrustPolicy Trust { get; }
    public IEnumerable<VexStatement> Statements => Stored.Select(s => s.Statement);

    /// <summary>The statements naming one of these ids, in record order (the resolver's tie-break).</summary>
    public IReadOnlyList<VexStatement> About(IEnumerable<string> vulnerabilityIds) => _index.About(vulnerabilityIds);

    /// <summary>The effective statement for a finding (<see cref="VexResolver"/>), with <paramref name="extra"/> statements
    /// (those about the finding's vulnerability) counted as recorded after every stored one.</summary>
    public VexResolution Resolve(VexFindingRef finding, DateTimeOffset asOf, StatementIndex? extra = null)
    {
        var statements = About(finding.VulnerabilityIds);
        if (extra is not null && extra.About(finding.VulnerabilityIds) is { Count: > 0 } more) statements = [.. statements, .. more];
        return VexResolver.Resolve(finding.ToVexFinding(), statements, asOf, Trust);
    }
}

/// <summary>Reads stored statements for findings: one query for the statements that can apply (by the ids of the findings'
/// alias groups and by scope), then <see cref="VexResolver"/> in memory.</summary>
public static class VexStatementQueries
{
    public static async Task<StatementSet> CandidatesAsync(TriageDbContext db, IReadOnlyCollection<VexFindingRef> findings, CancellationToken ct = default)
    {
        var trust = await TrustPolicyAsync(db, ct);
        // Most databases hold far fewer decisions than findings; none at all is common and costs one query.
        if (findings.Count == 0 || !await db.Decisions.AnyAsync(ct)) return new StatementSet([], trust);
        var keys = findings.SelectMany(f => f.VulnerabilityIds).Select(DecisionRows.VulnKey).Distinct(StringComparer.Ordinal).ToList();
        var repos = findings.Select(f => VexImageNames.NormalizeRepository(f.Repository)).Distinct(StringComparer.Ordinal).ToList();
        var digests = findings.Select(f => f.Digest).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var teams = findings.Select(f => f.TeamId).OfType<long>().Distinct().Select(DecisionRows.TeamKey).ToList();

        var rows = new Dictionary<long, Decision>();
        foreach (var chunk in keys.Chunk(2000))
        {
            // Driven by the id index (VulnKey IN …), then one primary-key lookup per hit: an EXISTS per decision would probe the
            // whole id list for every stored decision.
            var q =
                from v in db.DecisionVulnerabilityIds.AsNoTracking()
                where chunk.Contains(v.VulnKey)
                join d in db.Decisions.AsNoTracking() on v.DecisionId equals d.Id
                where d.ScopeKind == DecisionScopeKind.Global
                      || (d.ScopeKind == DecisionScopeKind.Team && teams.Contains(d.ScopeTeam!))
                      || (d.ScopeKind == DecisionScopeKind.Repository && repos.Contains(d.ScopeRepository!))
                      || (d.ScopeKind == DecisionScopeKind.Digest && digests.Contains(d.ScopeDigest!))
                select d;
            foreach (var d in await q.ToListAsync(ct)) rows[d.Id] = d;
        }
        return new StatementSet(await ToStoredAsync(db, rows.Values, ct), trust);
    }

    /// <summary>Effective statement per finding id.</summary>
    public static async Task<(StatementSet Set, Dictionary<long, VexResolution> ByFinding)> ResolveAsync(TriageDbContext db,
        IReadOnlyCollection<VexFindingRef> findings, DateTimeOffset asOf, CancellationToken ct = default)
    {
        var set = await CandidatesAsync(db, findings, ct);
        var result = new Dictionary<long, VexResolution>(findings.Count);
        foreach (var f in findings) result[f.FindingId] = set.Resolve(f, asOf);
        return (set, result);
    }

    /// <summary>Per-author trust as recorded; an author nobody rated is trusted (a file a user imports by name is vouched
    /// for by that user; every import records its author's trust, see ADR 024).</summary>
    public static async Task<VexTrustPolicy> TrustPolicyAsync(TriageDbContext db, CancellationToken ct = default)
    {
        var authors = await db.VexAuthors.AsNoTracking().Select(a => new { a.Name, a.Trust }).ToListAsync(ct);
        var requireSignatures = await Signing.VexPolicySettings.RequireSignaturesAsync(db, ct);
        return new VexTrustPolicy(VexTrust.Trusted, authors.Select(a => KeyValuePair.Create(a.Name, a.Trust))) { RequireSignatures = requireSignatures };
    }

    /// <summary>Rebuilds statements from rows (in record order) with their documents, read without their content.</summary>
    internal static async Task<List<StoredStatement>> ToStoredAsync(TriageDbContext db, IEnumerable<Decision> rows, CancellationToken ct)
    {
        var ordered = rows.OrderBy(r => r.Id).ToList();
        var ids = ordered.Select(r => r.DocumentId).OfType<long>().Distinct().ToList();
        var documents = new Dictionary<long, VexDocumentRecord>();
        foreach (var chunk in ids.Chunk(2000))
            foreach (var d in await db.VexDocuments.AsNoTracking().Where(d => chunk.Contains(d.Id)).WithoutContent().ToListAsync(ct))
                documents[d.Id] = d;
        return ordered.Select(r => new StoredStatement(r, r.DocumentId is { } id ? documents[id] : null,
            DecisionRows.ToStatement(r, r.DocumentId is { } i ? documents[i] : null))).ToList();
    }

    /// <summary>Documents without their (possibly large) bytes: everything a statement's source and a listing need.</summary>
    internal static IQueryable<VexDocumentRecord> WithoutContent(this IQueryable<VexDocumentRecord> q) => q.Select(d => new VexDocumentRecord
    {
        Id = d.Id, Format = d.Format, SpecVersion = d.SpecVersion, DocumentId = d.DocumentId, Author = d.Author, Version = d.Version,
        Timestamp = d.Timestamp, Tooling = d.Tooling, Signature = d.Signature, Trust = d.Trust, FileName = d.FileName, Sha256 = d.Sha256,
        SizeBytes = d.SizeBytes, Content = Array.Empty<byte>(), StatementCount = d.StatementCount, MatchedCount = d.MatchedCount,
        UnmatchedCount = d.UnmatchedCount, RejectedCount = d.RejectedCount, DecisionCount = d.DecisionCount, ImportedAt = d.ImportedAt,
        LastMatchedAt = d.LastMatchedAt, ImportedBy = d.ImportedBy,
    });
}
