using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;
using Triage.Data.Queries;

namespace Triage.Data.Vex;

/// <summary>
/// Records VEX decisions and reads them back: the one entry point for the CLI (`triage decide`), the API
/// (POST /api/v1/decisions) and the UI's decision dialog. Decisions are append-only; a change of mind is a new statement.
/// Rules live on <see cref="VexStatement"/> (a refusal is a <see cref="VexRuleException"/>); unknown targets are a
/// <see cref="DecisionTargetException"/>; a stale view is a <see cref="DecisionConflictException"/>.
/// One context per operation, so it is safe to hold as a singleton (Blazor Server included).
/// </summary>
public sealed class DecisionService(string connectionString, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How <see cref="RecordAsync"/> stores its rows; tests pin one path to compare the two.</summary>
    internal DecisionWritePath WritePath { get; init; } = DecisionWritePath.Auto;

    /// <summary>What <paramref name="request"/> would record and which current findings it would reach; writes nothing.</summary>
    public async Task<DecisionOutcome> PreviewAsync(DecisionRequest request, CancellationToken ct = default)
    {
        var now = DecisionRows.Now(_time);
        CheckRequest(request, now);
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var plan = await PlanAsync(db, request, now, ct);
        return new DecisionOutcome(false, plan.Statements.Select(s => DecisionView.From(s.Statement)).ToArray(), plan.Touched);
    }

    /// <summary>Records the decision: one statement per scope it names (an image tag naming two digests gives two).
    /// Checks <see cref="DecisionRequest.Seen"/> first, under the write lock, so two people deciding on the same finding at
    /// once cannot both win: the second gets a <see cref="DecisionConflictException"/> carrying the first one's decision.</summary>
    public async Task<DecisionOutcome> RecordAsync(DecisionRequest request, CancellationToken ct = default)
    {
        var now = DecisionRows.Now(_time);
        CheckRequest(request, now);
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);

        // Seen is checked against the author's images too: a conflict would otherwise show another team's decision.
        if (request.Seen is { Count: > 0 } seen) await CheckSeenAsync(db, seen, request.AuthorSees, now, ct);
        var plan = await PlanAsync(db, request, now, ct);
        var recordedAt = DecisionRows.Utc(now);
        var rows = plan.Statements.Select(p => DecisionRows.ToRow(p.Statement, null, p.Supersedes, recordedAt)).ToList();
        // A bulk decision makes one statement per selected finding: hundreds of rows go the bulk path, one stays an entity.
        var writer = DecisionRowWriter.For(db, WritePath, rows.Count);
        await writer.AddDecisionsAsync(rows, ct);
        await writer.AddAsync(rows.Zip(plan.Statements).SelectMany(x => DecisionRows.VulnerabilityIdRows(x.First.Id, x.Second.Statement)).ToList(), ct);
        if (request.Origin is { } origin)
            await writer.AddAsync(rows.Select(r => new DecisionOrigin
            {
                DecisionId = r.Id, FindingId = origin.FindingId, SessionId = origin.SessionId, UserId = origin.UserId,
            }).ToList(), ct);
        // The materialised decision in force of every finding the new statements can reach (ADR 025).
        var statements = plan.Statements.Select(p => p.Statement).ToList();
        await EffectiveDecisions.RecomputeAsync(db, await EffectiveDecisions.ReachAsync(db, statements, ct), now, WritePath, ct);
        await tx.CommitAsync(ct);

        var views = rows.Zip(plan.Statements).Select(x => DecisionView.From(x.Second.Statement, x.First)).ToArray();
        return new DecisionOutcome(true, views, plan.Touched);
    }

    /// <summary>Every statement that applies to a finding, oldest first, with the one in force and why each other one is
    /// not; null when the finding does not exist.</summary>
    public async Task<DecisionHistory?> HistoryAsync(long findingId, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var refs = await VexFindingRefs.LoadAsync(db, [findingId], ct);
        if (refs.Count == 0) return null;
        var finding = refs[0];
        var now = _time.GetUtcNow();
        var set = await VexStatementQueries.CandidatesAsync(db, refs, ct);
        var res = set.Resolve(finding, now);
        var flags = await FlagsAsync(db, res.Applicable.Select(s => set.ById[s.Id]).ToArray(), now, ct);
        var notWinning = res.Set.ToDictionary(x => x.Statement.Id, x => x.Reason);
        var timeline = res.Applicable
            .OrderBy(s => s.Timestamp)
            .ThenBy(s => set.ById[s.Id].Row.Id)
            .Select(s =>
            {
                var stored = set.ById[s.Id];
                var effective = res.Effective?.Id == s.Id;
                string? reason = effective ? null
                    : notWinning.TryGetValue(s.Id, out var why) ? why
                    : res.Effective is { } e && e.Scope.Specificity > s.Scope.Specificity ? $"the {e.Scope.Describe()} decision is more specific"
                    : "a later statement in the same scope governs (OpenVEX time series)";
                return new DecisionHistoryEntry(DecisionView.From(stored, set.Trust, flags.GetValueOrDefault(stored.Row.Id)), effective, reason);
            })
            .ToArray();
        var effectiveVex = res.Effective is { } eff ? set.ById[eff.Id].ToFindingVex() : null;
        return new DecisionHistory(findingId, effectiveVex, res.Explanation, timeline);
    }

    /// <summary>Current decisions (the latest of their slot) that need a person to look again, with every reason.</summary>
    public async Task<IReadOnlyList<ReReviewItem>> ReReviewAsync(CancellationToken ct = default) => await ReReviewAsync(null, ct);

    /// <summary>The decisions flagged for re-review that <paramref name="audience"/> may see (all when null).</summary>
    public async Task<IReadOnlyList<ReReviewItem>> ReReviewAsync(VexAudience? audience, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var now = _time.GetUtcNow();
        var nowUtc = DecisionRows.Utc(now);
        var flagged = await db.DecisionReviews.AsNoTracking().Select(r => r.DecisionId)
            .Union(db.Decisions.AsNoTracking().Where(d => d.ExpiresAt != null && d.ExpiresAt <= nowUtc).Select(d => d.Id))
            .ToListAsync(ct);
        if (flagged.Count == 0) return [];
        var stored = await LoadStoredAsync(db, flagged, ct);
        var slots = stored.Select(s => s.Row.SlotKey).Distinct().ToList();
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in slots.Chunk(2000))
        {
            var inSlots = await db.Decisions.AsNoTracking().Where(d => chunk.Contains(d.SlotKey))
                .Select(d => new { d.SlotKey, d.Id, d.Timestamp }).ToListAsync(ct);
            foreach (var g in inSlots.GroupBy(d => d.SlotKey))
                latest[g.Key] = g.OrderByDescending(d => d.Timestamp).ThenByDescending(d => d.Id).First().Id;
        }
        var current = stored.Where(s => latest.GetValueOrDefault(s.Row.SlotKey) == s.Row.Id).ToArray();
        if (audience is not null)
        {
            var visible = await audience.VisibleDecisionsAsync(db, current.Select(s => s.Row).ToList(), ct);
            current = current.Where(s => visible.Contains(s.Row.Id)).ToArray();
        }
        var flags = await FlagsAsync(db, current, now, ct);
        var trust = await VexStatementQueries.TrustPolicyAsync(db, ct);
        return current
            .Where(s => flags.ContainsKey(s.Row.Id))
            .OrderBy(s => s.Row.Timestamp).ThenBy(s => s.Row.Id)
            .Select(s => new ReReviewItem(DecisionView.From(s, trust, flags[s.Row.Id]), flags[s.Row.Id]))
            .ToArray();
    }

    /// <summary>
    /// For the enrichment work: these CVEs are now in CISA KEV. Decisions about them (through their alias groups) made before
    /// the listing, other than fixed, are flagged for re-review (<see cref="VexReReview"/>). Pass the CVEs that entered the
    /// catalogue since the last call; <see cref="FlagKevListedAsync(IReadOnlyDictionary{string, DateTimeOffset}, CancellationToken)"/>
    /// takes each entry's dateAdded instead of now. Returns how many decisions were newly flagged.
    /// </summary>
    public Task<int> FlagKevListedAsync(IEnumerable<string> cveIds, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        return FlagKevListedAsync(cveIds.Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(c => c, _ => now, StringComparer.OrdinalIgnoreCase), ct);
    }

    /// <summary>As <see cref="FlagKevListedAsync(IEnumerable{string}, CancellationToken)"/>, with the date CISA added each CVE
    /// (KEV's dateAdded): only decisions made before that date are flagged.</summary>
    public async Task<int> FlagKevListedAsync(IReadOnlyDictionary<string, DateTimeOffset> dateAddedByCve, CancellationToken ct = default)
    {
        if (dateAddedByCve.Count == 0) return 0;
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        // Every id of each listed CVE's alias group names the same vulnerability.
        var dates = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (cve, date) in dateAddedByCve) dates[VulnerabilityIds.Normalize(cve)] = date;
        var listed = dates.ToDictionary(kv => DecisionRows.VulnKey(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        var cves = dates.Keys.ToList();
        var groups = await db.Vulnerabilities.AsNoTracking().Where(v => cves.Contains(v.VulnId)).Select(v => new { v.VulnId, v.GroupId }).ToListAsync(ct);
        var members = await VexFindingRefs.MembersAsync(db, groups.Select(g => g.GroupId), ct);
        foreach (var g in groups)
            foreach (var m in members.GetValueOrDefault(g.GroupId) ?? [])
                listed.TryAdd(DecisionRows.VulnKey(m), dates[g.VulnId]);

        var keys = listed.Keys.ToList();
        var ids = new List<long>();
        foreach (var chunk in keys.Chunk(2000))
            ids.AddRange(await db.DecisionVulnerabilityIds.AsNoTracking().Where(v => chunk.Contains(v.VulnKey)).Select(v => v.DecisionId).Distinct().ToListAsync(ct));
        var stored = await LoadStoredAsync(db, ids.Distinct().ToList(), ct);
        var now = _time.GetUtcNow();
        var raised = stored.SelectMany(s =>
        {
            var date = s.Statement.Vulnerability.AllIds.Select(DecisionRows.VulnKey).Where(listed.ContainsKey).Select(k => listed[k]).Min();
            return VexReReview.Check(s.Statement, new ReReviewContext(now, KevDateAdded: date))
                .Where(f => f.Reason == ReReviewReason.EnteredKev).Select(f => (s.Row.Id, f));
        }).ToList();
        var added = await AddFlagsAsync(db, raised, now, ct);
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>Whether any decision is bound to a package version (a range, or a purl with '@': a canonical purl escapes any
    /// other '@'). Plain SQL for the import path, which must not build the EF model for nothing.</summary>
    internal const string VersionBoundProbeSql =
        "SELECT 1 FROM \"Decisions\" WHERE \"SubcomponentRange\" IS NOT NULL OR \"SubcomponentPurl\" LIKE '%@%' LIMIT 1";

    /// <summary>
    /// After an import: for each artifact, decisions bound to a package version (a versioned purl or a <c>vers:</c> range)
    /// whose scope covers the artifact, made before the artifact was first seen, are flagged when the artifact has the
    /// package in another version. A digest decision is checked against the other digests of its repository.
    /// Returns how many decisions were newly flagged.
    /// </summary>
    public async Task<int> FlagPackageVersionChangesAsync(IEnumerable<long> artifactIds, CancellationToken ct = default)
    {
        var artifacts = artifactIds.Distinct().ToList();
        if (artifacts.Count == 0) return 0;
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);

        var images = await (
            from a in db.Artifacts.AsNoTracking()
            join r in db.Repositories.AsNoTracking() on a.RepositoryId equals r.Id
            where artifacts.Contains(a.Id)
            select new { a.Id, Repository = r.Name, a.Digest, r.TeamId, a.FirstSeen }).ToListAsync(ct);
        var repos = images.Select(i => VexImageNames.NormalizeRepository(i.Repository)).Distinct().ToList();
        var teams = images.Select(i => i.TeamId).OfType<long>().Select(DecisionRows.TeamKey).Distinct().ToList();
        var packages = await (
            from ap in db.ArtifactPackages.AsNoTracking()
            join p in db.Packages.AsNoTracking() on ap.PackageId equals p.Id
            where artifacts.Contains(ap.ArtifactId)
            select new { ap.ArtifactId, p.Name, p.Purl, p.Key }).ToListAsync(ct);
        // Only decisions about these packages, found by name: the work follows the import, not the number of decisions.
        var rows = new List<Decision>();
        foreach (var chunk in packages.Select(p => p.Name.ToLowerInvariant()).Distinct().Chunk(2000))
            rows.AddRange(await db.Decisions.AsNoTracking().Where(d =>
                    chunk.Contains(d.SubcomponentName!)
                    && (d.SubcomponentRange != null || d.SubcomponentPurl!.Contains("@"))
                    && (d.ScopeKind == DecisionScopeKind.Global
                        || (d.ScopeKind == DecisionScopeKind.Team && teams.Contains(d.ScopeTeam!))
                        || ((d.ScopeKind == DecisionScopeKind.Repository || d.ScopeKind == DecisionScopeKind.Digest) && repos.Contains(d.ScopeRepository!))))
                .ToListAsync(ct));
        var stored = (await VexStatementQueries.ToStoredAsync(db, rows, ct))
            .Where(s => s.Statement.Subcomponent is { } sub && (sub.Range is not null || sub.Package.Version is not null))
            .ToList();
        if (stored.Count == 0) return 0;

        var now = _time.GetUtcNow();
        var raised = new List<(long, ReReviewFlag)>();
        foreach (var img in images)
        {
            var repository = VexImageNames.NormalizeRepository(img.Repository);
            var team = img.TeamId is { } t ? DecisionRows.TeamKey(t) : null;
            var present = packages.Where(p => p.ArtifactId == img.Id).Select(p => Purl.TryParse(p.Purl ?? p.Key, out var x) ? x : null).OfType<Purl>().ToList();
            foreach (var s in stored)
            {
                // Only a digest that appeared after the decision is news; a digest decision looks at its repository's other digests.
                if (DecisionRows.Offset(img.FirstSeen) <= s.Statement.Timestamp) continue;
                var covers = s.Statement.Scope switch
                {
                    VexScope.Digest d => repository == d.RepositoryName && img.Digest != d.Sha256,
                    VexScope.Repository r => repository == r.Name,
                    VexScope.Team tm => string.Equals(team, tm.Id, StringComparison.OrdinalIgnoreCase),
                    _ => true,
                };
                if (!covers) continue;
                foreach (var p in present)
                    foreach (var f in VexReReview.Check(s.Statement, new ReReviewContext(now, PackageInNewerDigest: p, NewerDigest: img.Digest ?? img.Repository)))
                        if (f.Reason == ReReviewReason.PackageVersionChanged) raised.Add((s.Row.Id, f));
            }
        }
        var added = await AddFlagsAsync(db, raised, now, ct);
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>For the runtime work: new evidence about a finding's package. The decision in force is flagged when the
    /// evidence contradicts its justification (component_not_present but the package is there…). Returns 1 when flagged.</summary>
    public async Task<int> FlagEvidenceAsync(long findingId, PackageEvidence evidence, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        var refs = await VexFindingRefs.LoadAsync(db, [findingId], ct);
        if (refs.Count == 0) throw new DecisionTargetException(DecisionTargetError.UnknownFinding, $"No finding {findingId}.");
        var now = _time.GetUtcNow();
        var set = await VexStatementQueries.CandidatesAsync(db, refs, ct);
        if (set.Resolve(refs[0], now).Effective is not { } effective) return 0;
        var raised = VexReReview.Check(effective, new ReReviewContext(now, Evidence: evidence))
            .Where(f => f.Reason == ReReviewReason.EvidenceContradictsJustification)
            .Select(f => (set.ById[effective.Id].Row.Id, f)).ToList();
        var added = await AddFlagsAsync(db, raised, now, ct);
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>The decision in force of each of these findings that has one (the materialised table, ADR 025).</summary>
    public async Task<IReadOnlyDictionary<long, FindingVex>> EffectiveAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default)
    {
        var result = new Dictionary<long, FindingVex>();
        if (findingIds.Count == 0) return result;
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var now = DecisionRows.Utc(_time.GetUtcNow());
        foreach (var chunk in findingIds.Distinct().Chunk(2000))
            foreach (var e in await EffectiveDecisions.Current(db, now).AsNoTracking().Where(e => chunk.Contains(e.FindingId)).ToListAsync(ct))
                result[e.FindingId] = new FindingVex(e.DecisionId, e.Status, e.Justification, e.ScopeKind, e.Source, e.Author, DecisionRows.Offset(e.DecidedAt));
        return result;
    }

    /// <summary>Decisions made in a live session, oldest first.</summary>
    public async Task<IReadOnlyList<DecisionEntry>> ForSessionAsync(long sessionId, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await EntriesAsync(db, db.Decisions.AsNoTracking().Where(d => db.DecisionOrigins.Any(o => o.DecisionId == d.Id && o.SessionId == sessionId))
            .OrderBy(d => d.Id), ct);
    }

    /// <summary>Decisions recorded since a time, newest first, at most <paramref name="limit"/>; with <paramref name="visibleFindings"/>
    /// only those made on, or in force for, one of those findings.</summary>
    public async Task<IReadOnlyList<DecisionEntry>> SinceAsync(DateTimeOffset since, Func<TriageDbContext, IQueryable<long>?>? visibleFindings, int limit,
        CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var from = DecisionRows.Utc(since);
        var q = db.Decisions.AsNoTracking().Where(d => d.RecordedAt >= from);
        if (visibleFindings?.Invoke(db) is { } visible)
        {
            // One uncorrelated id set: inside a correlated EXISTS, SQLite rebuilt the visible findings for every decision
            // it looked at (19 s for a team member's dashboard with 500,000 findings; 60 ms this way).
            var visibleDecisions = db.DecisionOrigins.Where(o => o.FindingId != null && visible.Contains(o.FindingId.Value)).Select(o => o.DecisionId)
                .Concat(db.EffectiveDecisions.Where(e => visible.Contains(e.FindingId)).Select(e => e.DecisionId));
            q = q.Where(d => visibleDecisions.Contains(d.Id));
        }
        return await EntriesAsync(db, q.OrderByDescending(d => d.Id).Take(limit), ct);
    }

    /// <summary>Rows as entries: the statement rebuilt, with where it was made when the app recorded it.</summary>
    private static async Task<IReadOnlyList<DecisionEntry>> EntriesAsync(TriageDbContext db, IQueryable<Decision> rows, CancellationToken ct)
    {
        var list = await rows.ToListAsync(ct);
        if (list.Count == 0) return [];
        var ids = list.Select(d => d.Id).ToList();
        var origins = new Dictionary<long, DecisionOrigin>();
        foreach (var chunk in ids.Chunk(2000))
            foreach (var o in await db.DecisionOrigins.AsNoTracking().Where(o => chunk.Contains(o.DecisionId)).ToListAsync(ct))
                origins[o.DecisionId] = o;
        var stored = (await VexStatementQueries.ToStoredAsync(db, list, ct)).ToDictionary(s => s.Row.Id);
        var trust = await VexStatementQueries.TrustPolicyAsync(db, ct);
        return list.Select(d =>
        {
            origins.TryGetValue(d.Id, out var o);
            return new DecisionEntry(DecisionView.From(stored[d.Id], trust), o?.FindingId, o?.SessionId, o?.UserId);
        }).ToList();
    }

    /// <summary>A justification to propose in the decision dialog; never a decision (the person confirms).</summary>
    public static JustificationSuggestion SuggestJustification(PackageEvidence evidence, bool vulnerableFilesRemovedBySlimming = false) =>
        JustificationSuggester.Suggest(evidence, vulnerableFilesRemovedBySlimming);

    // ---------------------------------------------------------------------------------------------------------------

    private sealed record PlannedStatement(VexStatement Statement, HashSet<long>? Artifacts, long? Supersedes);

    private sealed record Plan(IReadOnlyList<PlannedStatement> Statements, IReadOnlyList<TouchedFinding> Touched);

    /// <summary>Refuses what can be refused without the database: VEX rules (exit 2), a package that is not a purl.</summary>
    private static void CheckRequest(DecisionRequest r, DateTimeOffset now)
    {
        if (r.Target is not DecisionTarget.Findings && string.IsNullOrWhiteSpace(r.Vulnerability))
            throw new DecisionTargetException(DecisionTargetError.Invalid, "A decision needs a vulnerability id.");
        if (r.Target is DecisionTarget.Findings { FindingIds.Count: 0 })
            throw new DecisionTargetException(DecisionTargetError.Invalid, "Select at least one finding.");
        if (r.Package is not null && !Purl.TryParse(r.Package, out _))
            throw new DecisionTargetException(DecisionTargetError.Invalid, $"'{r.Package}' is not a package URL (pkg:type/namespace/name@version).");
        if (r.VersionRange is not null)
        {
            if (r.Package is null) throw new DecisionTargetException(DecisionTargetError.Invalid, "A version range needs a package.");
            if (!VersRange.TryParse(r.VersionRange, out _, out var error))
                throw new DecisionTargetException(DecisionTargetError.Invalid, $"'{r.VersionRange}' is not a vers range: {error}.");
        }
        if (VexStatement.Check(Draft(r, new VulnerabilityRef(r.Vulnerability ?? "the selected vulnerability"), VexScope.Global.Instance, null, now)) is { } v)
            throw new VexRuleException(v);
        if (r.AuthorSees is not null && r.Target is DecisionTarget.Everywhere or DecisionTarget.Findings { Level: DecisionScopeKind.Global })
            throw new DecisionTargetException(DecisionTargetError.AdminOnlyScope,
                "Only an admin decides everywhere: it reaches every team's images. Decide on the image, its repository or your team instead.");
    }

    /// <summary>Why a team member is refused (<see cref="DecisionTargetError.NotYourImage"/>): the rule, said once.</summary>
    private const string NotYoursRule = "you decide on your teams' images and on images no team owns yet; an admin decides on the others";

    private static DecisionTargetException NotYours(string what) => new(DecisionTargetError.NotYourImage, $"{what}: {NotYoursRule}.");

    /// <summary>Refuses findings on images the author may not see (none when <paramref name="sees"/> is null: everything).</summary>
    private static void CheckSees(ImageVisibility? sees, IEnumerable<VexFindingRef> findings)
    {
        if (sees is null) return;
        var foreign = findings.Where(f => !sees.Sees(f.TeamId)).Select(f => f.FindingId).Order().ToList();
        if (foreign.Count == 0) return;
        var listed = string.Join(", ", foreign.Take(5)) + (foreign.Count > 5 ? $" (and {foreign.Count - 5} more)" : "");
        throw NotYours($"Finding {listed} {(foreign.Count == 1 ? "is" : "are")} on another team's image");
    }

    private static VexStatementDraft Draft(DecisionRequest r, VulnerabilityRef vulnerability, VexScope scope, VexSubcomponent? sub, DateTimeOffset now) => new()
    {
        Vulnerability = vulnerability,
        Scope = scope,
        Subcomponent = sub,
        Status = r.Status,
        Justification = r.Justification,
        CycloneDxJustification = r.CycloneDxJustification,
        ImpactStatement = r.ImpactStatement,
        ActionStatement = r.ActionStatement,
        Responses = r.Responses,
        Author = r.Author,
        Timestamp = now,
        ExpiresAt = r.ExpiresAt,
        Notes = r.Notes,
    };

    private static async Task<Plan> PlanAsync(TriageDbContext db, DecisionRequest r, DateTimeOffset now, CancellationToken ct)
    {
        var targets = await TargetsAsync(db, r, ct);
        var statements = new List<(VexStatement Statement, HashSet<long>? Artifacts)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (vuln, scope, sub, artifacts) in targets)
        {
            var s = VexStatement.Create(Draft(r, new VulnerabilityRef(vuln), scope, sub, now));
            if (seen.Add(DecisionRows.SlotKey(s))) statements.Add((s, artifacts));
        }

        // The current findings the statements reach: those of the named vulnerabilities' alias groups in the scopes' images.
        var groups = await GroupsAsync(db, statements.Select(s => s.Statement.Vulnerability.Id), ct);
        IQueryable<Finding> q = db.Findings.AsNoTracking().Where(f => f.Active && groups.Contains(f.GroupId));
        if (statements.All(s => s.Artifacts is not null))
        {
            var artifactIds = statements.SelectMany(s => s.Artifacts!).Distinct().ToList();
            q = q.Where(f => artifactIds.Contains(f.ArtifactId));
        }
        var newStatements = new StatementIndex(statements.Select(s => s.Statement).ToArray());
        var reach = (await VexFindingRefs.LoadAsync(db, q, ct)).Where(f =>
        {
            var finding = f.ToVexFinding();
            return newStatements.About(f.VulnerabilityIds).Any(s => VexResolver.AppliesTo(s, finding));
        }).ToList();

        var set = await VexStatementQueries.CandidatesAsync(db, reach, ct);
        var newIds = newStatements.Statements.Select(s => s.Id).ToHashSet();
        var touched = new List<TouchedFinding>(reach.Count);
        var replaced = new Dictionary<Guid, HashSet<long?>>();
        foreach (var f in reach)
        {
            var before = set.Resolve(f, now).Effective;
            var after = set.Resolve(f, now, newStatements).Effective;
            var governs = after is not null && newIds.Contains(after.Id);
            var beforeRow = before is null ? null : set.ById[before.Id];
            if (governs)
            {
                if (!replaced.TryGetValue(after!.Id, out var ids)) replaced[after.Id] = ids = [];
                ids.Add(beforeRow?.Row.Id);
            }
            touched.Add(new TouchedFinding(f.FindingId, f.Image, f.Digest, f.PackagePurl, f.CanonicalId, beforeRow?.ToFindingVex(), governs));
        }
        // A statement supersedes the decision it replaces when that is one decision everywhere it now governs.
        var planned = statements.Select(s => new PlannedStatement(s.Statement, s.Artifacts,
            replaced.TryGetValue(s.Statement.Id, out var ids) && ids.Count == 1 ? ids.Single() : null)).ToArray();
        return new Plan(planned, touched);
    }

    /// <summary>(vulnerability, scope, subcomponent, artifacts in reach or null for everywhere) per statement to make.</summary>
    private static async Task<List<(string Vulnerability, VexScope Scope, VexSubcomponent? Sub, HashSet<long>? Artifacts)>> TargetsAsync(
        TriageDbContext db, DecisionRequest r, CancellationToken ct)
    {
        var result = new List<(string, VexScope, VexSubcomponent?, HashSet<long>?)>();
        if (r.Target is DecisionTarget.Findings selected)
        {
            var refs = await VexFindingRefs.LoadAsync(db, selected.FindingIds.Distinct().ToList(), ct);
            var missing = selected.FindingIds.Except(refs.Select(x => x.FindingId)).ToList();
            if (missing.Count > 0)
                throw new DecisionTargetException(DecisionTargetError.UnknownFinding, $"No finding {string.Join(", ", missing)}.");
            CheckSees(r.AuthorSees, refs);
            // Selected findings share few repositories and teams: their images are read once each, not once per finding.
            var repositoryImages = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
            var teamImagesByKey = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
            foreach (var f in refs)
            {
                // Bound to the package without version: the decision is about this package here, through rebuilds.
                var sub = f.Package is { } p ? new VexSubcomponent(p.WithoutVersion()) : null;
                switch (selected.Level)
                {
                    case DecisionScopeKind.Digest:
                        if (f.Digest is null)
                            throw new DecisionTargetException(DecisionTargetError.ImageWithoutDigest, $"Image {f.Image} has no digest; decide on its repository instead.");
                        result.Add((f.CanonicalId, new VexScope.Digest(f.Repository, f.Digest), sub, [f.ArtifactId]));
                        break;
                    case DecisionScopeKind.Repository:
                        if (!repositoryImages.TryGetValue(f.Repository, out var images))
                            repositoryImages[f.Repository] = images = ((await ImageScopes.RepositoryImagesAsync(db, f.Repository, ct)) ?? []).Select(i => i.ArtifactId).ToHashSet();
                        result.Add((f.CanonicalId, new VexScope.Repository(f.Repository), sub, images));
                        break;
                    case DecisionScopeKind.Team:
                        if (f.TeamId is not { } team)
                            throw new DecisionTargetException(DecisionTargetError.Invalid, $"Repository {f.Repository} belongs to no team; choose another scope.");
                        var key = DecisionRows.TeamKey(team);
                        if (!teamImagesByKey.TryGetValue(key, out var teamImages))
                            teamImagesByKey[key] = teamImages = ((await ImageScopes.TeamImagesAsync(db, key, ct)) ?? []).Select(i => i.ArtifactId).ToHashSet();
                        result.Add((f.CanonicalId, new VexScope.Team(key), sub, teamImages));
                        break;
                    case DecisionScopeKind.Global:
                        result.Add((f.CanonicalId, VexScope.Global.Instance, sub, null));
                        break;
                }
            }
            return result;
        }

        var vulnerability = await KnownVulnerabilityAsync(db, r.Vulnerability!, ct);
        VexSubcomponent? subcomponent = null;
        if (r.Package is not null)
        {
            var purl = Purl.Parse(r.Package);
            VersRange? range = null;
            if (r.VersionRange is not null) VersRange.TryParse(r.VersionRange, out range, out _);
            subcomponent = new VexSubcomponent(purl, range);
        }
        switch (r.Target)
        {
            case DecisionTarget.Image image:
                foreach (var img in await ImageScopes.CurrentImagesAsync(db, image.Reference, ct))
                {
                    if (r.AuthorSees is { } sees && !sees.Sees(img.TeamId)) throw NotYours($"Image {image.Reference} belongs to another team");
                    if (img.Digest is null)
                        throw new DecisionTargetException(DecisionTargetError.ImageWithoutDigest,
                            $"Image {image.Reference} has no digest (a file-system scan?); decide on its repository {img.Repository} instead.");
                    result.Add((vulnerability, new VexScope.Digest(img.Repository, img.Digest), subcomponent, [img.ArtifactId]));
                }
                break;
            case DecisionTarget.Repository repo:
                var name = await ImageScopes.RepositoryNameAsync(db, repo.Name, ct)
                    ?? throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image of repository {repo.Name} has been imported.");
                // The repository's owner, not its images': a repository whose digests are all gone still belongs to its team.
                if (r.AuthorSees is { } repoSees && !repoSees.Sees(await db.Repositories.AsNoTracking().Where(x => x.Name == name).Select(x => x.TeamId).FirstAsync(ct)))
                    throw NotYours($"Repository {name} belongs to another team");
                var repoImages = await ImageScopes.RepositoryImagesAsync(db, name, ct) ?? [];
                result.Add((vulnerability, new VexScope.Repository(name), subcomponent, repoImages.Select(i => i.ArtifactId).ToHashSet()));
                break;
            case DecisionTarget.Team team:
                var teamImages = await ImageScopes.TeamImagesAsync(db, team.TeamId, ct)
                    ?? throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No repository belongs to team {team.TeamId}.");
                if (r.AuthorSees is { } teamSees && !teamImages.All(i => teamSees.Sees(i.TeamId)))
                    throw NotYours($"Team {team.TeamId.Trim()} is not one of your teams");
                result.Add((vulnerability, new VexScope.Team(team.TeamId.Trim()), subcomponent, teamImages.Select(i => i.ArtifactId).ToHashSet()));
                break;
            case DecisionTarget.Everywhere:
                result.Add((vulnerability, VexScope.Global.Instance, subcomponent, null));
                break;
        }
        return result;
    }

    /// <summary>The id as stored (spelling normalised; a case-insensitive match when the exact one misses).</summary>
    private static async Task<string> KnownVulnerabilityAsync(TriageDbContext db, string id, CancellationToken ct)
    {
        var normalized = VulnerabilityIds.Normalize(id);
        if (await db.Vulnerabilities.AnyAsync(v => v.VulnId == normalized, ct)) return normalized;
        var upper = normalized.ToUpperInvariant();
        return await db.Vulnerabilities.Where(v => v.VulnId.ToUpper() == upper).Select(v => v.VulnId).FirstOrDefaultAsync(ct)
            ?? throw new DecisionTargetException(DecisionTargetError.UnknownVulnerability, $"Vulnerability {id.Trim()} is not known: no imported report mentions it.");
    }

    private static async Task<List<long>> GroupsAsync(TriageDbContext db, IEnumerable<string> ids, CancellationToken ct)
    {
        var list = ids.Select(VulnerabilityIds.Normalize).Distinct().ToList();
        return await db.Vulnerabilities.AsNoTracking().Where(v => list.Contains(v.VulnId)).Select(v => v.GroupId).Distinct().ToListAsync(ct);
    }

    private static async Task CheckSeenAsync(TriageDbContext db, IReadOnlyDictionary<long, long?> seen, ImageVisibility? sees, DateTimeOffset now,
        CancellationToken ct)
    {
        var refs = await VexFindingRefs.LoadAsync(db, seen.Keys.ToList(), ct);
        var missing = seen.Keys.Except(refs.Select(r => r.FindingId)).ToList();
        if (missing.Count > 0) throw new DecisionTargetException(DecisionTargetError.UnknownFinding, $"No finding {string.Join(", ", missing)}.");
        CheckSees(sees, refs);
        var set = await VexStatementQueries.CandidatesAsync(db, refs, ct);
        var conflicts = new List<DecisionConflict>();
        foreach (var f in refs.OrderBy(r => r.FindingId))
        {
            var current = set.Resolve(f, now).Effective is { } e ? set.ById[e.Id] : null;
            if (current?.Row.Id != seen[f.FindingId])
                conflicts.Add(new DecisionConflict(f.FindingId, seen[f.FindingId], current is null ? null : DecisionView.From(current, set.Trust)));
        }
        if (conflicts.Count > 0) throw new DecisionConflictException(conflicts);
    }

    private static async Task<List<StoredStatement>> LoadStoredAsync(TriageDbContext db, IReadOnlyCollection<long> decisionIds, CancellationToken ct)
    {
        var rows = new List<Decision>();
        foreach (var chunk in decisionIds.Chunk(2000))
            rows.AddRange(await db.Decisions.AsNoTracking().Where(d => chunk.Contains(d.Id)).ToListAsync(ct));
        return await VexStatementQueries.ToStoredAsync(db, rows, ct);
    }

    /// <summary>Stored flags plus expiry (a fact of the clock, computed rather than stored), per decision id.</summary>
    private static async Task<Dictionary<long, IReadOnlyList<ReReviewFlag>>> FlagsAsync(TriageDbContext db, IReadOnlyCollection<StoredStatement> stored,
        DateTimeOffset now, CancellationToken ct)
    {
        var ids = stored.Select(s => s.Row.Id).ToList();
        var persisted = new List<DecisionReview>();
        foreach (var chunk in ids.Chunk(2000))
            persisted.AddRange(await db.DecisionReviews.AsNoTracking().Where(r => chunk.Contains(r.DecisionId)).ToListAsync(ct));
        var byDecision = persisted.ToLookup(r => r.DecisionId);
        var result = new Dictionary<long, IReadOnlyList<ReReviewFlag>>();
        foreach (var s in stored)
        {
            var flags = VexReReview.Check(s.Statement, new ReReviewContext(now)).ToList();
            flags.AddRange(byDecision[s.Row.Id].OrderBy(r => r.Reason).Select(r => new ReReviewFlag(r.Reason, r.Message)));
            if (flags.Count > 0) result[s.Row.Id] = flags;
        }
        return result;
    }

    private static async Task<int> AddFlagsAsync(TriageDbContext db, List<(long DecisionId, ReReviewFlag Flag)> raised, DateTimeOffset now, CancellationToken ct)
    {
        if (raised.Count == 0) return 0;
        var ids = raised.Select(r => r.DecisionId).Distinct().ToList();
        var existing = new HashSet<(long, ReReviewReason)>();
        foreach (var chunk in ids.Chunk(2000))
            foreach (var e in await db.DecisionReviews.AsNoTracking().Where(r => chunk.Contains(r.DecisionId)).Select(r => new { r.DecisionId, r.Reason }).ToListAsync(ct))
                existing.Add((e.DecisionId, e.Reason));
        var added = 0;
        foreach (var (id, flag) in raised)
        {
            if (!existing.Add((id, flag.Reason))) continue;
            db.DecisionReviews.Add(new DecisionReview { DecisionId = id, Reason = flag.Reason, Message = flag.Message, RaisedAt = DecisionRows.Utc(now) });
            added++;
        }
        await db.SaveChangesAsync(ct);
        return added;
    }
}
