using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Ingest.Trivy;

namespace Triage.Core.Tests.Ingest;

public sealed class TrivyReportParserTests
{
    [Fact]
    public async Task Parse_LegacyArray_ReadsOsAndLockfileResultsIntoOneTarget()
    {
        var report = await LocalFixtures.ParseAsync("trivy-legacy-array.json");

        var t = Assert.Single(report.Targets);
        Assert.Equal(ScannerKind.Trivy, report.Scanner);
        Assert.Equal(3, t.Observations.Count);
        Assert.Equal(("alpine", "3.7.1", "myapp:1.0", "container_image"), (t.OsFamily, t.OsName, t.Name, t.Kind));
        var lodash = t.PackageOf(t.Observation("CVE-2019-10744"));
        Assert.Equal("npm", lodash.Type);
        Assert.Contains("node-app/package-lock.json", lodash.Paths);
        Assert.Equal("apk", t.PackageOf(t.Observation("CVE-2019-14697")).Type);
        Assert.Equal(FixState.Fixed, t.Observation("CVE-2019-14697").FixState);
    }

    [Fact]
    public async Task Parse_ImageReport_FillsTargetFromArtifactAndMetadata()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");

        var t = Assert.Single(report.Targets);
        Assert.Equal("registry.example/team/app:1.4", t.Name);
        Assert.Equal("container_image", t.Kind);
        Assert.Equal("sha256:" + new string('a', 64), t.ImageId);
        Assert.Equal(["registry.example/team/app@sha256:" + new string('b', 64)], t.RepoDigests);
        Assert.Equal(["registry.example/team/app:1.4"], t.Tags);
        Assert.Equal(("debian", "12.8"), (t.OsFamily, t.OsName));
        Assert.Equal(123456789, t.SizeBytes);
        Assert.Equal("0.69.3", report.ScannerVersion);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 10, 0, 0, TimeSpan.Zero), report.CreatedAt!.Value.AddTicks(-report.CreatedAt.Value.Ticks % TimeSpan.TicksPerSecond));
    }

    [Fact]
    public async Task Parse_AllEightStatuses_MapToFixStatesAndKeepTheRawWord()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");
        var t = report.Targets[0];

        (string Status, FixState State)[] expected =
        [
            ("unknown", FixState.Unknown), ("not_affected", FixState.Unknown), ("affected", FixState.NotFixed), ("fixed", FixState.Fixed),
            ("under_investigation", FixState.Unknown), ("will_not_fix", FixState.WontFix), ("fix_deferred", FixState.Deferred), ("end_of_life", FixState.EndOfLife),
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            var o = t.Observation($"CVE-2024-{1000 + i}");
            Assert.Equal(expected[i].Status, o.Status);
            Assert.Equal(expected[i].State, o.FixState);
        }
    }

    [Fact]
    public async Task Parse_ListAllPkgs_AttachesSourcePackageAndInstalledFilesToVulnerablePackages()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");
        var t = report.Targets[0];

        var libc = t.PackageOf(t.Observation("CVE-2024-1000"));
        Assert.Equal("libc6", libc.Name);
        Assert.Equal("2.36-9+deb12u4", libc.Version);
        Assert.Equal("deb", libc.Type);
        Assert.Equal("debian", libc.Namespace);
        Assert.Equal("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.8", libc.Purl);
        Assert.Equal(("glibc", "2.36-9+deb12u4"), (libc.SourceName, libc.SourceVersion));
        Assert.Equal(["/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/ldd"], libc.InstalledFiles);
        Assert.Equal("sha256:" + new string('2', 64), libc.Layer);
        Assert.Equal("amd64", libc.Qualifiers["arch"]);
        var ssl = t.PackageOf(t.Observation("CVE-2024-1001"));
        Assert.Equal("openssl", ssl.SourceName);
        // A package without vulnerabilities is not kept.
        Assert.DoesNotContain(t.Packages.Values, p => p.Name == "zlib1g");
    }

    [Fact]
    public async Task Parse_FullRecord_KeepsCvssPerSourceSeveritiesCwesReferencesDatesAndFingerprint()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");
        var t = report.Targets[0];

        var o = t.Observation("CVE-2024-1003");
        Assert.Equal(Severity.Critical, o.Severity);
        Assert.Equal("debian", o.SeveritySource);
        Assert.Equal("sha256:" + new string('f', 64), o.Fingerprint);
        Assert.Equal(["2.36-9+deb12u9"], o.FixedVersions);
        Assert.Equal(["DSA-5678-1"], o.Upstream);
        Assert.Equal(["GHSA-aaaa-bbbb-cccc"], o.Aliases);
        var v = report.Vulnerabilities["CVE-2024-1003"];
        Assert.Equal("glibc: buffer overflow\0 with NUL", v.Title);
        Assert.Equal("A\u0001control character and a NUL \0 in the text.", v.Description);
        Assert.Equal(["CWE-787", "CWE-120"], v.Cwes);
        Assert.Equal(
            [new CvssScore("nvd", "2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5), new CvssScore("nvd", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
             new CvssScore("ghsa", "4.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3)],
            v.Cvss);
        Assert.Equal(Severity.High, v.SeverityBySource["debian"]);
        Assert.Equal(Severity.Critical, v.SeverityBySource["nvd"]);
        Assert.Equal(2, v.References.Count);
        Assert.Equal("debian", v.DataSource);
        Assert.Equal("https://avd.aquasec.com/nvd/cve-2024-1003", v.PrimaryUrl);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), v.PublishedAt);
        Assert.NotNull(v.ModifiedAt);
    }

    [Fact]
    public async Task Parse_SameLanguagePackageAtTwoPaths_IsOneObservationWithBothPathsAndAllFixedVersions()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");
        var t = report.Targets[0];

        var o = t.Observation("CVE-2021-44228");
        var pkg = t.PackageOf(o);
        Assert.Equal("maven", pkg.Type);
        Assert.Equal("org.apache.logging.log4j", pkg.Namespace);
        Assert.Equal(["opt/app/lib/log4j-core-2.14.1.jar", "opt/other/log4j-core.jar"], pkg.Paths);
        Assert.Equal(["2.15.0", "2.12.2"], o.FixedVersions);
    }

    [Fact]
    public async Task Parse_NonVulnerabilitySections_AreCountedInSkippedAndRecordsWithoutIdWarned()
    {
        var report = await LocalFixtures.ParseAsync("trivy-image-list-all-pkgs.json");

        Assert.Equal(2, report.Skipped["misconfigurations"]);
        Assert.Equal(1, report.Skipped["secrets"]);
        Assert.Equal(3, report.Skipped["licenses"]);
        Assert.Equal(1, report.Skipped["suppressed findings"]);
        Assert.Contains(report.Warnings, w => w.StartsWith("skipped 1 vulnerability record(s) without VulnerabilityID or PkgName", StringComparison.Ordinal));
        Assert.Equal(9, report.ObservationCount);
    }

    [Fact]
    public async Task Parse_ClusterReportWithResources_MakesOneTargetPerDistinctImageWithItsWorkloads()
    {
        var report = await LocalFixtures.ParseAsync("trivy-k8s-resources.json");

        Assert.Equal(2, report.Targets.Count);
        var nginx = report.Targets.Single(t => t.Name == "nginx:1.25-alpine");
        Assert.Equal("container_image", nginx.Kind);
        Assert.Equal(("shop", "Deployment/web"), (nginx.Namespace, nginx.Workload));
        Assert.Equal(["shop/Deployment/web", "shop/Deployment/web-canary"], nginx.Deployments);
        Assert.Equal("sha256:" + new string('c', 64), nginx.ImageId);
        Assert.Single(nginx.Observations);
        var report2 = report.Targets.Single(t => t.Name == "registry.example/report:2");
        Assert.Equal(2, report2.Observations.Count);
        Assert.Equal("golang", report2.PackageOf(report2.Observation("CVE-2023-45288")).Type);
        Assert.Equal(1, report.Skipped["misconfigurations"]);
        Assert.Contains(report.Warnings, w => w.Contains("kube-system/DaemonSet/agent", StringComparison.Ordinal) && w.Contains("unable to pull", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parse_OlderClusterReport_TakesImagesFromOsResultTargets()
    {
        var report = await LocalFixtures.ParseAsync("trivy-k8s-legacy.json");

        Assert.Equal(["docker.io/redis:6.0.5", "busybox:1.36"], report.Targets.Select(t => t.Name));
        var redis = report.Targets[0];
        Assert.Equal(["default/Deployment/redis", "default/Pod/two-containers"], redis.Deployments);
        Assert.Equal(("debian", "10.4"), (redis.OsFamily, redis.OsName));
        Assert.Equal(["DSA-4808-1"], redis.Observation("CVE-2020-27350").Upstream);
        Assert.Equal(2, report.Skipped["misconfigurations"]);
    }

    [Theory]
    [InlineData("alpine:3.19 (alpine 3.19.9)", true, "alpine:3.19", "alpine", "3.19.9")]
    [InlineData("registry.example/app:1.4 (debian 12.8)", true, "registry.example/app:1.4", "debian", "12.8")]
    [InlineData("amazon-2.tar.gz (amazon 2 (Karoo))", true, "amazon-2.tar.gz", "amazon", "2 (Karoo)")]
    [InlineData("package-lock.json", false, "package-lock.json", null, null)]
    public void TryParseOsTarget_SplitsImageAndOs(string target, bool ok, string image, string? family, string? version)
    {
        Assert.Equal(ok, TrivyReportParser.TryParseOsTarget(target, out var i, out var f, out var v));
        Assert.Equal(image, i);
        if (ok) Assert.Equal((family, version), (f, v));
    }
}
