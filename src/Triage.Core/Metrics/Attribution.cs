using Triage.Core.Domain;
using Triage.Core.Identity;

namespace Triage.Core.Metrics;

/// <summary>A package without its version: what "the same package" means from one image to the next (the identity of
/// <see cref="PackageKey"/> minus the version).</summary>
public readonly record struct PackageName(string Type, string? Namespace, string Name)
{
    public string Display => new PackageKey(Type, Namespace, Name, "").DisplayName;

    public PackageVersion At(string version) => new(this, version);

    public override string ToString() => $"{Type}/{Namespace}/{Name}";
}

public readonly record struct PackageVersion(PackageName Package, string Version);

/// <summary>One finding as a comparison sees it: its problem (alias group on a package name), the package version, and
/// whether a VEX decision in force suppresses it (not_affected or fixed), which makes it not open.</summary>
public readonly record struct SideFinding(long FindingId, long GroupId, string VulnerabilityId, PackageName Package, string Version, Severity Severity,
    bool Suppressed)
{
    public bool IsOpen => !Suppressed;
}

/// <summary>
/// One side of a comparison: the findings of one or more images (active findings, open or suppressed) and what those
/// images contain. A package version is counted once per image that has it, so a side made of several images knows that
/// one of two copies of a package went away.
/// </summary>
public sealed class ComparisonSide
{
    private readonly List<SideFinding> _findings = [];
    private readonly Dictionary<PackageName, Dictionary<string, int>> _inventory = [];

    public IReadOnlyList<SideFinding> Findings => _findings;

    public int Open => _findings.Count(f => f.IsOpen);

    public int Images { get; private set; }

    /// <summary>Adds one image: its package inventory and its active findings. A finding's own package is present even
    /// when the scanner listed no inventory (a report without the full package list).</summary>
    public ComparisonSide AddImage(IEnumerable<PackageVersion> packages, IEnumerable<SideFinding> findings)
    {
        var present = new HashSet<PackageVersion>(packages);
        foreach (var f in findings)
        {
            _findings.Add(f);
            present.Add(f.Package.At(f.Version));
        }
        foreach (var p in present)
        {
            if (!_inventory.TryGetValue(p.Package, out var versions)) _inventory[p.Package] = versions = new Dictionary<string, int>(StringComparer.Ordinal);
            versions[p.Version] = versions.GetValueOrDefault(p.Version) + 1;
        }
        Images++;
        return this;
    }

    /// <summary>How many images of this side hold this package version.</summary>
    public int Copies(PackageName package, string version) =>
        _inventory.TryGetValue(package, out var v) ? v.GetValueOrDefault(version) : 0;

    /// <summary>How many (image, version) copies of this package the side holds.</summary>
    public int Copies(PackageName package) => _inventory.TryGetValue(package, out var v) ? v.Values.Sum() : 0;

    public IReadOnlyList<string> Versions(PackageName package) =>
        _inventory.TryGetValue(package, out var v) ? v.Keys.Order(StringComparer.Ordinal).ToArray() : [];
}

/// <summary>Why an open finding left or entered between two sides. Each kind moves the open count by one
/// (<see cref="AttributionKinds.Effect"/>).</summary>
public enum ChangeKind
{
    /// <summary>Open before; its package (any version) is gone after.</summary>
    RemovedWithPackage,
    /// <summary>Open before; its package version is gone after but the package is there at another version, without the finding.</summary>
    FixedByUpgrade,
    /// <summary>Open before; still reported after, but a VEX decision in force (not_affected, fixed) suppresses it.</summary>
    SuppressedByDecision,
    /// <summary>Suppressed before; open after (the decision expired, was replaced or does not cover the new image).</summary>
    DecisionLifted,
    /// <summary>Open after; absent before although the same package version was there (a vulnerability published or matched later).</summary>
    NewlyDisclosed,
    /// <summary>Open before; absent after although the same package version is still there (the scanner no longer reports it).</summary>
    Withdrawn,
    /// <summary>Open after; its package version was not there before (a new package, or a changed version that brought it).</summary>
    IntroducedByPackage,
}

public static class AttributionKinds
{
    public static string ToWire(this ChangeKind k) => k switch
    {
        ChangeKind.RemovedWithPackage => "removed_with_package",
        ChangeKind.FixedByUpgrade => "fixed_by_upgrade",
        ChangeKind.SuppressedByDecision => "suppressed_by_decision",
        ChangeKind.DecisionLifted => "decision_lifted",
        ChangeKind.NewlyDisclosed => "newly_disclosed",
        ChangeKind.Withdrawn => "withdrawn",
        ChangeKind.IntroducedByPackage => "introduced_by_package",
    };

    public static string ToLabel(this ChangeKind k) => k switch
    {
        ChangeKind.RemovedWithPackage => "Removed with the package",
        ChangeKind.FixedByUpgrade => "Fixed by an upgrade",
        ChangeKind.SuppressedByDecision => "Suppressed by a VEX decision",
        ChangeKind.DecisionLifted => "Decision no longer applies",
        ChangeKind.NewlyDisclosed => "Newly disclosed in an unchanged package",
        ChangeKind.Withdrawn => "No longer reported in an unchanged package",
        ChangeKind.IntroducedByPackage => "Introduced by a new or changed package",
    };

    /// <summary>What the change does to the open count.</summary>
    public static int Effect(this ChangeKind k) => k switch
    {
        ChangeKind.RemovedWithPackage or ChangeKind.FixedByUpgrade or ChangeKind.SuppressedByDecision or ChangeKind.Withdrawn => -1,
        ChangeKind.DecisionLifted or ChangeKind.NewlyDisclosed or ChangeKind.IntroducedByPackage => 1,
    };
}

/// <summary>A finding that left or entered the open set, and why. <paramref name="Finding"/> is the one before for a
/// finding that left, the one after for one that entered or was suppressed. <paramref name="OtherVersions"/> are the
/// package's versions on the other side (the upgrade target, the version it replaced), empty when it was absent.</summary>
public sealed record AttributedChange(ChangeKind Kind, SideFinding Finding, IReadOnlyList<string> OtherVersions);

/// <summary>
/// The counts of an attribution. The five parts of the equation are nets where a mechanism works both ways:
/// <see cref="SuppressedByDecision"/> = suppressed − lifted, <see cref="NewlyDisclosed"/> = disclosed − withdrawn.
/// Counts of disjoint sides add up, so a team's week is the sum of its lineages' weeks.
/// </summary>
public readonly record struct AttributionCounts(int Before, int After, int Removed, int Fixed, int Suppressed, int Lifted, int Disclosed, int Withdrawn, int Introduced)
{
    public int RemovedWithPackage => Removed;
    public int FixedByUpgrade => Fixed;
    public int SuppressedByDecision => Suppressed - Lifted;
    public int NewlyDisclosed => Disclosed - Withdrawn;
    public int IntroducedByPackage => Introduced;

    /// <summary>True when after = before − removed − fixed − suppressed + newly disclosed + introduced.</summary>
    public bool AddsUp => After == Before - RemovedWithPackage - FixedByUpgrade - SuppressedByDecision + NewlyDisclosed + IntroducedByPackage;

    public static AttributionCounts operator +(AttributionCounts a, AttributionCounts b) => new(
        a.Before + b.Before, a.After + b.After, a.Removed + b.Removed, a.Fixed + b.Fixed, a.Suppressed + b.Suppressed, a.Lifted + b.Lifted,
        a.Disclosed + b.Disclosed, a.Withdrawn + b.Withdrawn, a.Introduced + b.Introduced);

    public int Count(ChangeKind k) => k switch
    {
        ChangeKind.RemovedWithPackage => Removed,
        ChangeKind.FixedByUpgrade => Fixed,
        ChangeKind.SuppressedByDecision => Suppressed,
        ChangeKind.DecisionLifted => Lifted,
        ChangeKind.NewlyDisclosed => Disclosed,
        ChangeKind.Withdrawn => Withdrawn,
        ChangeKind.IntroducedByPackage => Introduced,
    };
}

public sealed record AttributionResult(AttributionCounts Counts, IReadOnlyList<AttributedChange> Changes);

/// <summary>
/// Splits the change in open findings between two sides into its causes (docs/decisions/060-reduction-and-weekly-metrics.md).
/// A problem is an alias group on a package name. Findings of one problem are paired across the sides first by equal
/// version, then in version order (an upgrade that does not fix keeps the problem); a pair moves the open count only when
/// a decision suppresses one side. Unpaired open findings left or entered: the package's copies on each side say whether
/// its version went away (fixed by an upgrade, or removed with the package) or stayed (withdrawn, newly disclosed). Every
/// open finding of either side is paired or gets exactly one kind, so the parts always add up to the total.
/// </summary>
public static class Attribution
{
    public static AttributionResult Compare(ComparisonSide before, ComparisonSide after)
    {
        var changes = new List<AttributedChange>();
        var byProblemBefore = before.Findings.GroupBy(f => (f.GroupId, f.Package)).ToDictionary(g => g.Key, g => g.ToList());
        var byProblemAfter = after.Findings.GroupBy(f => (f.GroupId, f.Package)).ToDictionary(g => g.Key, g => g.ToList());
        var problems = byProblemBefore.Keys.Union(byProblemAfter.Keys);
        foreach (var problem in problems)
        {
            var a = Ordered(byProblemBefore.GetValueOrDefault(problem));
            var b = Ordered(byProblemAfter.GetValueOrDefault(problem));
            var pairedA = new bool[a.Count];
            var pairedB = new bool[b.Count];

            // 1. Same version on both sides; 2. what remains, in version order.
            for (var i = 0; i < a.Count; i++)
                for (var j = 0; j < b.Count; j++)
                    if (!pairedB[j] && string.Equals(a[i].Version, b[j].Version, StringComparison.Ordinal))
                    {
                        Pair(i, j);
                        break;
                    }
            for (int i = 0, j = 0; i < a.Count; i++)
            {
                if (pairedA[i]) continue;
                while (j < b.Count && pairedB[j]) j++;
                if (j == b.Count) break;
                Pair(i, j);
            }

            // 3. Open findings that left: per version, as many as the copies of that version that went away are explained by
            // the package (removed while the package's copies dropped, otherwise upgraded); the rest were withdrawn.
            var package = problem.Package;
            var removedBudget = Math.Max(0, before.Copies(package) - after.Copies(package));
            foreach (var group in Enumerable.Range(0, a.Count).Where(i => !pairedA[i] && a[i].IsOpen).GroupBy(i => a[i].Version))
            {
                var gone = Math.Max(0, before.Copies(package, group.Key) - after.Copies(package, group.Key));
                foreach (var i in group)
                {
                    ChangeKind kind;
                    if (gone > 0)
                    {
                        gone--;
                        if (removedBudget > 0) { removedBudget--; kind = ChangeKind.RemovedWithPackage; }
                        else kind = ChangeKind.FixedByUpgrade;
                    }
                    else kind = ChangeKind.Withdrawn;
                    changes.Add(new AttributedChange(kind, a[i], after.Versions(package)));
                }
            }

            // 4. Open findings that entered: as many as the new copies of their version were introduced by the package; the rest
            // were disclosed on a package version that was already there.
            foreach (var group in Enumerable.Range(0, b.Count).Where(j => !pairedB[j] && b[j].IsOpen).GroupBy(j => b[j].Version))
            {
                var added = Math.Max(0, after.Copies(package, group.Key) - before.Copies(package, group.Key));
                foreach (var j in group)
                {
                    var kind = added-- > 0 ? ChangeKind.IntroducedByPackage : ChangeKind.NewlyDisclosed;
                    changes.Add(new AttributedChange(kind, b[j], before.Versions(package)));
                }
            }

            void Pair(int i, int j)
            {
                pairedA[i] = true;
                pairedB[j] = true;
                if (a[i].IsOpen && !b[j].IsOpen) changes.Add(new AttributedChange(ChangeKind.SuppressedByDecision, b[j], [a[i].Version]));
                else if (!a[i].IsOpen && b[j].IsOpen) changes.Add(new AttributedChange(ChangeKind.DecisionLifted, b[j], [a[i].Version]));
            }
        }

        changes.Sort(static (x, y) =>
        {
            var c = x.Kind.CompareTo(y.Kind);
            if (c == 0) c = y.Finding.Severity.CompareTo(x.Finding.Severity);
            if (c == 0) c = string.CompareOrdinal(x.Finding.VulnerabilityId, y.Finding.VulnerabilityId);
            if (c == 0) c = string.CompareOrdinal(x.Finding.Package.ToString(), y.Finding.Package.ToString());
            if (c == 0) c = x.Finding.FindingId.CompareTo(y.Finding.FindingId);
            return c;
        });
        int n(ChangeKind k) => changes.Count(c => c.Kind == k);
        var counts = new AttributionCounts(before.Open, after.Open, n(ChangeKind.RemovedWithPackage), n(ChangeKind.FixedByUpgrade),
            n(ChangeKind.SuppressedByDecision), n(ChangeKind.DecisionLifted), n(ChangeKind.NewlyDisclosed), n(ChangeKind.Withdrawn),
            n(ChangeKind.IntroducedByPackage));
        return new AttributionResult(counts, changes);
    }

    private static List<SideFinding> Ordered(List<SideFinding>? findings)
    {
        if (findings is null) return [];
        findings.Sort(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.Version, y.Version);
            return c != 0 ? c : x.FindingId.CompareTo(y.FindingId);
        });
        return findings;
    }
}
