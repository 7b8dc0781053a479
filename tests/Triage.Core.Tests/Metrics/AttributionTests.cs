using Triage.Core.Domain;
using Triage.Core.Metrics;

namespace Triage.Core.Tests.Metrics;

public sealed class AttributionTests
{
    private static long _ids;
    private static readonly Dictionary<string, long> Groups = [];

    private static PackageName Deb(string name) => new("deb", null, name);

    private static SideFinding F(string cve, string package, string version, Severity severity = Severity.High, bool suppressed = false)
    {
        if (!Groups.TryGetValue(cve, out var g)) Groups[cve] = g = Groups.Count + 1;
        return new SideFinding(Interlocked.Increment(ref _ids), g, cve, Deb(package), version, severity, suppressed);
    }

    private static PackageVersion P(string package, string version) => Deb(package).At(version);

    [Fact]
    public void Slimming_EachCause_AddsUpToTheTotal()
    {
        var before = new ComparisonSide().AddImage(
            [P("openssl", "1.1"), P("bash", "5.2"), P("libc6", "2.36"), P("curl", "8.0"), P("coreutils", "9.1")],
            [F("CVE-1", "openssl", "1.1"), F("CVE-2", "bash", "5.2"), F("CVE-3", "libc6", "2.36"), F("CVE-7", "curl", "8.0")]);
        var after = new ComparisonSide().AddImage(
            [P("openssl", "3.0"), P("libc6", "2.36"), P("curl", "8.0"), P("zlib", "1.3")],
            [F("CVE-3", "libc6", "2.36"), F("CVE-5", "libc6", "2.36"), F("CVE-6", "zlib", "1.3"), F("CVE-7", "curl", "8.0", suppressed: true)]);

        var result = Attribution.Compare(before, after);

        var c = result.Counts;
        Assert.Equal((4, 3), (c.Before, c.After));
        Assert.Equal((1, 1, 1, 1, 1), (c.RemovedWithPackage, c.FixedByUpgrade, c.SuppressedByDecision, c.NewlyDisclosed, c.IntroducedByPackage));
        Assert.True(c.AddsUp);
        Assert.Equal("CVE-2", Single(result, ChangeKind.RemovedWithPackage).Finding.VulnerabilityId);
        var fixedBy = Single(result, ChangeKind.FixedByUpgrade);
        Assert.Equal(("CVE-1", "1.1"), (fixedBy.Finding.VulnerabilityId, fixedBy.Finding.Version));
        Assert.Equal(["3.0"], fixedBy.OtherVersions);
        Assert.Equal("CVE-7", Single(result, ChangeKind.SuppressedByDecision).Finding.VulnerabilityId);
        Assert.Equal("CVE-5", Single(result, ChangeKind.NewlyDisclosed).Finding.VulnerabilityId);
        var introduced = Single(result, ChangeKind.IntroducedByPackage);
        Assert.Equal("CVE-6", introduced.Finding.VulnerabilityId);
        Assert.Empty(introduced.OtherVersions);
    }

    [Fact]
    public void UpgradeThatDoesNotFix_KeepsTheProblem_NoChange()
    {
        var before = new ComparisonSide().AddImage([], [F("CVE-1", "openssl", "1.1")]);
        var after = new ComparisonSide().AddImage([], [F("CVE-1", "openssl", "1.2")]);
        var result = Attribution.Compare(before, after);
        Assert.Empty(result.Changes);
        Assert.Equal((1, 1), (result.Counts.Before, result.Counts.After));
    }

    [Fact]
    public void NewVersionWithANewVulnerability_IsIntroducedByTheChangedPackage()
    {
        var before = new ComparisonSide().AddImage([P("openssl", "1.1")], []);
        var after = new ComparisonSide().AddImage([], [F("CVE-9", "openssl", "3.0")]);
        var change = Single(Attribution.Compare(before, after), ChangeKind.IntroducedByPackage);
        Assert.Equal(["1.1"], change.OtherVersions);
    }

    [Fact]
    public void LiftedDecisionAndWithdrawnFinding_AreNets_ThatCanBeNegative()
    {
        var before = new ComparisonSide().AddImage([P("zlib", "1.3")],
            [F("CVE-1", "openssl", "1.1", suppressed: true), F("CVE-2", "zlib", "1.3")]);
        var after = new ComparisonSide().AddImage([P("zlib", "1.3")], [F("CVE-1", "openssl", "1.1")]);
        var c = Attribution.Compare(before, after).Counts;
        Assert.Equal((1, 1), (c.Before, c.After));
        Assert.Equal((-1, 1), (c.SuppressedByDecision, c.Lifted));
        Assert.Equal((-1, 1), (c.NewlyDisclosed, c.Withdrawn));
        Assert.True(c.AddsUp);
    }

    [Fact]
    public void SuppressedOnBothSides_IsNotOpen_AndNoChange()
    {
        var before = new ComparisonSide().AddImage([], [F("CVE-1", "openssl", "1.1", suppressed: true)]);
        var after = new ComparisonSide().AddImage([], [F("CVE-1", "openssl", "1.1", suppressed: true)]);
        var result = Attribution.Compare(before, after);
        Assert.Equal((0, 0), (result.Counts.Before, result.Counts.After));
        Assert.Empty(result.Changes);
    }

    [Fact]
    public void OneOfTwoImagesRetired_ItsFindingsLeaveWithTheirPackageCopies()
    {
        var before = new ComparisonSide()
            .AddImage([P("openssl", "1.1")], [F("CVE-1", "openssl", "1.1")])
            .AddImage([P("openssl", "1.1")], [F("CVE-1", "openssl", "1.1")]);
        var after = new ComparisonSide().AddImage([P("openssl", "1.1")], [F("CVE-1", "openssl", "1.1")]);
        var result = Attribution.Compare(before, after);
        Assert.Equal(ChangeKind.RemovedWithPackage, Assert.Single(result.Changes).Kind);
        Assert.True(result.Counts.AddsUp);
    }

    [Fact]
    public void EmptySides_FirstImageIntroducesEverything_LastImageGoneRemovesEverything()
    {
        var image = new ComparisonSide().AddImage([P("bash", "5.2")], [F("CVE-2", "bash", "5.2"), F("CVE-3", "bash", "5.2", suppressed: true)]);
        Assert.Equal(1, Attribution.Compare(new ComparisonSide(), image).Counts.IntroducedByPackage);
        Assert.Equal(1, Attribution.Compare(image, new ComparisonSide()).Counts.RemovedWithPackage);
    }

    /// <summary>Property: on random sides (one to three images, shared and changed packages, several versions of a package,
    /// suppressed findings) every open finding is paired or explained once, the parts add up to the total, and each kind's
    /// claim about packages is true.</summary>
    [Fact]
    public void RandomSides_PartsAlwaysAddUp_AndEachKindIsTrue()
    {
        var random = new Random(20260101);
        string[] names = ["openssl", "bash", "libc6", "zlib", "curl", "perl", "tar", "gzip"];
        string[] versions = ["1", "2", "3"];
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var sides = new ComparisonSide[2];
            var images = new List<(HashSet<PackageVersion> Packages, List<SideFinding> Findings)>[2];
            for (var s = 0; s < 2; s++)
            {
                sides[s] = new ComparisonSide();
                images[s] = [];
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    var packages = new HashSet<PackageVersion>();
                    foreach (var name in names)
                    {
                        if (random.NextDouble() < 0.35) continue;
                        packages.Add(P(name, versions[random.Next(versions.Length)]));
                        if (random.NextDouble() < 0.1) packages.Add(P(name, versions[random.Next(versions.Length)]));
                    }
                    var findings = new List<SideFinding>();
                    foreach (var p in packages)
                        for (var g = 1; g <= 5; g++)
                            if (random.NextDouble() < 0.3)
                                findings.Add(F($"CVE-R{g}", p.Package.Name, p.Version, (Severity)random.Next(5), suppressed: random.NextDouble() < 0.15));
                    // Sometimes the inventory is incomplete (no full package list): only findings name packages.
                    sides[s].AddImage(random.NextDouble() < 0.2 ? [] : packages, findings);
                    images[s].Add((packages, findings));
                }
            }

            var result = Attribution.Compare(sides[0], sides[1]);
            var c = result.Counts;
            Assert.True(c.AddsUp, $"iteration {iteration}: {c}");
            Assert.Equal(c.After - c.Before, result.Changes.Sum(x => x.Kind.Effect()));
            Assert.Equal(result.Changes.Count, result.Changes.Select(x => x.Finding.FindingId).Distinct().Count());
            foreach (var change in result.Changes)
            {
                var f = change.Finding;
                switch (change.Kind)
                {
                    case ChangeKind.RemovedWithPackage:
                        Assert.True(sides[1].Copies(f.Package) < sides[0].Copies(f.Package), $"iteration {iteration}: removed but the package kept its copies");
                        Assert.True(sides[1].Copies(f.Package, f.Version) < sides[0].Copies(f.Package, f.Version));
                        break;
                    case ChangeKind.FixedByUpgrade:
                        Assert.True(sides[1].Copies(f.Package, f.Version) < sides[0].Copies(f.Package, f.Version), $"iteration {iteration}: upgraded but the version stayed");
                        Assert.NotEmpty(sides[1].Versions(f.Package));
                        break;
                    case ChangeKind.Withdrawn:
                        Assert.True(sides[1].Copies(f.Package, f.Version) > 0 && f.IsOpen);
                        break;
                    case ChangeKind.NewlyDisclosed:
                        Assert.True(sides[0].Copies(f.Package, f.Version) > 0 && f.IsOpen);
                        break;
                    case ChangeKind.IntroducedByPackage:
                        Assert.True(sides[1].Copies(f.Package, f.Version) > sides[0].Copies(f.Package, f.Version), $"iteration {iteration}: introduced but no new copy");
                        break;
                    case ChangeKind.SuppressedByDecision:
                        Assert.False(f.IsOpen);
                        break;
                    case ChangeKind.DecisionLifted:
                        Assert.True(f.IsOpen);
                        break;
                }
            }
            // Single images holding one version of a package (the compare page's usual case): removed means gone.
            if (images[0].Count == 1 && images[1].Count == 1)
                Assert.All(result.Changes.Where(x => x.Kind == ChangeKind.RemovedWithPackage && sides[0].Versions(x.Finding.Package).Count == 1),
                    x => Assert.Equal(0, sides[1].Copies(x.Finding.Package)));
        }
    }

    private static AttributedChange Single(AttributionResult r, ChangeKind kind) => Assert.Single(r.Changes, c => c.Kind == kind);
}
