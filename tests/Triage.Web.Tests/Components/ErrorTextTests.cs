using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Web.Components.Shared;

namespace Triage.Web.Tests.Components;

/// <summary>A decision refused because someone decided meanwhile reads as a sentence naming the decision in force (the
/// session page and the finding page show it), never as "an unexpected error".</summary>
public sealed class ErrorTextTests
{
    [Fact]
    public void DecisionConflict_NamesWhoDecidedWhat()
    {
        var other = new DecisionView
        {
            Id = 7, Vulnerability = "CVE-2024-58251", ScopeText = "repository docker.io/library/alpine", Status = VexStatus.Affected,
            Author = "Tom Triager", Timestamp = new DateTimeOffset(2026, 11, 30, 11, 13, 0, TimeSpan.Zero),
            Source = new DecisionSourceView(DecisionSourceView.User, null, null, null, null, null, null, null, VexTrust.Trusted),
        };
        var e = new DecisionConflictException([new DecisionConflict(42, null, other)]);

        var text = ErrorText.Describe(e);

        Assert.StartsWith("not recorded: someone decided meanwhile.", text, StringComparison.Ordinal);
        Assert.Contains("affected by Tom Triager at 2026-11-30 11:13 UTC (repository docker.io/library/alpine).", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DecisionConflict_WithTheDecisionWithdrawn_SaysSo()
    {
        var e = new DecisionConflictException([new DecisionConflict(42, 3, null)]);
        Assert.Contains("no decision (the one you saw was withdrawn)", ErrorText.Describe(e), StringComparison.Ordinal);
    }
}
