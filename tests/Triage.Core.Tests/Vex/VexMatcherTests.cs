using Triage.Core.Identity;
using Triage.Core.Vex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

public class VexMatcherTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private const string NginxDigest = "sha256:13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0";

    private static VexDocument Read(string file)
    {
        using var s = File.OpenRead(TestPaths.Fixture("vex", file));
        return VexDocumentReader.Read(s);
    }

    private static VexInventoryImage Image(string repo, string digest, params (string Vuln, string Purl)[] findings) =>
        new(repo, digest, [], findings.Select(f => new VexInventoryFinding(Purl.Parse(f.Purl), [f.Vuln])).ToArray());

    [FixtureFact]
    public void Match_OciProductWithDigest_GivesDigestScopedDecisions_AndTheTimeSeriesResolves()
    {
        var doc = Read("openvex/vexctl_sample-history.openvex.json");
        var img = Image("nginx", NginxDigest, ("CVE-2023-27103", "pkg:deb/debian/libde265@1.0.11-1?arch=amd64"));

        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);

        Assert.Equal(2, r.Matches.Count);
        Assert.All(r.Matches, m => Assert.Equal(VexMatchKind.ImageDigest, m.Kind));
        Assert.Equal(2, r.Decisions.Count);
        Assert.All(r.Decisions, d => Assert.Equal(new VexScope.Digest("docker.io/library/nginx", NginxDigest), d.Scope));
        var finding = new VexFinding("nginx", NginxDigest, Purl.Parse("pkg:deb/debian/libde265@1.0.11-1"), ["CVE-2023-27103", "SNYK-DEBIAN12-LIBDE265-3361563"]);
        var effective = VexResolver.Resolve(finding, r.Decisions, Now).Effective!;
        Assert.Equal(doc.Timestamp, effective.Timestamp); // the second statement inherits the later document time
        Assert.Equal(VexJustification.ComponentNotPresent, effective.Justification);
    }

    [FixtureFact]
    public void Match_OciProductWithoutDigest_GivesRepositoryDecisionsNarrowedToSubcomponents()
    {
        var doc = Read("openvex/trivy_oci.openvex.json");
        var img = Image("aquasec/trivy", "sha256:" + new string('a', 64),
            ("CVE-2023-42363", "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=3.20.0"),
            ("CVE-2023-42363", "pkg:apk/alpine/musl@1.2.5-r0"));

        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);

        var m = Assert.Single(r.Matches);
        Assert.Equal(VexMatchKind.ImageRepository, m.Kind);
        var d = Assert.Single(r.Decisions);
        Assert.Equal(new VexScope.Repository("docker.io/aquasec/trivy"), d.Scope);
        Assert.Equal("pkg:apk/alpine/busybox", d.Subcomponent!.Package.ToString());
        Assert.Equal("awk is not used", d.ImpactStatement);
        // The other two products (ECR, GHCR) name repositories Triage does not know.
        Assert.Contains(r.Unmatched, u => u.Reason == VexUnmatchedReason.NoImageInRepository && u.Message.Contains("ghcr.io/aquasecurity/trivy"));
        // Statements about libcrypto3 reach the image but not a package in it.
        Assert.Contains(r.Unmatched, u => u.Statement.Vulnerability.Id == "CVE-2024-4741" && u.Reason == VexUnmatchedReason.PackageNotInImage);
    }

    [FixtureFact]
    public void Match_PackageProducts_GiveGlobalDecisions_AndEveryMissIsExplained()
    {
        var doc = Read("openvex/defectdojo_openvex_many_vuln.json");
        var img = Image("alpine", "sha256:" + new string('b', 64),
            ("CVE-2024-10001", "pkg:apk/alpine/apk-tools@2.10.6-r0?arch=x86_64&distro=alpine-3.10.9"),
            ("CVE-2099-0001", "pkg:apk/alpine/openssl@1.1.1k-r0?arch=x86_64"));

        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);

        var d = Assert.Single(r.Decisions);
        Assert.Equal(VexScope.Global.Instance, d.Scope);
        Assert.Equal("pkg:apk/alpine/apk-tools@2.10.6-r0?arch=x86_64&distro=alpine-3.10.9", d.Subcomponent!.Package.ToString());
        Assert.Equal(5, r.Unmatched.Count);
        Assert.Contains(r.Unmatched, u => u.Statement.Vulnerability.Id == "CVE-2024-10002" && u.Reason == VexUnmatchedReason.PackageNotInAnyImage
                                          && u.Message.Contains("pkg:apk/alpine/busybox@1.30.1-r3"));
        Assert.Contains(r.Unmatched, u => u.Statement.Vulnerability.Id == "CVE-2024-10006" && u.Reason == VexUnmatchedReason.VulnerabilityUnknown);
        Assert.Equal(doc.Statements.Count, r.Matches.Select(x => x.Statement.Index).Concat(r.Unmatched.Select(x => x.Statement.Index)).Distinct().Count());
    }

    [FixtureFact]
    public void Match_ImageDigestMismatchAndNonPurlProducts_AreReported()
    {
        var doc = Read("openvex/vexctl_images.vex.json");
        var img = Image("alpine", "sha256:" + new string('c', 64), ("CVE-1234-5678", "pkg:apk/alpine/musl@1"));
        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);
        Assert.Empty(r.Decisions);
        Assert.Contains(r.Unmatched, u => u.Reason == VexUnmatchedReason.NoImageWithDigest && u.Message.Contains("sha256:f271e74b"));
        Assert.Contains(r.Unmatched, u => u.Reason == VexUnmatchedReason.ProductNotPurl && u.Product!.Id == "nginx");
        Assert.Equal("no_image_with_digest", r.Unmatched.First(u => u.Reason == VexUnmatchedReason.NoImageWithDigest).CodeName);
    }

    [Fact]
    public void Match_StatementBreakingTheRules_IsRejectedWithTheRule()
    {
        var doc = VexDocumentReader.Read(OpenVex(
            """{"vulnerability":{"name":"CVE-2022-27943"},"products":[{"@id":"pkg:deb/ubuntu/libstdc%2B%2B6"}],"status":"not_affected"}"""));
        var img = Image("ubuntu", "sha256:" + new string('d', 64),
            ("CVE-2022-27943", "pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=ubuntu-22.04"));
        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);
        var rejected = Assert.Single(r.Rejected);
        Assert.Equal(VexRuleCode.NotAffectedWithoutJustification, rejected.Violation.Code);
        Assert.Empty(r.Decisions);
    }

    [FixtureFact]
    public void Match_CsafRelationship_NeedsTheParentInTheImage_AndBindsTheComponent()
    {
        var doc = Read("csaf/trivy-testdata_csaf-relationships.json");
        var withParent = new VexInventoryImage("acme/app", "sha256:" + new string('e', 64), [],
            [new VexInventoryFinding(Purl.Parse("pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0"), ["CVE-2024-0001"])],
            [Purl.Parse("pkg:golang/github.com/aquasecurity/go-direct1@v2.0.0")]);
        var r = VexMatcher.Match(doc, [withParent], VexTrustPolicy.TrustAll, Now);
        var d = Assert.Single(r.Decisions);
        Assert.Equal("pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0", d.Subcomponent!.Package.ToString());
        Assert.Equal(VexJustification.VulnerableCodeCannotBeControlledByAdversary, d.Justification);
        Assert.Equal(new VexScope.Digest("acme/app", "sha256:" + new string('e', 64)), d.Scope);

        var withoutParent = withParent with { Packages = [] };
        var miss = Assert.Single(VexMatcher.Match(doc, [withoutParent], VexTrustPolicy.TrustAll, Now).Unmatched);
        Assert.Equal(VexUnmatchedReason.PackageNotInAnyImage, miss.Reason);
    }

    [FixtureFact]
    public void Match_TrustPolicy_IgnoredAuthorsAreReported_ShowOnlyAuthorsNeverWin()
    {
        var doc = Read("openvex/vexctl_sample-history.openvex.json");
        var img = Image("nginx", NginxDigest, ("CVE-2023-27103", "pkg:deb/debian/libde265@1.0.11-1"));
        var ignore = new VexTrustPolicy(VexTrust.Trusted, [new("The OpenVEX Project", VexTrust.Ignore)]);
        var ignored = VexMatcher.Match(doc, [img], ignore, Now);
        Assert.Empty(ignored.Decisions);
        Assert.All(ignored.Unmatched, u => Assert.Equal(VexUnmatchedReason.IgnoredByTrustPolicy, u.Reason));
        Assert.Equal(2, ignored.Unmatched.Count);

        var showOnly = new VexTrustPolicy(VexTrust.ShowOnly);
        var shown = VexMatcher.Match(doc, [img], showOnly, Now);
        Assert.All(shown.Matches, m => Assert.Equal(VexTrust.ShowOnly, m.Trust));
        var res = VexResolver.Resolve(new VexFinding("nginx", NginxDigest, Purl.Parse("pkg:deb/debian/libde265@1.0.11-1"), ["CVE-2023-27103"]), shown.Decisions, Now, showOnly);
        Assert.Null(res.Effective);
        Assert.Equal(2, res.Set.Count);
    }

    [FixtureFact]
    public void Match_RepositoryUrlHoldingOnlyTheRegistry_IsReadAsRegistryPlusName()
    {
        var doc = Read("openvex/vexctl_images.vex.json");
        var img = new VexInventoryImage("registry.k8s.io/kube-apiserver", "sha256:" + new string('a', 64), ["v1.26.0"],
            [new VexInventoryFinding(Purl.Parse("pkg:golang/k8s.io/apiserver@v0.26.0"), ["CVE-1234-5678"])]);
        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);
        var m = Assert.Single(r.Matches);
        Assert.Equal(3, m.Statement.Index);
        // The product names tag v1.26.0: the image carrying it, not the repository.
        Assert.Equal(VexMatchKind.ImageTag, m.Kind);
        Assert.Equal(new VexScope.Digest("registry.k8s.io/kube-apiserver", "sha256:" + new string('a', 64)), Assert.Single(r.Decisions).Scope);
    }

    [Fact]
    public void ImageMatches_RepositoryUrlSpellingsOfDockerHubAreOneRepository()
    {
        var img = Image("alpine", "sha256:" + new string('f', 64));
        Assert.True(VexMatcher.ImageMatches(Purl.Parse("pkg:oci/alpine?repository_url=index.docker.io%2Flibrary%2Falpine"), img));
        Assert.True(VexMatcher.ImageMatches(Purl.Parse("pkg:oci/alpine?repository_url=docker.io/library/alpine"), img));
        Assert.False(VexMatcher.ImageMatches(Purl.Parse("pkg:oci/alpine?repository_url=ghcr.io/library/alpine"), img));
        Assert.False(VexMatcher.ImageMatches(Purl.Parse("pkg:oci/alpine?tag=3.19"), img));
        Assert.True(VexMatcher.ImageMatches(Purl.Parse("pkg:oci/alpine?tag=3.19"), img with { Tags = ["alpine:3.19"] }));
    }

    // ---- Scope: a decision is never wider than what its statement names (docs/decisions/105-vex-import-scope.md) ----

    private const string AppRepo = "docker.io/library/app";
    private static readonly string D1 = "sha256:" + new string('1', 64);
    private static readonly string D2 = "sha256:" + new string('2', 64);
    private static readonly string D3 = "sha256:" + new string('3', 64);
    private static readonly string D4 = "sha256:" + new string('4', 64);
    private const string Busybox = "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.9";

    private static string OpenVex(params string[] statements) => $$"""
        {"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://vendor.example/vex/1","author":"vendor",
         "timestamp":"2026-01-10T10:00:00Z","version":1,"statements":[{{string.Join(",", statements)}}]}
        """;

    private static string NotAffected(string vuln, string product, string? subcomponent = null) =>
        $$"""{"vulnerability":{"name":"{{vuln}}"},"products":[{"@id":"{{product}}"{{(subcomponent is null ? "" : $$""","subcomponents":[{"@id":"{{subcomponent}}"}]""")}}}],"status":"not_affected","justification":"component_not_present"}""";

    private static VexInventoryImage Tagged(string digest, string[] tags, params (string Vuln, string Purl)[] findings) =>
        Image(AppRepo, digest, findings) with { Tags = tags };

    private static VexStatement? Effective(IReadOnlyList<VexStatement> decisions, VexInventoryImage img, string vuln, string purl) =>
        VexResolver.Resolve(new VexFinding(img.NormalizedRepository, img.NormalizedDigest, Purl.Parse(purl), [vuln]), decisions, Now).Effective;

    [Fact]
    public void Match_OciProductWithTag_GivesADigestDecisionPerImageCarryingTheTag_NeverTheRepository()
    {
        var doc = VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0001", "pkg:oci/app?repository_url=index.docker.io/library/app&tag=1.0")));
        var v1 = Tagged(D1, ["app:1.0"], ("CVE-2024-0001", Busybox));
        var v1Again = Tagged(D2, ["1.0", "latest"], ("CVE-2024-0001", Busybox)); // the tag moved to a rebuild before the import
        var v2 = Tagged(D3, ["2.0"], ("CVE-2024-0001", Busybox));

        var r = VexMatcher.Match(doc, [v1, v1Again, v2], VexTrustPolicy.TrustAll, Now);

        Assert.All(r.Matches, m => Assert.Equal(VexMatchKind.ImageTag, m.Kind));
        Assert.Equal([new VexScope.Digest(AppRepo, D1), new VexScope.Digest(AppRepo, D2)], r.Decisions.Select(d => d.Scope));
        Assert.NotNull(Effective(r.Decisions, v1, "CVE-2024-0001", Busybox));
        Assert.NotNull(Effective(r.Decisions, v1Again, "CVE-2024-0001", Busybox));
        Assert.Null(Effective(r.Decisions, v2, "CVE-2024-0001", Busybox));
        // A rebuild pushed under the same tag after the import is not covered: the statement was about the images it saw.
        Assert.Null(Effective(r.Decisions, Tagged(D4, ["1.0"], ("CVE-2024-0001", Busybox)), "CVE-2024-0001", Busybox));
    }

    [Fact]
    public void Match_OciProductWithTagNobodyCarries_IsUnmatchedNamingTheTag()
    {
        var doc = VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0001", "pkg:oci/app?repository_url=index.docker.io/library/app&tag=9.9")));
        var r = VexMatcher.Match(doc, [Tagged(D1, ["1.0"], ("CVE-2024-0001", Busybox))], VexTrustPolicy.TrustAll, Now);
        Assert.Empty(r.Decisions);
        var u = Assert.Single(r.Unmatched);
        Assert.Equal(VexUnmatchedReason.NoImageInRepository, u.Reason);
        Assert.Contains("with tag 9.9", u.Message);
    }

    [Theory]
    [InlineData("pkg:oci/app?arch=arm64&repository_url=index.docker.io/library/app", "arch=arm64")]
    [InlineData("pkg:oci/app?arch=arm64&repository_url=index.docker.io/library/app&tag=1.0", "arch=arm64")]
    [InlineData("pkg:oci/app@sha256%3A1111111111111111111111111111111111111111111111111111111111111111?arch=amd64", "arch=amd64")]
    [InlineData("pkg:oci/app?os=windows&repository_url=index.docker.io/library/app", "os=windows")]
    public void Match_OciProductWithAQualifierTheImageDataLacks_IsUnmatchedWithTheReason_NotApplied(string product, string named)
    {
        var doc = VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0001", product)));
        var img = Tagged(D1, ["1.0"], ("CVE-2024-0001", Busybox));

        var r = VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now);

        Assert.Empty(r.Matches);
        Assert.Empty(r.Decisions);
        var u = Assert.Single(r.Unmatched);
        Assert.Equal(VexUnmatchedReason.ImageQualifierUnknown, u.Reason);
        Assert.Equal("image_qualifier_unknown", u.CodeName);
        Assert.Contains(named, u.Message);
        Assert.False(VexMatcher.ImageMatches(Purl.Parse(product), img));
    }

    [Fact]
    public void Match_PackageWithSubcomponent_IsScopedToEachImageThatHasTheApplication_NotGlobal()
    {
        var doc = VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0002", "pkg:golang/example.com/app", "pkg:golang/example.com/lib")));
        const string lib = "pkg:golang/example.com/lib@v1.2.0";
        var withApp = new VexInventoryImage(AppRepo, D1, [], [new VexInventoryFinding(Purl.Parse(lib), ["CVE-2024-0002"])],
            [Purl.Parse("pkg:golang/example.com/app@v3.0.0")]);
        var withAppToo = new VexInventoryImage("registry.example/team/app2", D2, [], withApp.Findings, withApp.Packages);
        var libOnly = new VexInventoryImage("registry.example/team/other", D3, [], [new VexInventoryFinding(Purl.Parse(lib), ["CVE-2024-0002"])],
            [Purl.Parse("pkg:golang/example.com/something-else@v1.0.0")]);

        var r = VexMatcher.Match(doc, [withApp, libOnly, withAppToo], VexTrustPolicy.TrustAll, Now);

        Assert.All(r.Matches, m => Assert.Equal(VexMatchKind.PackageInImage, m.Kind));
        Assert.Equal([new VexScope.Digest(AppRepo, D1), new VexScope.Digest("registry.example/team/app2", D2)], r.Decisions.Select(d => d.Scope));
        Assert.All(r.Decisions, d => Assert.Equal("pkg:golang/example.com/lib", d.Subcomponent!.Package.ToString()));
        Assert.DoesNotContain(r.Decisions, d => d.Scope is VexScope.Global);
        Assert.NotNull(Effective(r.Decisions, withApp, "CVE-2024-0002", lib));
        Assert.Null(Effective(r.Decisions, libOnly, "CVE-2024-0002", lib));
    }

    [Fact]
    public void Match_PackageWithoutSubcomponents_StaysGlobal_AsItsProductSays()
    {
        var doc = VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0002", "pkg:golang/example.com/lib")));
        var img = Image(AppRepo, D1, ("CVE-2024-0002", "pkg:golang/example.com/lib@v1.2.0"));
        var d = Assert.Single(VexMatcher.Match(doc, [img], VexTrustPolicy.TrustAll, Now).Decisions);
        Assert.Equal(VexScope.Global.Instance, d.Scope);
        Assert.Equal("pkg:golang/example.com/lib", d.Subcomponent!.Package.ToString());
    }

    [FixtureFact]
    public void Match_GovulncheckOpenVex_BindsTheDependencyToTheImagesWithTrivyOnly()
    {
        var doc = Read("openvex/trivy_project.openvex.json");
        const string helm = "pkg:golang/helm.sh/helm/v3@v3.14.1";
        var trivy = new VexInventoryImage("aquasec/trivy", D1, ["0.50.0"], [new VexInventoryFinding(Purl.Parse(helm), ["CVE-2024-26147"])],
            [Purl.Parse("pkg:golang/github.com/aquasecurity/trivy@v0.50.0")]);
        var deployer = new VexInventoryImage("acme/deployer", D2, ["1"], [new VexInventoryFinding(Purl.Parse(helm), ["CVE-2024-26147"])]);

        var r = VexMatcher.Match(doc, [trivy, deployer], VexTrustPolicy.TrustAll, Now);

        var d = Assert.Single(r.Decisions, x => x.Vulnerability.Id == "GO-2024-2575");
        Assert.Equal(new VexScope.Digest("docker.io/aquasec/trivy", D1), d.Scope);
        Assert.Equal("pkg:golang/helm.sh/helm/v3", d.Subcomponent!.Package.ToString());
        Assert.NotNull(Effective(r.Decisions, trivy, "CVE-2024-26147", helm));
        Assert.Null(Effective(r.Decisions, deployer, "CVE-2024-26147", helm));
        Assert.DoesNotContain(r.Decisions, x => x.Scope is not VexScope.Digest);
    }

    [FixtureFact]
    public void Match_TrivyCycloneDxBomLinksIntoAnUnknownSbom_AreUnmatchedWithTheReason_NotGlobal()
    {
        var doc = Read("cyclonedx/trivy-testdata_cyclonedx.json");
        const string springBoot = "pkg:maven/org.springframework.boot/spring-boot@2.6.0";
        var app = Image("acme/java-app", D1, ("CVE-2021-44228", springBoot));
        var other = Image("acme/other-java-app", D2, ("CVE-2021-44228", springBoot));

        var r = VexMatcher.Match(doc, [app, other], VexTrustPolicy.TrustAll, Now);

        Assert.Empty(r.Matches);
        Assert.Empty(r.Decisions);
        Assert.Empty(r.Rejected);
        Assert.Equal(2, r.Unmatched.Count);
        Assert.All(r.Unmatched, u => Assert.Equal("sbom_unknown", u.CodeName));
        var spring = Assert.Single(r.Unmatched, u => u.Statement.Vulnerability.Id == "CVE-2021-44228");
        Assert.Contains("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1", spring.Message);
        Assert.Contains(springBoot, spring.Message);
        Assert.Null(Effective(r.Decisions, app, "CVE-2021-44228", springBoot));
    }

    [Fact]
    public void Match_BomLinkIntoAnSbomTheDocumentTiesToAnImage_IsScopedToThatImage()
    {
        // A standalone VEX naming the image whose SBOM it points into (Triage's own export writes this shape).
        var doc = VexDocumentReader.Read($$"""
            {"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:0f0f0f0f-0000-4000-8000-000000000001","version":1,
             "components":[{"type":"container","bom-ref":"img","name":"app","purl":"pkg:oci/app@{{D1.Replace(":", "%3A", StringComparison.Ordinal)}}?repository_url=index.docker.io/library/app",
               "externalReferences":[{"type":"bom","url":"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1"}]}],
             "vulnerabilities":[{"id":"CVE-2021-44228","analysis":{"state":"not_affected","justification":"code_not_reachable"},
               "affects":[{"ref":"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/org.springframework.boot/spring-boot@2.6.0"}]}]}
            """);
        const string springBoot = "pkg:maven/org.springframework.boot/spring-boot@2.6.0";
        var app = Image(AppRepo, D1, ("CVE-2021-44228", springBoot));
        var other = Image("acme/other-java-app", D2, ("CVE-2021-44228", springBoot));

        var r = VexMatcher.Match(doc, [app, other], VexTrustPolicy.TrustAll, Now);

        var d = Assert.Single(r.Decisions);
        Assert.Equal(new VexScope.Digest(AppRepo, D1), d.Scope);
        Assert.Equal(springBoot, d.Subcomponent!.Package.ToString());
        Assert.Null(Effective(r.Decisions, other, "CVE-2021-44228", springBoot));
    }

    // ---- A team member's import (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md) ----

    private static VexDocument Limited(string product, string? subcomponent = null) =>
        VexDocumentReader.Read(OpenVex(NotAffected("CVE-2024-0001", product, subcomponent)));

    [Fact]
    public void Match_WithLimits_RecordsTheImportersImages_AndReportsTheOtherTeamsWithoutNamingThem()
    {
        var doc = Limited("pkg:oci/app?tag=1");
        var mine = new VexInventoryImage("registry.example/a/app", D1, ["registry.example/a/app:1"], [new VexInventoryFinding(Purl.Parse("pkg:apk/alpine/busybox@1.0"), ["CVE-2024-0001"])]);
        var theirs = new VexInventoryImage("registry.example/b/app", D2, ["registry.example/b/app:1"], [new VexInventoryFinding(Purl.Parse("pkg:apk/alpine/busybox@1.0"), ["CVE-2024-0001"])]);

        var r = VexMatcher.Match(doc, [mine], VexTrustPolicy.TrustAll, Now, new VexImportLimits([theirs]));

        Assert.Equal(new VexScope.Digest("registry.example/a/app", D1), Assert.Single(r.Decisions).Scope);
        var refused = Assert.Single(r.Unmatched);
        Assert.Equal("not_your_image", refused.CodeName);
        Assert.DoesNotContain("registry.example/b", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(D2, refused.Message, StringComparison.Ordinal);

        // Without limits (an admin, the CLI) both images are decided.
        Assert.Equal(2, VexMatcher.Match(doc, [mine, theirs], VexTrustPolicy.TrustAll, Now).Decisions.Count);
    }

    [Fact]
    public void Match_WithLimits_AnImageOnlyOfAnotherTeamWithoutTheFinding_IsAsUnknownAsAMissingOne()
    {
        var doc = Limited($"pkg:oci/app@{D2.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url=registry.example/b/app");
        var theirs = new VexInventoryImage("registry.example/b/app", D2, [], [new VexInventoryFinding(Purl.Parse("pkg:apk/alpine/zlib@1.0"), ["CVE-2024-0002"])]);

        var r = VexMatcher.Match(doc, [], VexTrustPolicy.TrustAll, Now, new VexImportLimits([theirs]));

        Assert.Empty(r.Decisions);
        Assert.Equal("no_image_with_digest", Assert.Single(r.Unmatched).CodeName);
    }

    [Theory]
    [InlineData("pkg:apk/alpine/busybox", null, "admin_only_scope", 0)]
    [InlineData("pkg:golang/example.com/app", "pkg:apk/alpine/busybox", "not_your_image", 1)]
    public void Match_WithLimits_PackageProducts_EverywhereIsRefused_AnApplicationIsRecordedInTheImportersImagesOnly(string product, string? sub,
        string code, int decisions)
    {
        var doc = Limited(product, sub);
        VexInventoryImage With(string repo, string digest) => new(repo, digest, [],
            [new VexInventoryFinding(Purl.Parse("pkg:apk/alpine/busybox@1.0"), ["CVE-2024-0001"])], [Purl.Parse("pkg:golang/example.com/app@v1.0.0")]);

        var r = VexMatcher.Match(doc, [With("registry.example/a/app", D1)], VexTrustPolicy.TrustAll, Now, new VexImportLimits([With("registry.example/b/app", D2)]));

        Assert.Equal(decisions, r.Decisions.Count);
        Assert.All(r.Decisions, d => Assert.Equal(new VexScope.Digest("registry.example/a/app", D1), d.Scope));
        Assert.Equal(code, Assert.Single(r.Unmatched).CodeName);
    }
}
