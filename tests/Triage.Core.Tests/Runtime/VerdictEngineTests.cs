using Triage.Core.Runtime.Code;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Packages;
using Triage.Core.Runtime.Verdicts;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class VerdictEngineTests
{
    private static readonly PackageFiles Libssl = PackageFiles.For(new PackageRef("deb", "debian", "libssl3", "3.0.11"),
        ["/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "/usr/share/doc/libssl3/copyright"], []);
    private static readonly PackageFiles Libxml = PackageFiles.For(new PackageRef("deb", "debian", "libxml2", "2.9.14"),
        ["/usr/lib/x86_64-linux-gnu/libxml2.so.2", "/usr/lib/x86_64-linux-gnu/libxml2.so.2.9.14"], []);

    private static FileAccessProfile Profile(ProfileCompleteness completeness, params string[] paths)
    {
        var p = new FileAccessProfile("file-access:test", completeness, null);
        foreach (var path in paths) p.Add(path, FileOps.Read, reads: 1);
        return p;
    }

    private static ImageFileInventory Inventory(params string[] paths)
    {
        var i = new ImageFileInventory("slim-creport", null);
        foreach (var path in paths) i.Files.Add(path);
        return i;
    }

    [Fact]
    public void Evaluate_PartialProfileWithoutUse_NeverPresentNotLoaded()
    {
        var evidence = new RuntimeEvidence().Add(Profile(ProfileCompleteness.Partial, "/usr/bin/app"));
        var r = VerdictEngine.Evaluate(new VerdictInput(Libxml, ["CVE-2024-1"]), evidence);
        Assert.Equal(ReachabilityVerdict.Unknown, r.Verdict);
        Assert.Null(r.ProposedJustification);
        Assert.Contains(r.Notes, n => n.Contains("partial profile"));
    }

    [Fact]
    public async Task Evaluate_PartialProfileFromJsonLinesFile_ProvesUseOnly()
    {
        var evidence = new RuntimeEvidence();
        await using (var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", "file-access_partial.jsonl")))
            foreach (var p in await FileAccessJsonLinesParser.ParseAsync(s)) evidence.Add(p);
        Assert.Equal(ReachabilityVerdict.Loaded, VerdictEngine.Evaluate(new VerdictInput(Libssl, []), evidence).Verdict);
        Assert.Equal(ReachabilityVerdict.Unknown, VerdictEngine.Evaluate(new VerdictInput(Libxml, []), evidence).Verdict);
    }

    [Fact]
    public void Evaluate_CompleteProfileWithoutUse_PresentNotLoadedWithJustification()
    {
        var evidence = new RuntimeEvidence().Add(Profile(ProfileCompleteness.Complete, "/usr/bin/app", "/usr/lib/x86_64-linux-gnu/libssl.so.3"));
        var r = VerdictEngine.Evaluate(new VerdictInput(Libxml, []), evidence);
        Assert.Equal(ReachabilityVerdict.PresentNotLoaded, r.Verdict);
        Assert.Equal(ProposedJustification.VulnerableCodeNotInExecutePath, r.ProposedJustification);
        Assert.Equal(VerdictConfidence.Medium, r.Confidence);
        Assert.Equal("vulnerable_code_not_in_execute_path", r.ProposedJustification!.Value.ToWire());
    }

    [Fact]
    public void Evaluate_UseBeatsNonUse_AcrossSources()
    {
        var evidence = new RuntimeEvidence()
            .Add(Profile(ProfileCompleteness.Complete, "/usr/bin/app"))
            .Add(Profile(ProfileCompleteness.Partial, "/usr/lib/x86_64-linux-gnu/libxml2.so.2.9.14"));
        var r = VerdictEngine.Evaluate(new VerdictInput(Libxml, []), evidence);
        Assert.Equal(ReachabilityVerdict.Loaded, r.Verdict);
        Assert.Null(r.ProposedJustification);
    }

    [Fact]
    public void Evaluate_DataFilesOnly_AreNoEvidenceOfLoading()
    {
        var evidence = new RuntimeEvidence().Add(Profile(ProfileCompleteness.Partial, "/usr/share/doc/libssl3/copyright"));
        Assert.Equal(ReachabilityVerdict.Unknown, VerdictEngine.Evaluate(new VerdictInput(Libssl, []), evidence).Verdict);
    }

    [Fact]
    public void Evaluate_GuessedPythonPaths_NeverConcludeAbsenceOrNonUse()
    {
        var yaml = PackageFiles.For(new PackageRef("pypi", null, "PyYAML", "6.0.1"), [], []);
        Assert.Equal(FileListOrigin.WellKnownPath, yaml.Origin);
        var evidence = new RuntimeEvidence().Add(Inventory("/usr/bin/python3")).Add(Profile(ProfileCompleteness.Complete, "/usr/bin/python3"));
        Assert.Equal(ReachabilityVerdict.Unknown, VerdictEngine.Evaluate(new VerdictInput(yaml, []), evidence).Verdict);

        var used = new RuntimeEvidence().Add(Profile(ProfileCompleteness.Partial, "/usr/local/lib/python3.12/site-packages/pyyaml/__init__.py"));
        var r = VerdictEngine.Evaluate(new VerdictInput(yaml, []), used);
        Assert.Equal((ReachabilityVerdict.Loaded, VerdictConfidence.Medium), (r.Verdict, r.Confidence));
    }

    [Fact]
    public void Evaluate_NodeModulesConvention_ProvesAbsenceInCompleteInventory()
    {
        var lodash = PackageFiles.For(new PackageRef("npm", null, "lodash", "4.17.21"), [], ["/app/package-lock.json"]);
        var evidence = new RuntimeEvidence().Add(Inventory("/app/node_modules/express/index.js", "/app/server.js"));
        var r = VerdictEngine.Evaluate(new VerdictInput(lodash, []), evidence);
        Assert.Equal((ReachabilityVerdict.NotPresent, ProposedJustification.ComponentNotPresent), (r.Verdict, r.ProposedJustification!.Value));
        Assert.Equal(VerdictConfidence.Medium, r.Confidence);

        var scoped = PackageFiles.For(new PackageRef("npm", "@babel", "core", "7.0.0"), [], []);
        var present = new RuntimeEvidence().Add(Profile(ProfileCompleteness.Partial, "/app/node_modules/@babel/core/lib/index.js"));
        Assert.Equal(ReachabilityVerdict.Loaded, VerdictEngine.Evaluate(new VerdictInput(scoped, []), present).Verdict);
    }

    [Fact]
    public void Evaluate_NoEvidence_UnknownWithReason()
    {
        var r = VerdictEngine.Evaluate(new VerdictInput(Libssl, ["CVE-1"]), new RuntimeEvidence());
        Assert.Equal(ReachabilityVerdict.Unknown, r.Verdict);
        Assert.NotEmpty(r.Notes);
    }

    private static GovulncheckReport Go(string level, params (string Osv, string Module, GoReachLevel Level)[] findings)
    {
        var r = new GovulncheckReport { Format = GovulncheckFormat.Stream, ScanLevel = level };
        foreach (var (osv, module, l) in findings)
        {
            r.Osv[osv] = new GoOsvEntry(osv, ["CVE-" + osv[3..]], null);
            r.Findings.Add(new GoVulnFinding(osv, module, "v1.2.3", l >= GoReachLevel.Imported ? module + "/pkg" : null, l == GoReachLevel.Called ? "Parse" : null, l, null, []));
        }
        return r;
    }

    [Theory]
    [InlineData(GoReachLevel.Called, "symbol", ReachabilityVerdict.Reachable, null)]
    [InlineData(GoReachLevel.Imported, "symbol", ReachabilityVerdict.PresentNotLoaded, ProposedJustification.VulnerableCodeNotInExecutePath)]
    [InlineData(GoReachLevel.Required, "symbol", ReachabilityVerdict.NotPresent, ProposedJustification.VulnerableCodeNotPresent)]
    [InlineData(GoReachLevel.Imported, "package", ReachabilityVerdict.Unknown, null)]
    [InlineData(GoReachLevel.Required, "module", ReachabilityVerdict.Unknown, null)]
    public void Evaluate_Govulncheck_LevelsMapToVerdicts(GoReachLevel level, string scanLevel, ReachabilityVerdict expected, ProposedJustification? justification)
    {
        var module = PackageFiles.For(new PackageRef("golang", "example.com", "lib", "v1.2.3"), [], ["/usr/local/bin/api"]);
        var evidence = new RuntimeEvidence().Add(Go(scanLevel, ("GO-2025-0001", "example.com/lib", level)));
        // Matched through the CVE alias of the OSV entry.
        var r = VerdictEngine.Evaluate(new VerdictInput(module, ["CVE-2025-0001"]), evidence);
        Assert.Equal(expected, r.Verdict);
        Assert.Equal(justification, r.ProposedJustification);
    }

    [Fact]
    public void Evaluate_GovulncheckDecidesOverBinaryExecution()
    {
        var module = PackageFiles.For(new PackageRef("gobinary", null, "example.com/lib", "v1.2.3"), [], ["/usr/local/bin/api"]);
        var evidence = new RuntimeEvidence()
            .Add(Go("symbol", ("GO-2025-0001", "example.com/lib", GoReachLevel.Imported)))
            .Add(Profile(ProfileCompleteness.Complete, "/usr/local/bin/api"));
        var r = VerdictEngine.Evaluate(new VerdictInput(module, ["GO-2025-0001"]), evidence);
        Assert.Equal(ReachabilityVerdict.PresentNotLoaded, r.Verdict);
        Assert.Contains(r.Sources, s => s.Supports == ReachabilityVerdict.Loaded); // kept for reference
        Assert.Contains(r.Notes, n => n.Contains("decides"));
    }

    [Fact]
    public void Evaluate_GovulncheckOtherVersion_NotApplied()
    {
        var module = PackageFiles.For(new PackageRef("golang", null, "example.com/lib", "v9.0.0"), [], []);
        var evidence = new RuntimeEvidence().Add(Go("symbol", ("GO-2025-0001", "example.com/lib", GoReachLevel.Called)));
        var r = VerdictEngine.Evaluate(new VerdictInput(module, ["GO-2025-0001"]), evidence);
        Assert.Equal(ReachabilityVerdict.Unknown, r.Verdict);
        Assert.Contains(r.Notes, n => n.Contains("v1.2.3"));
    }

    [FixtureFact]
    public async Task Evaluate_RealGovulncheckStream_JwtCalledAndPgxRequiredOnly()
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_v114_stream.json"));
        var evidence = new RuntimeEvidence().Add(await GovulncheckParser.ParseAsync(s));
        var jwt = PackageFiles.For(new PackageRef("golang", null, "github.com/golang-jwt/jwt", "v3.2.2+incompatible"), [], []);
        Assert.Equal(ReachabilityVerdict.Reachable, VerdictEngine.Evaluate(new VerdictInput(jwt, ["CVE-2025-30204"]), evidence).Verdict);
        var pgx = PackageFiles.For(new PackageRef("golang", null, "github.com/jackc/pgx/v5", "v5.5.5"), [], []);
        var r = VerdictEngine.Evaluate(new VerdictInput(pgx, ["GO-2026-4771"]), evidence);
        Assert.Equal(ReachabilityVerdict.PresentNotLoaded, r.Verdict); // GO-2026-4771: imported, not called
        // A deb package with the same CVE is not a Go module: govulncheck says nothing about it.
        Assert.Equal(ReachabilityVerdict.Unknown, VerdictEngine.Evaluate(new VerdictInput(Libssl, ["CVE-2025-30204"]), evidence).Verdict);
    }
}

public class VerdictEngineRunningPackagesTests
{
    [Fact]
    public async Task Evaluate_PackageMissingFromRunningImageList_NotPresent()
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json"));
        var running = await PackageFileListParser.ParseAsync(s);
        var evidence = new RuntimeEvidence().Add(running);

        var curl = new Triage.Core.Ingest.ParsedPackage { Type = "deb", Name = "curl", Version = "7.52.1-5+deb9u6" };
        var r = VerdictEngine.Evaluate(VerdictInput.From(curl, ["CVE-2019-5482"]), evidence);
        Assert.Equal((ReachabilityVerdict.NotPresent, ProposedJustification.ComponentNotPresent), (r.Verdict, r.ProposedJustification!.Value));
        Assert.Equal("running-image-packages:trivy", r.Sources.Single().Source);

        var zlib = new Triage.Core.Ingest.ParsedPackage { Type = "deb", Name = "zlib1g", Version = "1:1.2.8.dfsg-5" };
        var input = VerdictInput.From(zlib, ["CVE-2018-25032"], running);
        Assert.Equal(FileListOrigin.Listed, input.Package.Origin); // file list taken from the SBOM of the image
        Assert.Equal(ReachabilityVerdict.Unknown, VerdictEngine.Evaluate(input, evidence).Verdict);
    }
}

/// <summary>The package lists of the images that run in place of the scanned one: absence only when every one lacks the component.</summary>
public class VerdictEngineRunningImagesTests
{
    private static async Task<PackageFileIndex> RunningList(string image)
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json"));
        var index = await PackageFileListParser.ParseAsync(s);
        index.Image = image;
        return index;
    }

    private static VerdictResult Judge(Triage.Core.Ingest.ParsedPackage package, params PackageFileIndex[] running)
    {
        var evidence = new RuntimeEvidence();
        foreach (var r in running) evidence.Add(r);
        return VerdictEngine.Evaluate(VerdictInput.From(package, ["CVE-2099-0001"]), evidence);
    }

    [Fact]
    public async Task Evaluate_ComponentInNoRunningList_NotPresentNamingTheRunningImage()
    {
        var running = await RunningList("registry.example/nginx:1.13@sha256:bbbb");
        var r = Judge(new() { Type = "deb", Name = "curl", Version = "7.52.1-5+deb9u6" }, running);
        Assert.Equal((ReachabilityVerdict.NotPresent, VerdictConfidence.High, ProposedJustification.ComponentNotPresent),
            (r.Verdict, r.Confidence, r.ProposedJustification!.Value));
        Assert.Equal("the running image registry.example/nginx:1.13@sha256:bbbb's package list has no curl (of any version)", r.Sources.Single().Detail);
    }

    [Fact]
    public async Task Evaluate_ComponentAtAnotherVersionInTheRunningList_NoClaim()
    {
        // The running image upgraded openssl: the component is there, and that image's own findings speak for it.
        var r = Judge(new() { Type = "deb", Name = "openssl", Version = "1.1.0e-1" }, await RunningList("new"));
        Assert.Equal(ReachabilityVerdict.Unknown, r.Verdict);
        Assert.Null(r.ProposedJustification);
        Assert.Contains(r.Notes, n => n == "the running image new has openssl 1.1.0f, not 1.1.0e-1: its own findings speak for it");
    }

    [Fact]
    public async Task Evaluate_RunningListWithoutPackagesOfTheType_CannotShowAbsence()
    {
        var r = Judge(new() { Type = "npm", Name = "lodash", Version = "4.17.20" }, await RunningList("new"));
        Assert.Equal(ReachabilityVerdict.Unknown, r.Verdict);
        Assert.Contains(r.Notes, n => n.Contains("holds no npm packages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_OneOfTwoRunningImagesListsThePackage_NoClaim()
    {
        // Two digests run under the tag (a rollout, or two clusters): the package is absent from what runs only if absent from both.
        var first = await RunningList("first");
        var second = await RunningList("second");
        var libgeoip = new Triage.Core.Ingest.ParsedPackage { Type = "deb", Name = "libgeoip1", Version = "1.6.9-4" };
        Assert.Equal(ReachabilityVerdict.Unknown, Judge(libgeoip, first, second).Verdict);
        Assert.Contains("the running image first lists", Judge(libgeoip, first, second).Notes.Single());

        var gone = new Triage.Core.Ingest.ParsedPackage { Type = "deb", Name = "libcurl3", Version = "7.52.1-5+deb9u6" };
        var both = Judge(gone, first, second);
        Assert.Equal(ReachabilityVerdict.NotPresent, both.Verdict);
        Assert.Equal(2, both.Sources.Count);
    }
}
