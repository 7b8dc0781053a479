namespace Triage.Data.Runtime;

/// <summary>An image that current workloads run under a tag, with another digest than an artifact that carries the tag.</summary>
/// <param name="Name">repository:tag@digest, as people read it.</param>
/// <param name="Digests">Its manifest digest and config digest, as the inventory reported them.</param>
/// <param name="Artifacts">Scanned artifacts that are this image (matched by digest).</param>
internal sealed record RunningImage(string Name, IReadOnlySet<string> Digests, IReadOnlyList<long> Artifacts);

/// <summary>
/// Which images run in place of a scanned artifact (docs/decisions/109-inventory-coverage.md): a current workload runs
/// the artifact's repository and tag, the digest it runs is another one, and no current workload runs the artifact
/// itself (think of a finding on the tag's old digest while a newer digest runs). The running images' package lists
/// then say which of the artifact's packages are not in what runs.
/// </summary>
internal static class RunningImages
{
    public static async Task<Dictionary<long, List<RunningImage>>> LoadAsync(SqlSource sql, ArtifactCatalog catalog, RuntimeSettings settings, CancellationToken ct)
    {
        var result = new Dictionary<long, List<RunningImage>>();
        var state = await InventoryState.LoadAsync(sql, settings, ct);
        var current = state.Workloads.Where(state.IsCurrent).ToList();
        if (current.Count == 0) return result;
        var running = current.SelectMany(w => catalog.Match(w.Repository, w.Tag, w.Digest, w.ImageId, w.Reference)).ToHashSet();
        // One running image per (repository, tag, digest): several workloads may run it.
        foreach (var g in current.Where(w => w.Repository is not null && w.Tag is not null && (w.Digest ?? w.ImageId) is not null)
                     .GroupBy(w => (w.Repository!, w.Tag!, w.Digest ?? w.ImageId!)))
        {
            var (repository, tag, digest) = g.Key;
            var w = g.First();
            var digests = new HashSet<string>(g.SelectMany(x => new[] { x.Digest, x.ImageId }).OfType<string>(), StringComparer.Ordinal);
            var isIt = catalog.Match(w.Repository, w.Tag, w.Digest, w.ImageId, w.Reference);
            RunningImage? image = null;
            foreach (var a in catalog.WithTag(repository, tag))
            {
                // The artifact runs itself somewhere, is this very image, or cannot be told apart from it (no digest known).
                if (running.Contains(a.Id) || isIt.Contains(a.Id) || (a.Digest is null && a.ImageId is null)) continue;
                image ??= new RunningImage($"{repository}:{tag}@{digest}", digests, isIt);
                if (!result.TryGetValue(a.Id, out var list)) result[a.Id] = list = [];
                list.Add(image);
            }
        }
        return result;
    }
}
