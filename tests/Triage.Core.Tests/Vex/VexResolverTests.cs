using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Vex;

public class VexResolverTests
{
    private static readonly DateTimeOffset Now = Vx.T0.AddDays(30);

    [Fact]
    public void Resolve_MoreSpecificScopeWins_EvenWhenOlder()
    {
        var digestAffected = Vx.Affected("CVE-2024-1", Vx.DigestScope(), Vx.T0);
        var repoFixed = Vx.Fixed("CVE-2024-1", new VexScope.Repository("alpine"), Vx.T0.AddDays(1));
        var teamNa = Vx.NotAffected("CVE-2024-1", new VexScope.Team("platform"), Vx.T0.AddDays(2));
        var globalNa = Vx.NotAffected("CVE-2024-1", VexScope.Global.Instance, Vx.T0.AddDays(3));
        var finding = Vx.Finding("CVE-2024-1", teams: ["platform"]);

        var r = VexResolver.Resolve(finding, [globalNa, teamNa, repoFixed, digestAffected], Now);

        Assert.Same(digestAffected, r.Effective);
        Assert.Equal([digestAffected, repoFixed, teamNa, globalNa], r.Applicable);
    }

    [Theory]
    [InlineData(3, VexStatus.Fixed)]
    [InlineData(2, VexStatus.NotAffected)]
    [InlineData(1, VexStatus.UnderInvestigation)]
    public void Resolve_EachLevelBeatsTheOnesBelow(int keepBelow, VexStatus expected)
    {
        VexStatement[] all =
        [
            Vx.Affected("CVE-2024-1", Vx.DigestScope()),
            Vx.Fixed("CVE-2024-1", new VexScope.Repository(Vx.Repo)),
            Vx.NotAffected("CVE-2024-1", new VexScope.Team("platform")),
            Vx.Investigating("CVE-2024-1", VexScope.Global.Instance),
        ];
        var remaining = all.Where(s => s.Scope.Specificity < keepBelow).ToArray();
        var r = VexResolver.Resolve(Vx.Finding("CVE-2024-1", teams: ["platform"]), remaining, Now);
        Assert.Equal(expected, r.Effective!.Status);
    }

    [Fact]
    public void Resolve_WithinOneScope_LaterStatementWins_RegardlessOfRecordOrder()
    {
        var later = Vx.Fixed("CVE-2024-1", at: Vx.T0.AddHours(2));
        var earlier = Vx.Investigating("CVE-2024-1", at: Vx.T0);
        Assert.Same(later, VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [later, earlier], Now).Effective);
        Assert.Same(later, VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [earlier, later], Now).Effective);
    }

    [Fact]
    public void Resolve_EqualTimestamps_LastRecordedWins()
    {
        var first = Vx.Investigating("CVE-2024-1");
        var second = Vx.Fixed("CVE-2024-1");
        Assert.Same(second, VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [first, second], Now).Effective);
    }

    [Fact]
    public void Resolve_MatchesVulnerabilityByAlias()
    {
        var s = VexStatement.Create(Vx.Draft("GHSA-aaaa-bbbb-cccc", VexStatus.Fixed) with { Vulnerability = new VulnerabilityRef("GHSA-aaaa-bbbb-cccc", ["CVE-2024-9"]) });
        Assert.Same(s, VexResolver.Resolve(Vx.Finding("cve-2024-9"), [s], Now).Effective);
        Assert.Null(VexResolver.Resolve(Vx.Finding("CVE-2024-10"), [s], Now).Effective);
    }

    [Fact]
    public void Resolve_SubcomponentLimitsToCoveredPackages()
    {
        var busyboxOnly = Vx.NotAffected("CVE-2024-1", package: "pkg:apk/alpine/busybox");
        Assert.NotNull(VexResolver.Resolve(Vx.Finding("CVE-2024-1", "pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64"), [busyboxOnly], Now).Effective);
        Assert.Null(VexResolver.Resolve(Vx.Finding("CVE-2024-1", "pkg:apk/alpine/ssl_client@1.36.1-r20"), [busyboxOnly], Now).Effective);
        var pinned = Vx.NotAffected("CVE-2024-1", package: "pkg:apk/alpine/busybox@1.36.1-r19");
        Assert.Null(VexResolver.Resolve(Vx.Finding("CVE-2024-1", "pkg:apk/alpine/busybox@1.36.1-r20"), [pinned], Now).Effective);
    }

    [Fact]
    public void Resolve_DigestScope_DoesNotTravelToAnotherDigestOrRepository()
    {
        var s = Vx.NotAffected("CVE-2024-1", Vx.DigestScope());
        Assert.Null(VexResolver.Resolve(Vx.Finding("CVE-2024-1", digest: Vx.OtherDigest), [s], Now).Effective);
        Assert.Null(VexResolver.Resolve(Vx.Finding("CVE-2024-1", repo: "ghcr.io/acme/alpine"), [s], Now).Effective);
        // Docker Hub spellings are one repository.
        Assert.NotNull(VexResolver.Resolve(Vx.Finding("CVE-2024-1", repo: "index.docker.io/library/alpine"), [s], Now).Effective);
    }

    [Fact]
    public void Resolve_ExpiredStatement_DoesNotWin_AndSaysWhy()
    {
        var expired = Vx.NotAffected("CVE-2024-1", Vx.DigestScope(), expires: Vx.T0.AddDays(7));
        var global = Vx.Investigating("CVE-2024-1", VexScope.Global.Instance);
        var r = VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [expired, global], Now);
        Assert.Same(global, r.Effective);
        Assert.Contains(r.Set, x => x.Statement == expired && x.Reason.Contains("expired"));
        Assert.Same(expired, VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [expired, global], Vx.T0.AddDays(1)).Effective);
    }

    [Fact]
    public void Resolve_TrustPolicy_ShowOnlyAndIgnoredAuthorsNeverWin()
    {
        VexSource Doc(string author) => new VexSource.ImportedDocument(VexFormat.OpenVex, "doc", author, "1", Vx.T0, VexSignatureStatus.Unsigned);
        var vendor = Vx.NotAffected("CVE-2024-1", source: Doc("Vendor"), author: "Vendor");
        var stranger = Vx.NotAffected("CVE-2024-1", source: Doc("Stranger"), author: "Stranger", at: Vx.T0.AddDays(1));
        var policy = new VexTrustPolicy(VexTrust.ShowOnly, [new("Vendor", VexTrust.Trusted), new("Spammer", VexTrust.Ignore)]);

        var r = VexResolver.Resolve(Vx.Finding("CVE-2024-1"), [vendor, stranger], Now, policy);

        Assert.Same(vendor, r.Effective);
        Assert.Contains(r.Set, x => x.Statement == stranger && x.Reason.Contains("show-only"));
        Assert.Equal(VexTrust.Ignore, policy.For(Doc("spammer")));
        Assert.Equal(VexTrust.Ignore, policy.For(new VexSource.ImportedDocument(VexFormat.Csaf, "d", "Vendor", "1", null, VexSignatureStatus.Invalid)));
        Assert.Equal(VexTrust.Trusted, policy.For(new VexSource.User("bob")));
    }

    [Fact]
    public void History_IsAppendOnly_AndTimelineIsOldestFirst()
    {
        var a = Vx.Investigating("CVE-2024-1", at: Vx.T0);
        var b = Vx.NotAffected("CVE-2024-1", at: Vx.T0.AddDays(2));
        var history = new VexHistory([b, a]);
        Assert.Throws<InvalidOperationException>(() => history.Append(a));
        Assert.Equal([a, b], history.TimelineFor(Vx.Finding("CVE-2024-1")));
        Assert.Same(b, history.Resolve(Vx.Finding("CVE-2024-1"), Now).Effective);
    }
}

public class VexReReviewTests
{
    [Fact]
    public void Check_Expired_IsFlagged()
    {
        var s = Vx.NotAffected("CVE-2024-1", expires: Vx.T0.AddDays(1));
        Assert.Empty(VexReReview.Check(s, new(Vx.T0.AddHours(1))));
        Assert.Equal(ReReviewReason.Expired, Assert.Single(VexReReview.Check(s, new(Vx.T0.AddDays(2)))).Reason);
    }

    [Fact]
    public void Check_BoundPackageVersionChangedInNewerDigest_IsFlagged()
    {
        var s = Vx.NotAffected("CVE-2024-1", package: "pkg:apk/alpine/busybox@1.36.1-r20");
        var same = new ReReviewContext(Vx.T0, Triage.Core.Identity.Purl.Parse("pkg:apk/alpine/busybox@1.36.1-r20?arch=x86_64"), Vx.OtherDigest);
        var newer = same with { PackageInNewerDigest = Triage.Core.Identity.Purl.Parse("pkg:apk/alpine/busybox@1.36.1-r29") };
        Assert.Empty(VexReReview.Check(s, same));
        var flag = Assert.Single(VexReReview.Check(s, newer));
        Assert.Equal(ReReviewReason.PackageVersionChanged, flag.Reason);
        Assert.Contains("1.36.1-r29", flag.Message);
        // A decision about every version of the package is not bound to one.
        Assert.Empty(VexReReview.Check(Vx.NotAffected("CVE-2024-1", package: "pkg:apk/alpine/busybox"), newer));
    }

    [Fact]
    public void Check_EnteredKevAfterTheDecision_IsFlagged_ButNotForFixed()
    {
        var na = Vx.NotAffected("CVE-2024-1");
        Assert.Equal(ReReviewReason.EnteredKev, Assert.Single(VexReReview.Check(na, new(Vx.T0, KevDateAdded: Vx.T0.AddDays(3)))).Reason);
        Assert.Empty(VexReReview.Check(na, new(Vx.T0, KevDateAdded: Vx.T0.AddDays(-3))));
        Assert.Empty(VexReReview.Check(Vx.Fixed("CVE-2024-1"), new(Vx.T0, KevDateAdded: Vx.T0.AddDays(3))));
    }

    [Theory]
    [InlineData(VexJustification.ComponentNotPresent, PackageEvidence.Absent, false)]
    [InlineData(VexJustification.ComponentNotPresent, PackageEvidence.PresentNotLoaded, true)]
    [InlineData(VexJustification.VulnerableCodeNotInExecutePath, PackageEvidence.PresentNotLoaded, false)]
    [InlineData(VexJustification.VulnerableCodeNotInExecutePath, PackageEvidence.Loaded, true)]
    [InlineData(VexJustification.VulnerableCodeNotInExecutePath, PackageEvidence.Reachable, true)]
    [InlineData(VexJustification.VulnerableCodeNotPresent, PackageEvidence.Loaded, false)]
    [InlineData(VexJustification.VulnerableCodeNotPresent, PackageEvidence.Reachable, true)]
    [InlineData(VexJustification.InlineMitigationsAlreadyExist, PackageEvidence.Reachable, false)]
    public void Check_EvidenceContradictingTheJustification_IsFlagged(VexJustification j, PackageEvidence e, bool flagged)
    {
        var s = VexStatement.Create(Vx.Draft("CVE-2024-1", VexStatus.NotAffected, justification: j));
        var flags = VexReReview.Check(s, new(Vx.T0, Evidence: e));
        Assert.Equal(flagged, flags.Any(f => f.Reason == ReReviewReason.EvidenceContradictsJustification));
    }
}

public class JustificationSuggesterTests
{
    [Theory]
    [InlineData(PackageEvidence.Absent, false, VexJustification.ComponentNotPresent)]
    [InlineData(PackageEvidence.PresentNotLoaded, false, VexJustification.VulnerableCodeNotInExecutePath)]
    [InlineData(PackageEvidence.PresentNotLoaded, true, VexJustification.VulnerableCodeNotPresent)]
    [InlineData(PackageEvidence.Absent, true, VexJustification.VulnerableCodeNotPresent)]
    public void Suggest_ProposesFromEvidence_WithAReason(PackageEvidence e, bool slimmed, VexJustification expected)
    {
        var s = JustificationSuggester.Suggest(e, slimmed);
        Assert.Equal(expected, s.Justification);
        Assert.False(string.IsNullOrWhiteSpace(s.Reason));
    }

    [Theory]
    [InlineData(PackageEvidence.Loaded)]
    [InlineData(PackageEvidence.Reachable)]
    public void Suggest_LoadedOrReachable_ProposesNothing(PackageEvidence e)
    {
        var s = JustificationSuggester.Suggest(e, vulnerableFilesRemovedBySlimming: true);
        Assert.Null(s.Justification);
        Assert.Contains("does not support", s.Reason);
    }
}
