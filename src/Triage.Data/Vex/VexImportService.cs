using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

public sealed record VexImportOptions
{
    /// <summary>Sets the document author's trust. Null keeps the author's recorded trust, or Trusted for an author seen
    /// for the first time: a file a person imports by name is vouched for by that person (ADR 023).</summary>
    public VexTrust? Trust { get; init; }
    /// <summary>The user or token that imports.</summary>
    public string? ImportedBy { get; init; }
    public long MaxBytes { get; init; } = VexReadOptions.Default.MaxBytes;
    /// <summary>The signature status a check of the document's Sigstore bundle found (<see cref="Signing.VexSignatureService"/>);
    /// null keeps what the reader saw (unsigned).</summary>
    public VexSignatureStatus? Signature { get; init; }
    /// <summary>The images the importer may decide on (a team member: <see cref="Queries.ImageVisibility"/>), the same rule as
    /// <see cref="DecisionRequest.AuthorSees"/>: statements are recorded on those only, the rest listed as unmatched with
    /// <c>not_your_image</c> or <c>admin_only_scope</c> (ADR 107). Null (an admin, the CLI): every image, everywhere.</summary>
    public Queries.ImageVisibility? ImporterSees { get; init; }
    /// <summary>Whether <see cref="Trust"/> may change a known author's trust. An author's trust is one setting for every
    /// team, so only admins (and the CLI) change it; a team member's import may set it for an author seen first.</summary>
    public bool MayChangeTrust { get; init; } = true;
    /// <summary>The products (statement index, <see cref="VexComponentRef.Describe"/>) that may become new decisions; null: all.
    /// The whole document is still matched for its issue list and counts. The automatic re-match after report imports
    /// (<see cref="VexRematch"/>, ADR 110) records only what was unmatched before, so a product that already matched does not
    /// spread to images that arrived since (a rebuild under the same tag, ADR 105) without a person importing it again.</summary>
    internal IReadOnlySet<(int Statement, string Product)>? RecordOnly { get; init; }
}

/// <summary>An import asked to change how far a known author is trusted, and the importer may not (ADR 107): nothing is
/// stored.</summary>
public sealed class VexTrustChangeException(string author, VexTrust current, VexTrust asked)
    : Exception($"Only admins change how far an author is trusted: {Core.Ingest.ReportFormatException.Shorten(author)} is {current.ToWire()}, " +
                $"and the import asked for {asked.ToWire()}. Import without a trust level, or ask an admin.")
{
    public const string CodeName = "admin_only_trust";
}

/// <summary>A statement of an imported document that did not become a decision, with the reason.</summary>
public sealed record VexIssueView(VexIssueKind Kind, int? StatementIndex, string Location, string? Vulnerability, string? Product, string Code, string Message)
{
    public static VexIssueView From(VexDocumentIssue i) => new(i.Kind, i.StatementIndex, i.Location, i.VulnerabilityId, i.Product, i.Code, i.Message);

    public string KindName => Kind switch
    {
        VexIssueKind.Unmatched => "unmatched",
        VexIssueKind.Rejected => "rejected",
        VexIssueKind.Skipped => "skipped",
    };
}

/// <summary>An imported document as listed.</summary>
public sealed record VexDocumentView(
    long Id, VexFormat Format, string SpecVersion, string? DocumentId, string Author, string? Version, DateTimeOffset? Timestamp,
    VexTrust Trust, VexSignatureStatus Signature, string FileName, string Sha256, long SizeBytes,
    int Statements, int Matched, int Unmatched, int Rejected, int Decisions, DateTimeOffset ImportedAt, DateTimeOffset LastMatchedAt, string? ImportedBy)
{
    public static VexDocumentView From(VexDocumentRecord d) => new(d.Id, d.Format, d.SpecVersion, d.DocumentId, d.Author, d.Version,
        d.Timestamp is { } t ? DecisionRows.Offset(t) : null, d.Trust, d.Signature, d.FileName, d.Sha256, d.SizeBytes,
        d.StatementCount, d.MatchedCount, d.UnmatchedCount, d.RejectedCount, d.DecisionCount,
        DecisionRows.Offset(d.ImportedAt), DecisionRows.Offset(d.LastMatchedAt), d.ImportedBy);
}

/// <summary>What one import did: the contract of `triage vex import --json` and POST /api/v1/vex.</summary>
/// <param name="AlreadyImported">The same bytes were imported before: matched again (images imported since are reached),
/// nothing recorded twice.</param>
/// <param name="Matched">Statements that reached at least one finding and became decisions.</param>
/// <param name="Findings">Findings those decisions reach.</param>
/// <param name="DecisionsRecorded">New decision rows (a statement gives one per image scope and package).</param>
/// <param name="Notes">What the reader noticed without skipping a statement (lenient forms, fields not used).</param>
public sealed record VexImportReport(
    VexDocumentView Document,
    bool AlreadyImported,
    int Statements,
    int Matched,
    int Findings,
    int DecisionsRecorded,
    IReadOnlyList<VexIssueView> Unmatched,
    IReadOnlyList<VexIssueView> Rejected,
    IReadOnlyList<VexIssueView> Skipped,
    IReadOnlyList<string> Notes);

/// <summary>A document with every statement that did not become a decision.</summary>
public sealed record VexDocumentDetails(VexDocumentView Document, IReadOnlyList<VexIssueView> Issues);

/// <summary>
/// Imports VEX documents (OpenVEX, CycloneDX, CSAF): reads them with <see cref="VexDocumentReader"/>, matches them against the
/// images Triage knows with <see cref="VexMatcher"/>, and records the result in one transaction: the document (bytes
/// gzip-compressed, SHA-256), its decisions with the document as source, and every unmatched, rejected or skipped statement
/// with its reason. Work is proportional to the document: findings are read for its vulnerabilities only.
/// </summary>
public sealed class VexImportService(string connectionString, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How <see cref="ImportAsync"/> stores its decision rows and the decisions in force; tests pin one path to
    /// compare the two.</summary>
    internal DecisionWritePath WritePath { get; init; } = DecisionWritePath.Auto;

    /// <summary>Throws <see cref="VexFormatException"/> for a file that is not a readable VEX document (nothing stored).</summary>
    public async Task<VexImportReport> ImportAsync(Stream content, string fileName, VexImportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new VexImportOptions();
        var timings = Import.ImportTimings.Start();
        var bytes = await ReadAllAsync(content, options.MaxBytes, ct);
        var document = VexDocumentReader.Read(bytes, new VexReadOptions { MaxBytes = options.MaxBytes });
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var now = DecisionRows.Now(_time);
        var nowUtc = DecisionRows.Utc(now);
        timings.Lap("vex read");

        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);

        var author = string.IsNullOrWhiteSpace(document.Author)
            ? $"unknown author of {document.Format.ToWire()} document {document.Id ?? "sha256:" + sha}"
            : document.Author.Trim();
        var (trust, trustChanged) = await AuthorTrustAsync(db, author, options, nowUtc, ct);

        var inventory = await InventoryAsync(db, document, ct);
        timings.Lap("vex inventory");
        // A team member's statements become decisions on what they may see; the other teams' images are matched only to say so.
        var sees = options.ImporterSees;
        var images = inventory.Where(i => sees is null || sees.Sees(i.TeamId)).Select(i => i.Image).ToList();
        var limits = sees is null ? null : new VexImportLimits(inventory.Where(i => !sees.Sees(i.TeamId)).Select(i => i.Image).ToList());
        var result = VexMatcher.Match(document, images, new VexTrustPolicy(trust), now, limits);
        var decisions = options.RecordOnly is { } only
            ? VexMatcher.Match(Narrow(document, only), images, new VexTrustPolicy(trust), now, limits).Decisions
            : result.Decisions;
        timings.Lap("vex match");

        var record = await db.VexDocuments.FirstOrDefaultAsync(d => d.Sha256 == sha, ct);
        var again = record is not null;
        if (record is null)
        {
            record = new VexDocumentRecord
            {
                SpecVersion = document.SpecVersion,
                Author = author,
                FileName = Path.GetFileName(fileName),
                Sha256 = sha,
                SizeBytes = bytes.Length,
                Content = Gzip(bytes.Span),
                ImportedAt = nowUtc,
                ImportedBy = options.ImportedBy,
            };
            db.VexDocuments.Add(record);
        }
        record.Format = document.Format;
        record.DocumentId = document.Id;
        record.Version = document.Version;
        record.Timestamp = document.Timestamp is { } t ? DecisionRows.Utc(t) : null;
        record.Tooling = document.Tooling;
        var signatureBefore = again ? record.Signature : (VexSignatureStatus?)null;
        record.Signature = options.Signature ?? (again ? record.Signature : document.Signature);
        record.Trust = trust;
        record.LastMatchedAt = nowUtc;
        await db.SaveChangesAsync(ct);

        // Decisions: a re-import records only what it did not record before (same slot and time from this document).
        var known = (await db.Decisions.AsNoTracking().Where(d => d.DocumentId == record.Id).Select(d => new { d.SlotKey, d.Timestamp }).ToListAsync(ct))
            .Select(d => (d.SlotKey, DecisionRows.Offset(d.Timestamp))).ToHashSet();
        var recordedBefore = known.Count;
        var fresh = decisions.Where(s => known.Add((DecisionRows.SlotKey(s), DecisionRows.Offset(DecisionRows.Utc(s.Timestamp))))).ToList();
        var rows = fresh.Select(s => DecisionRows.ToRow(s, record.Id, null, nowUtc)).ToList();
        // A document of thousands of statements goes the bulk path (as a bulk decision does), a few rows stay entities.
        // Both paths save what is pending first and leave nothing tracked: the document is attached again to be updated.
        var writer = DecisionRowWriter.For(db, WritePath, rows.Count);
        await writer.AddDecisionsAsync(rows, ct);
        await writer.AddAsync(rows.Zip(fresh).SelectMany(x => DecisionRows.VulnerabilityIdRows(x.First.Id, x.Second)).ToList(), ct);
        if (db.Entry(record).State == EntityState.Detached) db.VexDocuments.Attach(record);
        timings.Lap("vex decisions");

        // Issues: the latest matching is what is true now; what an earlier import could not match may match today.
        var issues = Issues(document, result).ToList();
        if (again) await db.VexDocumentIssues.Where(i => i.DocumentId == record.Id).ExecuteDeleteAsync(ct);
        foreach (var i in issues) i.DocumentId = record.Id;
        db.VexDocumentIssues.AddRange(issues);

        var rejected = result.Rejected.Select(r => r.Statement.Index).ToHashSet();
        var matched = result.Matches.Where(m => !rejected.Contains(m.Statement.Index)).ToList();
        record.StatementCount = document.Statements.Count + document.Problems.Where(p => p.Skipped).Select(p => p.Location).Distinct().Count();
        record.MatchedCount = matched.Select(m => m.Statement.Index).Distinct().Count();
        record.UnmatchedCount = issues.Count(i => i.Kind == VexIssueKind.Unmatched);
        record.RejectedCount = issues.Count(i => i.Kind == VexIssueKind.Rejected);
        record.DecisionCount = recordedBefore + rows.Count;
        await db.SaveChangesAsync(ct);
        timings.Lap("vex issues");
        // The decision in force of every finding this author's statements reach (ADR 025): the author's trust or this
        // document's signature may have changed with this import, so all of them, not only the new ones. A re-import that
        // recorded nothing new under the same trust and signature cannot change any of them (new images are reached by
        // their own import's hook, expiries by the sweep), so it skips the recompute.
        if (rows.Count > 0 || trustChanged || signatureBefore != record.Signature)
        {
            var reach = await EffectiveDecisions.ReachOfAuthorAsync(db, author, ct);
            timings.Lap("vex reach");
            await EffectiveDecisions.RecomputeAsync(db, reach, now, WritePath, ct);
            timings.Lap("vex recompute");
        }
        await tx.CommitAsync(ct);
        timings.Lap("vex commit");

        var views = issues.Select(VexIssueView.From).ToList();
        return new VexImportReport(
            VexDocumentView.From(record),
            again,
            record.StatementCount,
            record.MatchedCount,
            matched.Select(m => m.Finding.FindingId).Distinct().Count(),
            rows.Count,
            views.Where(v => v.Kind == VexIssueKind.Unmatched).ToList(),
            views.Where(v => v.Kind == VexIssueKind.Rejected).ToList(),
            views.Where(v => v.Kind == VexIssueKind.Skipped).ToList(),
            document.Problems.Where(p => !p.Skipped).Select(p => p.ToString()).ToList());
    }

    /// <summary>Imported documents, newest first.</summary>
    public async Task<IReadOnlyList<VexDocumentView>> ListDocumentsAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var docs = await db.VexDocuments.AsNoTracking().OrderByDescending(d => d.ImportedAt).ThenByDescending(d => d.Id).WithoutContent().ToListAsync(ct);
        return docs.Select(VexDocumentView.From).ToList();
    }

    /// <summary>One document with its unmatched, rejected and skipped statements; null when unknown.</summary>
    public Task<VexDocumentDetails?> DocumentAsync(long id, CancellationToken ct = default) => DocumentAsync(id, null, ct);

    /// <summary>As <see cref="DocumentAsync(long, CancellationToken)"/>, read by someone who sees only
    /// <paramref name="viewer"/>'s images (null: an admin, the CLI): what an issue found on another team's image is not
    /// shown (<see cref="VexIssueVisibility"/>).</summary>
    public async Task<VexDocumentDetails?> DocumentAsync(long id, Queries.ImageVisibility? viewer, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var doc = await db.VexDocuments.AsNoTracking().Where(d => d.Id == id).WithoutContent().FirstOrDefaultAsync(ct);
        if (doc is null) return null;
        var issues = await db.VexDocumentIssues.AsNoTracking().Where(i => i.DocumentId == id).OrderBy(i => i.Kind).ThenBy(i => i.Id).ToListAsync(ct);
        return new VexDocumentDetails(VexDocumentView.From(doc), await VexIssueVisibility.ForAsync(db, issues.Select(VexIssueView.From).ToList(), viewer, ct));
    }

    /// <summary>The document as received (decompressed); null when unknown.</summary>
    public async Task<byte[]?> ContentAsync(long id, CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var content = await db.VexDocuments.AsNoTracking().Where(d => d.Id == id).Select(d => d.Content).FirstOrDefaultAsync(ct);
        if (content is null) return null;
        using var gz = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        await gz.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    /// <summary>Authors of imported VEX and how far they are believed.</summary>
    public async Task<IReadOnlyList<VexAuthor>> AuthorsAsync(CancellationToken ct = default)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await db.VexAuthors.AsNoTracking().OrderBy(a => a.AuthorKey).ToListAsync(ct);
    }

    /// <summary>Trusts, shows only, or ignores an author's statements from now on (already recorded ones included: trust is
    /// applied when statements are resolved). Statements of an author that was ignored at import were never recorded;
    /// re-import the document after trusting its author.</summary>
    public async Task SetAuthorTrustAsync(string author, VexTrust trust, string? updatedBy, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(author)) throw new ArgumentException("An author is needed.", nameof(author));
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        var now = _time.GetUtcNow();
        await AuthorTrustAsync(db, author.Trim(), new VexImportOptions { Trust = trust, ImportedBy = updatedBy }, DecisionRows.Utc(now), ct);
        await db.SaveChangesAsync(ct);
        await EffectiveDecisions.RecomputeAsync(db, await EffectiveDecisions.ReachOfAuthorAsync(db, author, ct), now, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The author's trust after this import (the option given, else the stored one, else trusted), stored; and whether
    /// it is new or differs from what was stored.</summary>
    private static async Task<(VexTrust Trust, bool Changed)> AuthorTrustAsync(TriageDbContext db, string author, VexImportOptions options, DateTime now,
        CancellationToken ct)
    {
        var key = author.ToLowerInvariant();
        var row = await db.VexAuthors.FirstOrDefaultAsync(a => a.AuthorKey == key, ct);
        var trust = options.Trust ?? row?.Trust ?? VexTrust.Trusted;
        if (row is null)
        {
            db.VexAuthors.Add(new VexAuthor { AuthorKey = key, Name = author, Trust = trust, UpdatedAt = now, UpdatedBy = options.ImportedBy });
            return (trust, true);
        }
        if (row.Trust == trust) return (trust, false);
        if (!options.MayChangeTrust) throw new VexTrustChangeException(row.Name, row.Trust, trust);
        row.Trust = trust;
        row.UpdatedAt = now;
        row.UpdatedBy = options.ImportedBy;
        return (trust, true);
    }

    /// <summary>
    /// The images the matcher looks at: every image with a digest, each with its findings on the document's vulnerabilities
    /// (through their alias groups) and with the packages the document names, so a statement about a package that is not
    /// there is told apart from one about a vulnerability the package does not have. Each with the team that owns it.
    /// </summary>
    private static async Task<List<(VexInventoryImage Image, long? TeamId)>> InventoryAsync(TriageDbContext db, VexDocument document, CancellationToken ct)
    {
        var images = (await ImageScopes.AllImagesAsync(db, ct)).Where(i => i.Digest is not null && VexImageNames.TryNormalizeDigest(i.Digest, out _)).ToList();
        if (images.Count == 0) return [];

        var ids = document.Statements.SelectMany(s => s.Vulnerability.AllIds).Select(VulnerabilityIds.Normalize).Distinct().ToList();
        var groups = new HashSet<long>();
        foreach (var chunk in ids.Chunk(2000))
            groups.UnionWith(await db.Vulnerabilities.AsNoTracking().Where(v => chunk.Contains(v.VulnId)).Select(v => v.GroupId).ToListAsync(ct));
        var findings = new List<VexFindingRef>();
        foreach (var chunk in groups.Chunk(2000))
            findings.AddRange(await VexFindingRefs.LoadAsync(db, db.Findings.AsNoTracking().Where(f => chunk.Contains(f.GroupId)), ct));

        var purls = document.Statements.SelectMany(s => s.Products)
            .SelectMany(p => p.Subcomponents.Prepend(p))
            .Select(c => c.Purl).OfType<Purl>().Where(p => p.Type != "oci").ToList();
        var names = purls.SelectMany(p => new[] { p.Name, p.Name.ToLowerInvariant() }).Distinct(StringComparer.Ordinal).ToList();
        var packages = new List<(long ArtifactId, string Purl)>();
        foreach (var chunk in names.Chunk(2000))
            packages.AddRange((await (
                from ap in db.ArtifactPackages.AsNoTracking()
                join p in db.Packages.AsNoTracking() on ap.PackageId equals p.Id
                where chunk.Contains(p.Name)
                select new { ap.ArtifactId, Purl = p.Purl ?? p.Key }).ToListAsync(ct)).Select(x => (x.ArtifactId, x.Purl)));

        var findingsByArtifact = findings.Where(f => f.Package is not null).ToLookup(f => f.ArtifactId);
        var packagesByArtifact = packages.ToLookup(p => p.ArtifactId, p => Purl.TryParse(p.Purl, out var x) ? x : null);
        return images.Select(i => (new VexInventoryImage(
            i.Repository,
            i.Digest!,
            i.Tags,
            findingsByArtifact[i.ArtifactId].Select(f => new VexInventoryFinding(f.Package!, f.VulnerabilityIds, f.FindingId.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray(),
            packagesByArtifact[i.ArtifactId].OfType<Purl>().ToArray()), i.TeamId)).ToList();
    }

    /// <summary>The document with only the named products of each statement (statements left without one dropped); indexes
    /// and everything else as read.</summary>
    private static VexDocument Narrow(VexDocument document, IReadOnlySet<(int Statement, string Product)> only) => document with
    {
        Statements = document.Statements
            .Select(s => s with { Products = s.Products.Where(p => only.Contains((s.Index, p.Describe()))).ToList() })
            .Where(s => s.Products.Count > 0)
            .ToList(),
    };

    private static IEnumerable<VexDocumentIssue> Issues(VexDocument document, VexMatchResult result)
    {
        foreach (var p in document.Problems.Where(p => p.Skipped))
            yield return new VexDocumentIssue
            {
                Kind = VexIssueKind.Skipped, StatementIndex = p.StatementIndex, Location = p.Location, Code = p.CodeName, Message = p.Message,
            };
        foreach (var u in result.Unmatched)
            yield return new VexDocumentIssue
            {
                Kind = VexIssueKind.Unmatched, StatementIndex = u.Statement.Index, Location = u.Statement.Location,
                VulnerabilityId = u.Statement.Vulnerability.Id, Product = u.Product?.Describe(), Code = u.CodeName, Message = u.Message,
            };
        foreach (var r in result.Rejected)
            yield return new VexDocumentIssue
            {
                Kind = VexIssueKind.Rejected, StatementIndex = r.Statement.Index, Location = r.Statement.Location,
                VulnerabilityId = r.Statement.Vulnerability.Id, Code = r.Violation.CodeName, Message = r.Violation.Reason,
            };
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await content.ReadAsync(buffer, ct)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > maxBytes) throw new VexFormatException(VexErrorCode.TooLarge, $"The file is larger than {maxBytes} bytes.");
        }
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    private static byte[] Gzip(ReadOnlySpan<byte> bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }
}
