using Microsoft.EntityFrameworkCore;
using Triage.Core.Identity;

namespace Triage.Data.Vex;

public enum DecisionTargetError
{
    /// <summary>No imported report names the vulnerability (CLI exit 1, API 404).</summary>
    UnknownVulnerability,
    /// <summary>No image, repository or team by that name (CLI exit 1, API 404).</summary>
    UnknownImage,
    /// <summary>No finding with that id (API 404).</summary>
    UnknownFinding,
    /// <summary>The image is known but has no digest (a file-system scan), so it cannot be a digest scope (exit 1, 422).</summary>
    ImageWithoutDigest,
    /// <summary>The request itself is wrong: not an image reference, not a purl… (CLI exit 2, API 400).</summary>
    Invalid,
    /// <summary>The target includes an image the author may not see (another team's), API 403. Never raised for the CLI,
    /// which passes no <see cref="DecisionRequest.AuthorSees"/>.</summary>
    NotYourImage,
    /// <summary>A decision everywhere by someone who is not an admin (it would reach other teams' images), API 403.</summary>
    AdminOnlyScope,
}

/// <summary>A decision or export names something Triage cannot find, or names it wrongly.</summary>
public sealed class DecisionTargetException(DecisionTargetError error, string message) : Exception(message)
{
    public DecisionTargetError Error { get; } = error;

    public string CodeName => Error switch
    {
        DecisionTargetError.UnknownVulnerability => "unknown_vulnerability",
        DecisionTargetError.UnknownImage => "unknown_image",
        DecisionTargetError.UnknownFinding => "unknown_finding",
        DecisionTargetError.ImageWithoutDigest => "image_without_digest",
        DecisionTargetError.Invalid => "invalid_request",
        DecisionTargetError.NotYourImage => "not_your_image",
        DecisionTargetError.AdminOnlyScope => "admin_only_scope",
    };
}

/// <summary>One image Triage knows.</summary>
public sealed record ImageRef(long ArtifactId, string Repository, string? Digest, IReadOnlyList<string> Tags, long? TeamId)
{
    public override string ToString() => Digest is null ? Repository : $"{Repository}@{Digest}";
}

/// <summary>
/// Resolves what a person names to stored images. <c>repo:tag</c> is the digest most recently seen with that tag (a tag
/// moves; the decision is about the image it names now); <c>repo@sha256:…</c> is that digest. A bare repository is refused
/// for an image: "every digest" is a repository scope, and saying so is the caller's choice.
/// </summary>
public static class ImageScopes
{
    public static async Task<IReadOnlyList<ImageRef>> CurrentImagesAsync(TriageDbContext db, string reference, CancellationToken ct = default)
    {
        if (!ImageReference.TryParse(reference, out var r))
            throw new DecisionTargetException(DecisionTargetError.Invalid, $"'{reference}' is not an image reference (repository:tag or repository@sha256:…).");
        if (r!.Tag is null && r.Digest is null)
            throw new DecisionTargetException(DecisionTargetError.Invalid,
                $"'{reference}' names a repository, not an image: give a tag or digest ({r.Repository}:TAG or {r.Repository}@sha256:…), or use a repository scope for every digest.");
        var images = await RepositoryImagesAsync(db, r.Repository, ct)
            ?? throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image of repository {r.Repository} has been imported.");
        var artifactIds = images.Select(i => i.ArtifactId).ToList();
        if (r.Digest is not null)
        {
            var exact = await db.Artifacts.AsNoTracking().Where(a => artifactIds.Contains(a.Id) && (a.Digest == r.Digest || a.ImageId == r.Digest))
                .Select(a => a.Id).ToListAsync(ct);
            var found = images.Where(i => exact.Contains(i.ArtifactId)).ToList();
            return found.Count > 0 ? found
                : throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image {r.Repository}@{r.Digest} has been imported.");
        }
        var seen = await db.Artifacts.AsNoTracking().Where(a => artifactIds.Contains(a.Id)).Select(a => new { a.Id, a.LastSeen }).ToListAsync(ct);
        var tagged = images.Where(i => i.Tags.Contains(r.Tag!)).Select(i => i.ArtifactId).ToHashSet();
        if (tagged.Count == 0)
            throw new DecisionTargetException(DecisionTargetError.UnknownImage, $"No image {r.Repository}:{r.Tag} has been imported.");
        var latest = seen.Where(a => tagged.Contains(a.Id)).Max(a => a.LastSeen);
        var current = seen.Where(a => tagged.Contains(a.Id) && a.LastSeen == latest).Select(a => a.Id).ToHashSet();
        return images.Where(i => current.Contains(i.ArtifactId)).ToList();
    }

    /// <summary>Every image of a repository, or null when the repository is unknown. An exact stored name wins (a
    /// file-system scan names a repository "app/gin"); otherwise the name is read as an image reference.</summary>
    public static async Task<IReadOnlyList<ImageRef>?> RepositoryImagesAsync(TriageDbContext db, string name, CancellationToken ct = default)
    {
        var repo = await RepositoryNameAsync(db, name, ct);
        if (repo is null) return null;
        return await ImagesAsync(db, db.Repositories.Where(x => x.Name == repo), ct);
    }

    /// <summary>The stored name of a repository, or null.</summary>
    public static async Task<string?> RepositoryNameAsync(TriageDbContext db, string name, CancellationToken ct = default)
    {
        var lower = name.Trim().ToLowerInvariant();
        if (await db.Repositories.AnyAsync(x => x.Name == lower, ct)) return lower;
        if (ImageReference.TryParse(name, out var r) && await db.Repositories.AnyAsync(x => x.Name == r!.Repository, ct)) return r!.Repository;
        return null;
    }

    /// <summary>Every image of a team's repositories, or null when no repository belongs to the team. Teams are named by
    /// id (<see cref="Core.Domain.ImageRepository.TeamId"/>).</summary>
    public static async Task<IReadOnlyList<ImageRef>?> TeamImagesAsync(TriageDbContext db, string team, CancellationToken ct = default)
    {
        if (!long.TryParse(team.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            throw new DecisionTargetException(DecisionTargetError.Invalid, $"Team '{team}' is not a team id (a number).");
        if (!await db.Repositories.AnyAsync(x => x.TeamId == id, ct)) return null;
        return await ImagesAsync(db, db.Repositories.Where(x => x.TeamId == id), ct);
    }

    public static Task<List<ImageRef>> AllImagesAsync(TriageDbContext db, CancellationToken ct = default) => ImagesAsync(db, db.Repositories, ct);

    private static Task<List<ImageRef>> ImagesAsync(TriageDbContext db, IQueryable<Core.Domain.ImageRepository> repositories, CancellationToken ct) => (
        from a in db.Artifacts.AsNoTracking()
        join r in repositories.AsNoTracking() on a.RepositoryId equals r.Id
        orderby r.Name, a.Id
        select new ImageRef(a.Id, r.Name, a.Digest, a.Tags, r.TeamId)).ToListAsync(ct);
}
