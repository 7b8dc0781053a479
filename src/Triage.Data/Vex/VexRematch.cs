using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;
using Triage.Data.Audit;
using Triage.Data.Queries;

namespace Triage.Data.Vex;

public enum VexRematchState
{
    /// <summary>Matched again from its stored bytes (<see cref="VexRematchOutcome.DecisionsRecorded"/> may be 0).</summary>
    Matched,
    /// <summary>Not matched again, for <see cref="VexRematchOutcome.Reason"/> (an importer Triage cannot vouch for now, an
    /// ignored author): nothing recorded, nothing changed.</summary>
    Skipped,
    /// <summary>Matching again failed (<see cref="VexRematchOutcome.Reason"/>); the document is as it was.</summary>
    Failed,
}

/// <summary>What the automatic re-match did with one stored document.</summary>
public sealed record VexRematchOutcome(long DocumentId, string FileName, VexRematchState State, int DecisionsRecorded, string? Reason)
{
    /// <summary>Set when the audit entry could not be written (the re-match itself happened as reported).</summary>
    public string? AuditError { get; init; }

    /// <summary>A skip or failure the audit log already says, as its latest entry for the document: the re-match after
    /// every import meets it again until someone acts, so callers need not warn about it each time.</summary>
    public bool Repeated { get; init; }

    /// <summary>One line for a log or a terminal: the file name is the uploader's, so it is made inert (no control characters, cut).</summary>
    public string Describe()
    {
        var doc = $"VEX document {DocumentId} ({AuditLog.Clean(FileName, 120)})";
        return State switch
        {
            VexRematchState.Matched => $"{doc} matched again after new scans: {DecisionsRecorded} decision{(DecisionsRecorded == 1 ? "" : "s")} recorded",
            VexRematchState.Skipped => $"{doc} not matched again: {Reason}",
            VexRematchState.Failed => $"{doc} could not be matched again: {Reason}",
        };
    }
}

/// <summary>
/// Stored VEX documents matched again when the images they name arrive (docs/decisions/110-vex-rematch-after-imports.md).
/// A document imported before the scan of the image it names keeps those statements as unmatched issues; after report
/// imports land, the documents with such an issue (<see cref="Codes"/>) that were last matched before the imports are
/// matched again from their stored bytes through <see cref="VexImportService"/>'s re-import, recording only what was
/// unmatched, under the author's trust and the document's signature status as stored, and within what the original
/// importer may decide on now (ADR 107). Nothing of it runs inside an import's transaction, and an import never fails
/// because of it: callers run it after the commit and only log what it reports.
/// </summary>
public sealed class VexRematch(string connectionString, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Who the audit log names for an automatic re-match.</summary>
    public const string SystemActor = "system";

    /// <summary>Unmatched reasons that an image, package or vulnerability arriving later can resolve. The others (rejected,
    /// skipped, trust, product_not_purl, image_qualifier_unknown, sbom_unknown, not_your_image, admin_only_scope) do not
    /// change with a scan.</summary>
    public static readonly IReadOnlyList<string> Codes =
        ["no_image_with_digest", "no_image_in_repository", "package_not_in_any_image", "package_not_in_image", "vulnerability_unknown"];

    /// <summary>Plain SQL, so an import into a database without such documents never builds the EF model: one unmatched
    /// issue of those kinds on a document last matched before <c>@p0</c>. Driven by the issues (small rows): a document
    /// row is read only for a due issue, because on SQLite reading a column stored after the document's bytes walks their
    /// overflow pages.</summary>
    internal static readonly string ProbeSql =
        "SELECT 1 FROM \"VexDocumentIssues\" i JOIN \"VexDocuments\" d ON d.\"Id\" = i.\"DocumentId\" " +
        $"WHERE i.\"Kind\" = {(int)VexIssueKind.Unmatched} AND i.\"Code\" IN ({string.Join(", ", Codes.Select(c => $"'{c}'"))}) " +
        "AND d.\"LastMatchedAt\" < @p0 LIMIT 1";

    /// <summary>Whether these imports can have resolved an unmatched statement, so the re-match is worth its probe: a report
    /// that landed (not the same bytes again) and created a finding, or gave an image a name it lacked (a tag a rescan of a
    /// known digest adds, a digest for an image known by its tag). A daily rescan that found nothing new and named the
    /// images as before cannot change any statement's match, and skips it.</summary>
    public static bool IsWarrantedBy(IEnumerable<Import.ImportSummary> imports) =>
        imports.Any(i => !i.Duplicate && (i.NewFindings > 0 || i.Artifacts.Any(a => a.NamesAdded)));

    /// <summary>Whether any document is due: the one query an import pays when there is none.</summary>
    /// <param name="importedBy">A time after the imports committed: documents matched since saw their images.</param>
    public static async Task<bool> AnyDueAsync(string connectionString, DateTimeOffset importedBy, CancellationToken ct = default)
    {
        await using var conn = await TriageDatabase.OpenConnectionAsync(connectionString, ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = ProbeSql;
        var p = cmd.CreateParameter();
        p.ParameterName = "@p0";
        p.Value = DecisionRows.Utc(importedBy);
        cmd.Parameters.Add(p);
        return await cmd.ExecuteScalarAsync(ct) is not null and not DBNull;
    }

    /// <summary>Matches again every document due (see the type). One document's failure is reported in its outcome and
    /// does not stop the others; each that recorded decisions, was skipped or failed is audited as the system
    /// (<see cref="AuditActions.VexRematched"/>, a repeated skip or failure once).</summary>
    /// <param name="importedBy">A time after the imports committed.</param>
    /// <param name="channel">Where the imports came from, for the audit log (<see cref="AuditChannels"/>).</param>
    public async Task<IReadOnlyList<VexRematchOutcome>> AfterImportsAsync(DateTimeOffset importedBy, string channel, CancellationToken ct = default)
    {
        if (!await AnyDueAsync(connectionString, importedBy, ct)) return [];
        var before = DecisionRows.Utc(importedBy);
        var codes = Codes.ToList();
        List<Due> due;
        await using (var db = TriageDatabase.CreateContext(connectionString))
            due = await db.VexDocuments.AsNoTracking()
                .Where(d => d.LastMatchedAt < before &&
                            db.VexDocumentIssues.Any(i => i.DocumentId == d.Id && i.Kind == VexIssueKind.Unmatched && codes.Contains(i.Code)))
                .OrderBy(d => d.Id)
                .Select(d => new Due(d.Id, d.FileName, d.Author, d.ImportedBy))
                .ToListAsync(ct);
        if (due.Count > 0)
        {
            var resolvable = await MayResolveAsync(due.Select(d => d.Id).ToList(), codes, ct);
            due = due.Where(d => resolvable.Contains(d.Id)).ToList();
        }

        var importers = new Dictionary<string, VexImporter>(StringComparer.Ordinal);
        var outcomes = new List<VexRematchOutcome>();
        foreach (var d in due)
        {
            VexRematchOutcome outcome;
            try
            {
                outcome = await RematchAsync(d, importers, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                outcome = new VexRematchOutcome(d.Id, d.FileName, VexRematchState.Failed, 0, $"{e.GetType().Name}: {e.Message}");
            }
            outcomes.Add(await AuditAsync(outcome, channel, d.ImportedBy, ct));
        }
        return outcomes;
    }

    private sealed record Due(long Id, string FileName, string Author, string? ImportedBy);

    /// <summary>Codes only an image with the product's digest, or in its repository (with its tag), can resolve.</summary>
    private const string NoImageWithDigest = "no_image_with_digest", NoImageInRepository = "no_image_in_repository";

    /// <summary>The due documents that something stored may resolve now, so re-importing them can change anything: one whose
    /// only due issues name images (<c>no_image_with_digest</c>, <c>no_image_in_repository</c>) waits until an image with that
    /// digest, or in a repository of that name (with that tag), has been imported. A necessary condition, looser than the
    /// matcher's own rule (any repository ending in the product's name, digests compared case-insensitively), so a document
    /// that can match is never held back. The other codes (packages, vulnerabilities) depend on subcomponents and aliases the
    /// issue rows do not keep: their documents stay due after every import that warrants a re-match.</summary>
    private async Task<HashSet<long>> MayResolveAsync(IReadOnlyCollection<long> documentIds, List<string> codes, CancellationToken ct)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var issues = new List<(long DocumentId, string Code, string? Product)>();
        foreach (var chunk in documentIds.Chunk(1000))
            issues.AddRange((await db.VexDocumentIssues.AsNoTracking()
                .Where(i => chunk.Contains(i.DocumentId) && i.Kind == VexIssueKind.Unmatched && codes.Contains(i.Code))
                .Select(i => new { i.DocumentId, i.Code, i.Product }).ToListAsync(ct)).Select(i => (i.DocumentId, i.Code, i.Product)));

        // What each image issue needs, then what exists, in a few set queries (not one per issue).
        var result = new HashSet<long>();
        var wanted = new List<(long DocumentId, string? Digest, string? Name, string? Tag)>();
        foreach (var (documentId, code, product) in issues)
        {
            if (code is not (NoImageWithDigest or NoImageInRepository) || !Purl.TryParse(product, out var purl) || purl!.Type != "oci")
                result.Add(documentId);
            else if (code == NoImageWithDigest)
            {
                if (VexImageNames.TryNormalizeDigest(purl.Version, out var digest)) wanted.Add((documentId, digest.ToLowerInvariant(), null, null));
                else result.Add(documentId);
            }
            else wanted.Add((documentId, null, purl.Name.ToLowerInvariant(), purl.Qualifier("tag")));
        }
        wanted.RemoveAll(w => result.Contains(w.DocumentId));
        if (wanted.Count == 0) return result;

        var digests = wanted.Select(w => w.Digest).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in digests.Chunk(1000))
            known.UnionWith(await db.Artifacts.AsNoTracking().Where(a => a.Digest != null && chunk.Contains(a.Digest.ToLower()))
                .Select(a => a.Digest!.ToLower()).ToListAsync(ct));
        // Repositories are few: their names are compared here, by the product name as the last path segment.
        var names = wanted.Select(w => w.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var repositories = names.Count == 0 ? [] : (await db.Repositories.AsNoTracking().Select(r => new { r.Id, r.Name }).ToListAsync(ct))
            .Select(r => (r.Id, Name: r.Name.ToLowerInvariant()[(r.Name.LastIndexOf('/') + 1)..]))
            .Where(r => names.Contains(r.Name)).ToList();
        var repositoryIds = repositories.Select(r => r.Id).ToList();
        var nameOf = repositories.ToDictionary(r => r.Id, r => r.Name);
        var tagsByName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (wanted.Any(w => w.Tag is not null) && repositoryIds.Count > 0)
            foreach (var chunk in repositoryIds.Chunk(1000))
                foreach (var a in await db.Artifacts.AsNoTracking().Where(a => chunk.Contains(a.RepositoryId)).Select(a => new { a.RepositoryId, a.Tags }).ToListAsync(ct))
                {
                    var name = nameOf[a.RepositoryId];
                    if (!tagsByName.TryGetValue(name, out var list)) tagsByName[name] = list = [];
                    list.AddRange(a.Tags);
                }
        var named = repositories.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var w in wanted)
        {
            var may = w.Digest is not null
                ? known.Contains(w.Digest)
                : named.Contains(w.Name!) && (w.Tag is not { } tag
                    || tagsByName.GetValueOrDefault(w.Name!)?.Any(t => t == tag || t.EndsWith(":" + tag, StringComparison.Ordinal)) == true);
            if (may) result.Add(w.DocumentId);
        }
        return result;
    }

    private async Task<VexRematchOutcome> RematchAsync(Due d, Dictionary<string, VexImporter> importers, CancellationToken ct)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var key = d.ImportedBy ?? "";
        if (!importers.TryGetValue(key, out var importer))
            importers[key] = importer = await VexImporter.ResolveAsync(db, d.ImportedBy, _time.GetUtcNow(), ct);
        if (importer.Refusal is { } refusal)
            return new VexRematchOutcome(d.Id, d.FileName, VexRematchState.Skipped, 0, refusal);

        // An ignored author's statements would all come back as ignored_by_trust_policy, replacing the issues that let the
        // document be matched again once the author is trusted: left as it is (trusting the author and importing again
        // is the way back, ADR 024).
        var authorKey = d.Author.ToLowerInvariant();
        if (await db.VexAuthors.AsNoTracking().AnyAsync(a => a.AuthorKey == authorKey && a.Trust == VexTrust.Ignore, ct))
            return new VexRematchOutcome(d.Id, d.FileName, VexRematchState.Skipped, 0, "its author is ignored by the trust policy");

        var codes = Codes.ToList();
        var pending = await db.VexDocumentIssues.AsNoTracking()
            .Where(i => i.DocumentId == d.Id && i.Kind == VexIssueKind.Unmatched && codes.Contains(i.Code) && i.StatementIndex != null && i.Product != null)
            .Select(i => new { i.StatementIndex, i.Product })
            .ToListAsync(ct);
        var only = pending.Select(p => (p.StatementIndex!.Value, p.Product!)).ToHashSet();
        var content = await db.VexDocuments.AsNoTracking().Where(x => x.Id == d.Id).Select(x => x.Content).SingleAsync(ct);
        var bytes = Gunzip(content);

        // The re-import path: the same bytes are this document; the author's trust and the signature status stay as stored
        // (no trust, no signature given; a trust change refused), ImportedBy is kept (it is only written for a new document).
        var report = await new VexImportService(connectionString, _time).ImportAsync(new MemoryStream(bytes, writable: false), d.FileName, new VexImportOptions
        {
            ImportedBy = d.ImportedBy,
            ImporterSees = importer.Sees,
            MayChangeTrust = false,
            MaxBytes = Math.Max(VexReadOptions.Default.MaxBytes, bytes.Length),
            RecordOnly = only,
        }, ct);
        return new VexRematchOutcome(d.Id, d.FileName, VexRematchState.Matched, report.DecisionsRecorded, null);
    }

    /// <summary>A re-match that recorded decisions, and a skip or failure the first time it happens (the same one after
    /// every import would fill the log).</summary>
    private async Task<VexRematchOutcome> AuditAsync(VexRematchOutcome outcome, string channel, string? importedBy, CancellationToken ct)
    {
        if (outcome is { State: VexRematchState.Matched, DecisionsRecorded: 0 }) return outcome;
        var details = outcome.State switch
        {
            VexRematchState.Matched => $"document {outcome.DocumentId}: {outcome.DecisionsRecorded} decision{(outcome.DecisionsRecorded == 1 ? "" : "s")} recorded " +
                                       $"from statements that matched nothing before; imported by {importedBy ?? "(nobody named)"}",
            VexRematchState.Skipped => $"document {outcome.DocumentId}: not matched again, nothing recorded: {outcome.Reason}",
            VexRematchState.Failed => $"document {outcome.DocumentId}: matching again failed, nothing recorded: {outcome.Reason}",
        };
        var succeeded = outcome.State == VexRematchState.Matched;
        try
        {
            if (!succeeded)
            {
                var target = AuditLog.Clean(outcome.FileName, AuditEvent.MaxFieldLength);
                var cleaned = AuditLog.Clean(details, AuditEvent.MaxDetailsLength);
                await using var db = TriageDatabase.CreateContext(connectionString);
                var last = await db.AuditEvents.AsNoTracking()
                    .Where(e => e.Action == AuditActions.VexRematched && e.TargetType == "vex-document" && e.Target == target)
                    .OrderByDescending(e => e.Id).Select(e => new { e.Succeeded, e.Details }).FirstOrDefaultAsync(ct);
                if (last is { Succeeded: false } && last.Details == cleaned) return outcome with { Repeated = true };
            }
            await new AuditLog(connectionString).AppendAsync(new AuditActor(SystemActor, null, channel, null), AuditActions.VexRematched,
                "vex-document", outcome.FileName, details, succeeded, ct);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The re-match itself is decided; a log that cannot be written is the caller's warning, not a failed re-match.
            return outcome with { AuditError = e.Message };
        }
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var gz = new GZipStream(new MemoryStream(gzip, writable: false), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}

/// <summary>
/// Who imported a stored document, read back from its <see cref="VexDocumentRecord.ImportedBy"/>, a free string: the web
/// app writes the person's display name (the VEX page) or user name (the API), the CLI <c>cli:USER</c>. Resolved
/// conservatively: whatever does not name exactly one person who may decide now, and is not a CLI import, records nothing.
/// </summary>
internal sealed record VexImporter(ImageVisibility? Sees, string? Refusal)
{
    /// <summary>An admin or the CLI: every image (ADR 107).</summary>
    private static readonly VexImporter Everything = new(null, null);

    private static VexImporter Refused(string why) => new(null, why);

    public static async Task<VexImporter> ResolveAsync(TriageDbContext db, string? importedBy, DateTimeOffset now, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(importedBy)) return Refused("the document does not say who imported it");
        var name = importedBy;
        var upper = name.ToUpperInvariant();
        // Everyone the name can stand for: users it names now (as the VEX page, the API or a label would have written it),
        // and users the audit log shows importing VEX under it (renamed or deleted since; the web app audits every import
        // with the same name as ImportedBy). Audit events cannot be changed, so a person who imported under a name keeps
        // being found by it. Read through the (Action, At) index: the log itself may be long.
        var ids = (await db.Users.AsNoTracking()
                .Where(u => u.Id == name || u.UserName == name || u.NormalizedUserName == upper || u.DisplayName == name || u.Email == name || u.NormalizedEmail == upper)
                .Select(u => u.Id).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var actor = AuditLog.Clean(name, AuditEvent.MaxFieldLength);
        ids.UnionWith(await db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditActions.VexImported && e.Actor == actor && e.ActorId != null).Select(e => e.ActorId!).Distinct().ToListAsync(ct));

        var shown = Core.Ingest.ReportFormatException.Shorten(AuditLog.Clean(name, 200)!);
        if (ids.Count > 1) return Refused($"its importer '{shown}' names more than one user");
        if (ids.Count == 0)
            // The command line works on the database as the local operator (ADR 107); only a name no person ever used counts as it.
            return name.StartsWith("cli:", StringComparison.Ordinal) ? Everything : Refused($"its importer '{shown}' is not a known user");

        var id = ids.Single();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return Refused($"its importer '{shown}' no longer exists");
        if (user.LockoutEnd is { } end && end > now) return Refused($"its importer '{shown}' is disabled");
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == id select r.Name).ToListAsync(ct);
        var parsed = roles.Select(r => TriageRoleNames.TryParse(r, out var role) ? role : (TriageRole?)null).OfType<TriageRole>().ToList();
        if (parsed.Contains(TriageRole.Admin)) return Everything;
        if (!parsed.Contains(TriageRole.Triager)) return Refused($"its importer '{shown}' may no longer decide");
        return new VexImporter(new ImageVisibility(await db.TeamMembers.AsNoTracking().Where(m => m.UserId == id).Select(m => m.TeamId).ToListAsync(ct)), null);
    }
}
