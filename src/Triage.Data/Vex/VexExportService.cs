using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>The images an export speaks about.</summary>
public abstract record VexExportScope
{
    private VexExportScope() { }

    /// <summary>The image a reference names now (<c>repo:tag</c> → its current digest, <c>repo@sha256:…</c>).</summary>
    public sealed record Image(string Reference) : VexExportScope
    {
        public override string Key => "image:" + (ImageReference.TryParse(Reference, out var r) ? r!.ToString() : Reference.Trim());
    }

    /// <summary>Every digest of a repository.</summary>
    public sealed record Repository(string Name) : VexExportScope
    {
        public override string Key => "repository:" + (ImageReference.TryParse(Name, out var r) ? r!.Repository : Name.Trim().ToLowerInvariant());
    }

    /// <summary>Every image of a team's repositories.</summary>
    public sealed record Team(string TeamId) : VexExportScope
    {
        public override string Key => "team:" + TeamId.Trim();
    }

    /// <summary>Every image.</summary>
    public sealed record Everything : VexExportScope
    {
        public static Everything Instance { get; } = new();
        public override string Key => "all";
    }

    /// <summary>Identifies the scope among remembered exports.</summary>
    public abstract string Key { get; }
}

/// <summary>A written document and what it covered.</summary>
/// <param name="Changed">False when the content equals the previous export of the same scope (same version and time).</param>
public sealed record VexExportOutcome(VexExportResult Result, int Images, int Findings, int Statements, bool Changed, int? PreviousVersion);

/// <summary>
/// Exports VEX for a scope: builds the <see cref="VexExportRequest"/> from the database (the scope's images with digests,
/// their current findings, every stored statement that can apply), writes it with <see cref="VexWriter"/>, and remembers
/// the result per format, scope and author so the next export of the same scope bumps the version only when the content
/// changed. The same database state gives the same bytes.
/// </summary>
public sealed class VexExportService(string connectionString, TimeProvider? time = null)
{
    /// <summary>The document author when the caller names none.</summary>
    public const string DefaultAuthor = "Triage";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Throws <see cref="DecisionTargetException"/> for an unknown scope and <see cref="VexExportException"/> when
    /// no statement governs any finding of the scope (there is nothing to say).</summary>
    public Task<VexExportOutcome> ExportAsync(VexFormat format, VexExportScope scope, string? author = null, CancellationToken ct = default) =>
        ExportAsync(format, scope, author, null, ct);

    /// <summary>As <see cref="ExportAsync(VexFormat, VexExportScope, string?, CancellationToken)"/>, limited to the images of
    /// <paramref name="audience"/>'s teams (all images when null): another team's image is as unknown as a missing one.</summary>
    public async Task<VexExportOutcome> ExportAsync(VexFormat format, VexExportScope scope, string? author, VexAudience? audience, CancellationToken ct = default)
    {
        author = string.IsNullOrWhiteSpace(author) ? DefaultAuthor : author.Trim();
        var now = DecisionRows.Now(_time);
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);

        var key = $"{format.ToWire()}|{scope.Key}|{author}" + (audience is null ? "" : "|" + audience.Key);
        var previous = await db.VexExports.FirstOrDefaultAsync(e => e.Key == key, ct);
        // Named by its scope (and whose view it is), so a repository's document stays one document, in new versions, as
        // digests come and go; named by its images it became a new document at every new digest.
        var request = await BuildRequestAsync(db, scope, author, now, audience, ct) with
        {
            Previous = previous is null ? null : Previous(previous),
            Subject = scope.Key + (audience is null ? "" : "|" + audience.Key),
        };
        var result = VexWriter.Write(format, request);

        var changed = previous is null || previous.ContentHash != result.ContentHash;
        var previousVersion = previous?.Version;
        if (previous is null)
        {
            previous = new VexExportRecord
            {
                Key = key, Format = format, Scope = scope.Key, Author = author,
                DocumentId = result.DocumentId, ContentHash = result.ContentHash, RevisionsJson = "[]",
            };
            db.VexExports.Add(previous);
        }
        previous.DocumentId = result.DocumentId;
        previous.Version = result.Version;
        previous.ContentHash = result.ContentHash;
        previous.Timestamp = DecisionRows.Utc(result.Timestamp);
        previous.RevisionsJson = RevisionsJson(result.Revisions);
        previous.ExportedAt = DecisionRows.Utc(now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        var planned = request.Images.Sum(i => i.Findings.Count);
        return new VexExportOutcome(result, request.Images.Count, planned, request.Statements.Count - result.Omitted.Count, changed, previousVersion);
    }

    /// <summary>The export request for a scope, as the database holds it now (without <see cref="VexExportRequest.Previous"/>).</summary>
    public static async Task<VexExportRequest> BuildRequestAsync(TriageDbContext db, VexExportScope scope, string author, DateTimeOffset now,
        VexAudience? audience = null, CancellationToken ct = default)
    {
        IReadOnlyList<ImageRef> images = scope switch
        {
            VexExportScope.Image i => await ImageScopes.CurrentImagesAsync(db, i.Reference, ct),
            VexExportScope.Repository r => await ImageScopes.RepositoryImagesAsync(db, r.Name, ct)
                ?? throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image of repository {r.Name} has been imported."),
            VexExportScope.Team t => await ImageScopes.TeamImagesAsync(db, t.TeamId, ct)
                ?? throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No repository belongs to team {t.TeamId}."),
            _ => await ImageScopes.AllImagesAsync(db, ct),
        };
        if (audience is not null)
        {
            images = images.Where(audience.Sees).ToList();
            if (images.Count == 0 && scope is not VexExportScope.Everything)
                throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image of {scope.Key} has been imported.");
        }
        // VEX products are pkg:oci purls with a digest: an image known only by tag or path cannot be named.
        var withDigest = images.Where(i => VexImageNames.TryNormalizeDigest(i.Digest, out _)).ToList();
        if (withDigest.Count == 0)
            throw new DecisionTargetException(images.Count == 0 ? DecisionTargetError.UnknownImage : DecisionTargetError.ImageWithoutDigest,
                images.Count == 0 ? "No image has been imported." : "None of these images has a digest, so none can be named in a VEX document.");

        var findings = new List<VexFindingRef>();
        foreach (var chunk in withDigest.Select(i => i.ArtifactId).Chunk(2000))
            findings.AddRange(await VexFindingRefs.LoadAsync(db, db.Findings.AsNoTracking().Where(f => f.Active && chunk.Contains(f.ArtifactId)), ct));
        var set = await VexStatementQueries.CandidatesAsync(db, findings, ct);
        var byArtifact = findings.Where(f => f.Package is not null).ToLookup(f => f.ArtifactId);

        return new VexExportRequest
        {
            Author = author,
            Now = now,
            Images = withDigest.Select(i => new VexExportImage(
                i.Repository,
                i.Digest!,
                i.Tags,
                byArtifact[i.ArtifactId].Select(f => new VexExportFinding(f.Package!, f.VulnerabilityIds)).ToArray(),
                i.TeamId is { } team ? [DecisionRows.TeamKey(team)] : null)).ToArray(),
            Statements = set.Statements.ToArray(),
            Trust = set.Trust,
        };
    }

    private static VexPreviousExport Previous(VexExportRecord e)
    {
        var revisions = (JsonNode.Parse(e.RevisionsJson)?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Select(r => new VexRevision(
                r["number"]!.GetValue<int>(),
                DateTimeOffset.Parse(r["date"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                r["summary"]!.GetValue<string>()))
            .ToArray();
        return new VexPreviousExport(e.Version, e.ContentHash, DecisionRows.Offset(e.Timestamp), revisions);
    }

    private static string RevisionsJson(IReadOnlyList<VexRevision> revisions) =>
        new JsonArray([.. revisions.Select(r => (JsonNode)new JsonObject
        {
            ["number"] = r.Number,
            ["date"] = r.Date.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["summary"] = r.Summary,
        })]).ToJsonString();
}
