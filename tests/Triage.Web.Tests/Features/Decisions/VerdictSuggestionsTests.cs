using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Web.Features.Decisions;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Decisions;

/// <summary>The decision form's suggestion comes from the finding's stored runtime verdict, never from nothing, and
/// only a verdict that proposes a justification suggests one.</summary>
public sealed class VerdictSuggestionsTests : IDisposable
{
    private readonly TriageWebFactory _app = new();

    [Fact]
    public void TheAppSuggestsFromStoredVerdicts() =>
        Assert.IsType<VerdictSuggestions>(_app.Services.GetRequiredService<IJustificationSuggestions>());

    [Fact]
    public async Task NotPresent_SuggestsComponentNotPresent_WithTheSourcesReason()
    {
        var (notPresent, loaded, none) = await ThreeFindingsAsync();
        await StoreVerdictAsync(notPresent, ReachabilityVerdict.NotPresent, ProposedJustification.ComponentNotPresent,
            """[{"source":"slim-creport","verdict":"not_present","confidence":"high","detail":"no file of busybox in the slimmed image","justification":"component_not_present"}]""");
        await StoreVerdictAsync(loaded, ReachabilityVerdict.Loaded, null,
            """[{"source":"file-access:tetragon","verdict":"loaded","confidence":"high","detail":"/bin/busybox executed"}]""");
        var suggestions = _app.Services.GetRequiredService<IJustificationSuggestions>();

        var s = await suggestions.SuggestAsync(notPresent);
        Assert.NotNull(s);
        Assert.Equal(VexJustification.ComponentNotPresent, s.Justification);
        Assert.Contains("not_present", s.Reason, StringComparison.Ordinal);
        Assert.Contains("slim-creport: no file of busybox in the slimmed image", s.Reason, StringComparison.Ordinal);

        // Loaded proposes nothing; no verdict at all (unknown) proposes nothing.
        Assert.Null(await suggestions.SuggestAsync(loaded));
        Assert.Null(await suggestions.SuggestAsync(none));
    }

    [Fact]
    public async Task PresentNotLoaded_SuggestsNotInExecutePath()
    {
        var (finding, _, _) = await ThreeFindingsAsync();
        await StoreVerdictAsync(finding, ReachabilityVerdict.PresentNotLoaded, ProposedJustification.VulnerableCodeNotInExecutePath,
            """[{"source":"slim-creport","verdict":"present_not_loaded","confidence":"medium","detail":"complete profile: no file of busybox used","justification":"vulnerable_code_not_in_execute_path"}]""",
            VerdictConfidence.Medium);
        var s = await _app.Services.GetRequiredService<IJustificationSuggestions>().SuggestAsync(finding);
        Assert.Equal(VexJustification.VulnerableCodeNotInExecutePath, s?.Justification);
        Assert.Contains("medium confidence", s!.Reason, StringComparison.Ordinal);
    }

    private async Task<(long, long, long)> ThreeFindingsAsync()
    {
        await _app.ImportFixtureAsync("matched", "alpine-3.19", "trivy.json");
        await using var db = _app.Db();
        var ids = await db.Findings.OrderBy(f => f.Id).Select(f => f.Id).Take(3).ToListAsync();
        Assert.Equal(3, ids.Count);
        return (ids[0], ids[1], ids[2]);
    }

    /// <summary>A verdict row as the runtime ingest stores it (VerdictRefresher).</summary>
    private async Task StoreVerdictAsync(long findingId, ReachabilityVerdict verdict, ProposedJustification? proposed, string sourcesJson,
        VerdictConfidence confidence = VerdictConfidence.High)
    {
        await using var db = _app.Db();
        db.FindingVerdicts.Add(new FindingVerdict
        {
            FindingId = findingId, Verdict = verdict, Confidence = confidence, ProposedJustification = proposed,
            SourcesJson = sourcesJson, ComputedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public void Dispose() => _app.Dispose();
}
