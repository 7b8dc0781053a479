using Triage.Core.Runtime.Code;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Packages;

namespace Triage.Core.Runtime.Verdicts;

/// <summary>
/// Everything known about one running image: complete file inventories of it (slim kept files), profiles of its use
/// (slim monitors, eBPF exports) and code reachability of the binaries in it (govulncheck). The caller groups evidence
/// by image digest; for a slimmed image the slim report's profile and kept files both describe the image that runs.
/// </summary>
public sealed class RuntimeEvidence
{
    private readonly Dictionary<object, PathIndex> _indexes = new(ReferenceEqualityComparer.Instance);

    public List<ImageFileInventory> Inventories { get; } = [];
    public List<FileAccessProfile> Profiles { get; } = [];
    public List<GovulncheckReport> CodeReports { get; } = [];
    /// <summary>Package lists (SBOM, Trivy --list-all-pkgs) of the images that run in place of the scanned one (another
    /// digest under its tag), one per list: a component missing from every one of them is not in the running digest.</summary>
    public List<PackageFileIndex> RunningPackages { get; } = [];

    public bool IsEmpty => Inventories.Count == 0 && Profiles.Count == 0 && CodeReports.Count == 0 && RunningPackages.Count == 0;

    /// <summary>Adds both halves of a slim container report.</summary>
    public RuntimeEvidence Add(SlimContainerReport report)
    {
        Inventories.Add(report.KeptFiles);
        Profiles.Add(report.Accesses);
        return this;
    }

    public RuntimeEvidence Add(FileAccessProfile profile) { Profiles.Add(profile); return this; }
    public RuntimeEvidence Add(ImageFileInventory inventory) { Inventories.Add(inventory); return this; }
    public RuntimeEvidence Add(GovulncheckReport report) { CodeReports.Add(report); return this; }
    public RuntimeEvidence Add(PackageFileIndex runningImagePackages) { RunningPackages.Add(runningImagePackages); return this; }

    internal PathIndex IndexOf(FileAccessProfile p) => Index(p, () => p.Files.Keys);
    internal PathIndex IndexOf(ImageFileInventory i) => Index(i, () => i.Files.Concat(i.Links.Keys));

    private PathIndex Index(object key, Func<IEnumerable<string>> paths)
    {
        lock (_indexes)
        {
            if (!_indexes.TryGetValue(key, out var index)) _indexes[key] = index = new PathIndex(paths());
            return index;
        }
    }
}
