using Microsoft.EntityFrameworkCore;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Runtime;

namespace Triage.Web.Features.Decisions;

/// <summary>
/// Proposes a not_affected justification from the finding's stored runtime verdict (issue 7: "Not present / not loaded
/// never closes a finding by itself: they propose VEX justifications for a person to confirm"): a package slimming
/// removed → <c>component_not_present</c>; present, never loaded by a complete profile, or imported but the vulnerable
/// symbol never called → <c>vulnerable_code_not_in_execute_path</c>. The decision form shows it with its reason and a
/// "Use it" button; nothing is recorded until the person records the decision.
/// </summary>
public sealed class VerdictSuggestions(IDbContextFactory<TriageDbContext> dbFactory) : IJustificationSuggestions
{
    public async Task<JustificationSuggestion?> SuggestAsync(long findingId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The same view the finding page's "Priority and why" shows, so the suggestion and the panel never disagree.
        var views = await FindingRiskViews.LoadAsync(db, [findingId], ct);
        if (!views.TryGetValue(findingId, out var view) || view.Reachability is not { ProposedJustification: { } proposed } r) return null;
        return new JustificationSuggestion(Map(proposed), Reason(r, proposed));
    }

    internal static VexJustification Map(ProposedJustification j) => j switch
    {
        ProposedJustification.ComponentNotPresent => VexJustification.ComponentNotPresent,
        ProposedJustification.VulnerableCodeNotPresent => VexJustification.VulnerableCodeNotPresent,
        ProposedJustification.VulnerableCodeNotInExecutePath => VexJustification.VulnerableCodeNotInExecutePath,
    };

    /// <summary>"Runtime verdict not_present (high confidence): slim-creport: no file of busybox in the slimmed image."</summary>
    internal static string Reason(ReachabilityView r, ProposedJustification proposed)
    {
        // The sources that support this justification come first; the others are left to the panel.
        var supporting = r.Sources.Where(s => s.Justification == proposed).DefaultIfEmpty(r.Sources.FirstOrDefault()).OfType<VerdictSource>()
            .Select(s => $"{s.Source}: {s.Detail}").Take(2).ToList();
        var head = $"Runtime verdict {r.Verdict.ToWire()} ({r.Confidence.ToWire()} confidence)";
        return supporting.Count == 0 ? head + "." : $"{head}: {string.Join("; ", supporting)}";
    }
}
