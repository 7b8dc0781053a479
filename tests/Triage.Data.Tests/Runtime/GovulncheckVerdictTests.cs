using Triage.Core.Domain;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// govulncheck output against Go findings through the database. The shared govulncheck outputs come from projects
/// whose scans are not in the fixtures (the go-gin-source scan has other module versions), so the Go findings are
/// built in code at the versions govulncheck saw; the gin scan shows a version mismatch is never applied.
/// </summary>
public class GovulncheckVerdictTests
{
    private const string App = "docker.io/library/app:1";
    private const string AppDigest = "sha256:ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    private static ReportBuilder GoApp() => new ReportBuilder(ScannerKind.Trivy)
        .Claim("CVE-2025-30204", "golang", "github.com/golang-jwt/jwt", "v3.2.2+incompatible", Severity.High, fixedIn: ["v4.5.2"])
        .Claim("CVE-2026-33815", "golang", "github.com/jackc/pgx/v5", "v5.5.5", Severity.Medium)
        .Claim("CVE-2025-22870", "golang", "golang.org/x/net", "v0.25.0", Severity.Medium)
        .Claim("CVE-2024-45337", "golang", "golang.org/x/crypto", "v0.25.0", Severity.Critical)
        .Claim("CVE-2025-47907", "golang", "stdlib", "v1.24.4", Severity.High)
        // Reported by its GHSA id only; govulncheck's OSV entry names it as an alias.
        .Claim("GHSA-v778-237x-gjrc", "golang", "golang.org/x/crypto", "v0.23.0", Severity.Critical);

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task V1Stream_SymbolLevel_GivesReachableNotLoadedAndNotPresent(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(GoApp());
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_v114_stream.json"),
            new RuntimeIngestOptions { Image = App });
        var part = Assert.Single(ingest.Images);
        Assert.Equal((RuntimeEvidencePart.CodeReachability, "govulncheck"), (part.Part, part.Source));
        Assert.Contains("symbol-level source scan (govulncheck v1.1.4)", part.Detail);
        Assert.Equal(["docker.io/library/app:1"], part.MatchedImages);

        var f = (await w.FindingsAsync()).ToDictionary(x => $"{x.Package.Name}@{x.Package.Version} {x.Vulnerability.Id}");
        var jwt = f["github.com/golang-jwt/jwt@3.2.2+incompatible CVE-2025-30204"].Risk!;
        Assert.Equal((ReachabilityVerdict.Reachable, VerdictConfidence.High), (jwt.Reachability.Verdict, jwt.Reachability.Confidence));
        Assert.Contains("vulnerable function called", jwt.Reachability.Sources.Single().Detail);
        Assert.Contains(jwt.Why, x => x.Factor == "reachability" && x.Contribution > 0);

        var pgx = f["github.com/jackc/pgx/v5@5.5.5 CVE-2026-33815"].Risk!.Reachability;
        Assert.Equal((ReachabilityVerdict.PresentNotLoaded, ProposedJustification.VulnerableCodeNotInExecutePath), (pgx.Verdict, pgx.ProposedJustification));

        // GO-2025-3503 names golang.org/x/net but no package of it is imported.
        var net = f["golang.org/x/net@0.25.0 CVE-2025-22870"].Risk!.Reachability;
        Assert.Equal((ReachabilityVerdict.NotPresent, ProposedJustification.VulnerableCodeNotPresent), (net.Verdict, net.ProposedJustification));

        // Another version of x/crypto than govulncheck saw: not applied, said why.
        var crypto = f["golang.org/x/crypto@0.25.0 CVE-2024-45337"].Risk!.Reachability;
        Assert.Equal(ReachabilityVerdict.Unknown, crypto.Verdict);
        Assert.Contains(crypto.Notes, n => n.Contains("v0.23.0") && n.Contains("not applied"));

        // A GHSA-only finding is matched through the OSV entry's aliases (GO-2024-3321: CVE-2024-45337, GHSA-v778-237x-gjrc):
        // x/crypto v0.23.0 is required, no vulnerable package of it is imported.
        var ghsa = f["golang.org/x/crypto@0.23.0 GHSA-v778-237x-gjrc"].Risk!.Reachability;
        Assert.Equal((ReachabilityVerdict.NotPresent, ProposedJustification.VulnerableCodeNotPresent), (ghsa.Verdict, ghsa.ProposedJustification));
        Assert.Contains("GO-2024-3321", ghsa.Sources.Single().Detail);

        // stdlib GO-2025-3849 (database/sql.Scan) is called.
        Assert.Equal(ReachabilityVerdict.Reachable, f["stdlib@1.24.4 CVE-2025-47907"].Risk!.Reachability.Verdict);

        // Reachable ranks above the same severity judged not loaded.
        Assert.True(jwt.Score > f["github.com/jackc/pgx/v5@5.5.5 CVE-2026-33815"].Risk!.Score);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ArrayForm_StdlibCalled_IsReachable(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype).Claim("CVE-2023-29403", "golang", "stdlib", "go1.20.1", Severity.High));
        await w.IngestAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_v100_array.json"), new RuntimeIngestOptions { Image = App });
        var f = Assert.Single(await w.FindingsAsync());
        Assert.Equal(ReachabilityVerdict.Reachable, f.Risk!.Reachability.Verdict);
        Assert.Contains("runtime.BlockProfile", f.Risk.Reachability.Sources.Single().Detail);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AgainstGinSourceScan_OtherModuleVersions_StayUnknown(string provider)
    {
        var w = new RuntimeWorld(provider);
        var scan = await w.ImportFileAsync(TestPaths.Fixture("matched", "go-gin-source", "trivy.json"));
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_v114_stream.json"),
            new RuntimeIngestOptions { Image = scan.Artifacts[0].Repository });
        Assert.Equal([scan.Image!], ingest.Images.Single().MatchedImages);
        var findings = await w.FindingsAsync();
        Assert.Equal(3, findings.Count);
        Assert.All(findings, x => Assert.Equal(ReachabilityVerdict.Unknown, x.Risk!.Reachability.Verdict));
        Assert.Contains(findings, x => x.Risk!.Reachability.Notes.Any(n => n.Contains("golang.org/x/net at v0.25.0") && n.Contains("0.27.0")));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task LegacyAndEmptyOutputs_AreReadOrRefusedWithReasons(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(GoApp());
        var legacy = await w.IngestAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_legacy_many_vulns.json"), new RuntimeIngestOptions { Image = App });
        Assert.Equal("govulncheck", legacy.Kind);
        Assert.True(legacy.Images.Single().Items > 0);
        var empty = await Assert.ThrowsAsync<Triage.Core.Ingest.ReportFormatException>(() =>
            w.IngestAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_empty.json"), new RuntimeIngestOptions { Image = App }));
        Assert.Equal(Triage.Core.Ingest.ReportErrorCode.Empty, empty.Code);
    }
}
