using Triage.Core.Identity;
using Triage.Core.Runtime;

namespace Triage.Data.Runtime;

/// <summary>An image as runtime evidence names it, normalised for matching to artifacts: the repository as scans store
/// it (docker.io/library/nginx), the tag, and either digest.</summary>
public sealed record RuntimeImageName(string Reference, string? Repository, string? Tag, string? Digest, string? ImageId)
{
    /// <summary>Digest, else config digest, else the reference: one image within a workload or an evidence file.</summary>
    public string Key => Digest ?? ImageId ?? Reference;

    public static RuntimeImageName From(RuntimeImageReference r)
    {
        string? repository = null;
        if (r.Repository is { Length: > 0 } repo && ImageReference.TryParse(repo, out var parsed)) repository = parsed!.Repository;
        return new RuntimeImageName(r.Reference, repository, r.Tag, r.Digest?.ToLowerInvariant(), r.ImageId?.ToLowerInvariant());
    }

    /// <summary>An image named by a person (--image): "repo:tag", "repo@sha256:…" or a bare "sha256:…" manifest digest.</summary>
    public static bool TryParse(string? text, out RuntimeImageName? image)
    {
        image = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var r = RuntimeImageReference.Parse(text, bareDigestIsImageId: false);
        if (r.Repository is null && r.Digest is null && r.ImageId is null) return false;
        if (r.Repository is not null && !ImageReference.TryParse(r.Repository, out _)) return false;
        image = From(r);
        return true;
    }
}

/// <summary>An artifact as image matching needs it.</summary>
internal sealed record ArtifactImage(long Id, string Repository, string? Digest, string? ImageId, List<string> Tags, DateTime LastSeen);

/// <summary>
/// Finds the artifacts an image names: by manifest digest or config digest (either column: people and runtimes mix
/// them up, and both are content addresses), else by repository and tag ("latest" when none) — the most recently seen
/// artifact with that tag, as the importer adopts artifacts by tag.
/// </summary>
internal sealed class ArtifactCatalog
{
    private readonly Dictionary<string, List<long>> _byDigest = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Repository, string Tag), ArtifactImage> _byTag = new();
    private readonly Dictionary<string, ArtifactImage> _latestByRepository = new(StringComparer.Ordinal);

    public ArtifactCatalog(IEnumerable<ArtifactImage> artifacts)
    {
        foreach (var a in artifacts)
        {
            All.Add(a);
            foreach (var d in new[] { a.Digest, a.ImageId })
            {
                if (d is null) continue;
                if (!_byDigest.TryGetValue(d, out var list)) _byDigest[d] = list = [];
                if (!list.Contains(a.Id)) list.Add(a.Id);
            }
            foreach (var t in a.Tags)
                if (!_byTag.TryGetValue((a.Repository, t), out var seen) || Newer(a, seen)) _byTag[(a.Repository, t)] = a;
            if (!_latestByRepository.TryGetValue(a.Repository, out var latest) || Newer(a, latest)) _latestByRepository[a.Repository] = a;
        }
    }

    private static bool Newer(ArtifactImage a, ArtifactImage b) => (a.LastSeen, a.Id).CompareTo((b.LastSeen, b.Id)) > 0;

    public List<ArtifactImage> All { get; } = [];

    public ArtifactImage? Get(long id) => (_byId ??= All.ToDictionary(a => a.Id)).GetValueOrDefault(id);

    /// <summary>Every artifact that carries the tag, not only the newest (<see cref="Match"/> picks that one).</summary>
    public IReadOnlyList<ArtifactImage> WithTag(string repository, string tag) =>
        (_allByTag ??= All.SelectMany(a => a.Tags.Select(t => (Key: (a.Repository, t), a))).ToLookup(x => x.Key, x => x.a))[(repository, tag)].ToList();

    private Dictionary<long, ArtifactImage>? _byId;
    private ILookup<(string, string), ArtifactImage>? _allByTag;

    /// <param name="reference">The image as written: its repository is tried as well, unnormalised, because scans of
    /// a source tree name their repository by the path ("app/gin"), not as a registry image.</param>
    public IReadOnlyList<long> Match(string? repository, string? tag, string? digest, string? imageId, string? reference = null)
    {
        if (digest is not null || imageId is not null)
        {
            var ids = new List<long>();
            if (digest is not null && _byDigest.TryGetValue(digest, out var a)) ids.AddRange(a);
            if (imageId is not null && _byDigest.TryGetValue(imageId, out var b)) ids.AddRange(b.Where(id => !ids.Contains(id)));
            return ids;
        }
        var raw = reference is null ? null : RuntimeImageReference.Parse(reference).Repository?.ToLowerInvariant();
        foreach (var repo in new[] { repository, raw })
        {
            if (repo is null) continue;
            if (tag is not null)
            {
                if (_byTag.TryGetValue((repo, tag), out var tagged)) return [tagged.Id];
                continue;
            }
            // No tag: "latest" when an artifact carries it, else the repository's most recently seen artifact.
            if (_byTag.TryGetValue((repo, "latest"), out var latestTag)) return [latestTag.Id];
            if (_latestByRepository.TryGetValue(repo, out var newest)) return [newest.Id];
        }
        return [];
    }

    public static async Task<ArtifactCatalog> LoadAsync(SqlSource sql, CancellationToken ct) =>
        new(await sql.QueryAsync(
            "SELECT a.\"Id\", r.\"Name\", a.\"Digest\", a.\"ImageId\", a.\"Tags\", a.\"LastSeen\" FROM \"Artifacts\" a JOIN \"Repositories\" r ON r.\"Id\" = a.\"RepositoryId\"",
            r => new ArtifactImage(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                Configuration.StringListJsonConverter.Deserialize(r.GetString(4)), r.GetDateTime(5)), ct));
}
