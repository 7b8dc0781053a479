using Bunit;
using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Web.Components.Shared;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Features.Sessions;

namespace Triage.Web.Tests.Components;

public sealed class InertTextTests : ComponentTest
{
    [Fact]
    public void ScannerHtml_IsShownAsText_AndControlCharactersAreDropped()
    {
        var cut = Render<InertText>(p => p.Add(x => x.Text, "<script>alert(1)</script><img src=x onerror=alert(2)>\u0007\u202Eend\nnext"));
        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Equal("<script>alert(1)</script><img src=x onerror=alert(2)>end\nnext", cut.Find("span").TextContent);
        Assert.Contains("&lt;script&gt;", cut.Markup);
    }

    [Fact]
    public void LongText_IsCut()
    {
        var cut = Render<InertText>(p => p.Add(x => x.Text, new string('x', 50)).Add(x => x.MaxLength, 10));
        Assert.Equal(new string('x', 10) + "…", cut.Find("span").TextContent);
    }
}

public sealed class EvidenceTableTests : ComponentTest
{
    [Fact]
    public void Disagreement_IsAnnouncedAndHighlighted()
    {
        ObservationView[] obs =
        [
            new("trivy", "CVE-2024-1", Severity.High, ["1.2"], FixState.Fixed, "fixed", true, "nvd", null, null),
            new("grype", "CVE-2024-1", Severity.Critical, [], FixState.NotFixed, "not-fixed", true, "ghsa", null, null),
        ];
        var cut = Render<EvidenceTable>(p => p.Add(x => x.Observations, obs));
        Assert.NotNull(cut.Find("#scanners-disagree"));
        Assert.Equal(["trivy", "grype"], cut.FindAll("thead th").Skip(1).Select(th => th.TextContent));
        var disagreeing = cut.FindAll("tr[data-disagree=true] th").Select(th => th.TextContent).ToList();
        Assert.Contains("Severity", disagreeing);
        Assert.Contains("Fixed in", disagreeing);
        Assert.DoesNotContain("Scanner's id", disagreeing);
    }

    [Fact]
    public void Agreement_ShowsNoWarning()
    {
        ObservationView[] obs = [new("trivy", "CVE-2024-1", Severity.High, ["1.2"], FixState.Fixed, "fixed", true, "nvd", null, null)];
        var cut = Render<EvidenceTable>(p => p.Add(x => x.Observations, obs));
        Assert.Empty(cut.FindAll("#scanners-disagree"));
    }
}

public sealed class DecisionPanelTests : ComponentTest
{
    [Fact]
    public void Viewer_GetsNoForm()
    {
        var cut = Render<DecisionPanel>(p => p.Add(x => x.CanDecide, false));
        Assert.NotNull(cut.Find("#cannot-decide"));
        Assert.Empty(cut.FindAll("#decision-submit"));
    }

    [Fact]
    public void Triager_SubmitIsDisabledUntilAStatusIsChosen()
    {
        var cut = Render<DecisionPanel>(p => p.Add(x => x.CanDecide, true));
        Assert.True(cut.Find("#decision-submit").HasAttribute("disabled"));
    }

    [Fact]
    public void CurrentDecision_ShowsAuthorAndInertJustification()
    {
        var current = new DecisionRecord(1, 2, null, DecisionStatus.NotAffected, "<i>component_not_present</i>", "u", "Ana", DateTime.UtcNow);
        var cut = Render<DecisionPanel>(p => p.Add(x => x.CanDecide, false).Add(x => x.Current, current));
        Assert.Contains("by Ana", cut.Find("#current-decision").TextContent);
        Assert.Empty(cut.FindAll("#current-decision i"));
    }
}

public sealed class DecisionFormTests : ComponentTest
{
    /// <summary>The labels of the "Applies to" list, read from its open popover (MudBlazor renders the items there only).</summary>
    private IReadOnlyList<string> OfferedScopes(bool globalAvailable)
    {
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<DecisionForm>(p => p.Add(x => x.Model, new DecisionFormModel()).Add(x => x.ShowStatus, false)
            .Add(x => x.TeamAvailable, true).Add(x => x.GlobalAvailable, globalAvailable));
        cut.Find(".mud-select .mud-input-control").MouseDown();
        return popovers.WaitForElements(".mud-popover-open .mud-list-item").Select(e => e.TextContent.Trim()).ToList();
    }

    [Fact]
    public void NonAdmin_IsNotOfferedEverywhere()
    {
        var offered = OfferedScopes(globalAvailable: false);
        Assert.Equal([DecisionScopeKind.Digest.ScopeLabel(), DecisionScopeKind.Repository.ScopeLabel(), DecisionScopeKind.Team.ScopeLabel()], offered);
    }

    [Fact]
    public void Admin_IsOfferedEverywhere() =>
        Assert.Contains(DecisionScopeKind.Global.ScopeLabel(), OfferedScopes(globalAvailable: true));
}

public sealed class DecisionInputTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("component_not_present", null, "component_not_present")]
    [InlineData(null, " only a note ", "only a note")]
    [InlineData("inline_mitigations_already_exist", "WAF rule 12", "inline_mitigations_already_exist: WAF rule 12")]
    public void Combine(string? vex, string? note, string? expected) => Assert.Equal(expected, DecisionInput.Combine(vex, note));
}

public sealed class SessionQueueTests : ComponentTest
{
    [Fact]
    public void MarksCurrentAndDecided_AndOnlyTheFacilitatorGetsLinks()
    {
        var decided = new Dictionary<long, DecisionStatus> { [11] = DecisionStatus.Affected };
        var labels = new Dictionary<long, string> { [10] = "CVE-1 in a", [11] = "CVE-2 in b" };
        var cut = Render<SessionQueue>(p => p.Add(x => x.Items, new long[] { 10, 11, 12 }).Add(x => x.Position, 1).Add(x => x.Decided, decided)
            .Add(x => x.Labels, labels).Add(x => x.CanMove, false));
        Assert.Equal("1", cut.Find("[data-current=true]").GetAttribute("data-position"));
        Assert.Contains("(another team's finding)", cut.Find("[data-position='2']").TextContent);
        Assert.Contains("1 of 3 decided", cut.Markup);
        Assert.Empty(cut.FindAll("a"));
    }
}

public sealed class RecentDecisionsTests : ComponentTest
{
    [Fact]
    public void Decisions_AreNamedByVulnerabilityAndPackage_AndCountedByStatus()
    {
        var at = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);
        DecisionRecord[] items =
        [
            new(1, 11, null, DecisionStatus.NotAffected, "component_not_present", "u1", "Ada Admin", at)
                { Vulnerability = "CVE-2024-1", Package = "pkg:deb/debian/openssl@3.0.1?arch=amd64", ScopeText = "image a@sha256:1" },
            // One of a bulk decision: no single finding, so it links to the vulnerability and says where it applies.
            new(2, 0, null, DecisionStatus.Affected, null, "u2", "Tina Triager", at)
                { Vulnerability = "CVE-2024-2", Package = "pkg:npm/%40scope/left-pad@1.0.0", ScopeText = "repository docker.io/library/app" },
            new(3, 0, null, DecisionStatus.NotAffected, "inline_mitigations_already_exist", "u2", "Tina Triager", at)
                { Vulnerability = "CVE-2024-3", ScopeText = "everywhere" },
        ];
        var cut = Render<Triage.Web.Features.Dashboard.RecentDecisions>(p => p.Add(x => x.Items, items));

        var links = cut.FindAll("a.recent-decision-subject");
        Assert.Equal(["CVE-2024-1 in openssl", "CVE-2024-2 in @scope/left-pad", "CVE-2024-3"], links.Select(a => a.TextContent));
        Assert.Equal("/findings/11", links[0].GetAttribute("href"));
        Assert.Contains("CVE-2024-1 in openssl not affected by Ada Admin", cut.FindAll("li, .mud-list-item")[0].TextContent.ReplaceLineEndings(" ").Replace("  ", " "));
        Assert.Equal("/findings?vuln=CVE-2024-2&status=all", links[1].GetAttribute("href"));
        Assert.Contains("repository docker.io/library/app", cut.Markup);
        Assert.DoesNotContain("finding #", cut.Markup);
        Assert.Contains("Not affected: 2", cut.Markup);
        Assert.Contains("Affected: 1", cut.Markup);
    }
}
