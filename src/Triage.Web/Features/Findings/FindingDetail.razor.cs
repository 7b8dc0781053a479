using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Core.Vex;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Findings;

/// <summary>One finding: loads its evidence, advisories, related findings and history; children render them.</summary>
public partial class FindingDetail
{
    private const int SameProblemShown = 25;

    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private IDecisionStore Decisions { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IJustificationSuggestions Suggestions { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    private bool _loading = true;
    private FindingView? _finding;
    private List<Vulnerability> _advisories = [];
    private List<RelatedFinding> _same = [];
    private int _sameCount;
    private List<ObservationHistory> _history = [];
    private IReadOnlyList<DecisionRecord> _decisions = [];
    private DecisionRecord? _current;
    private string? _description;
    private bool _canDecide;
    private bool _teamAvailable;
    private bool _globalAvailable;
    private JustificationSuggestion? _suggestion;
    private string? _conflict;
    private List<BreadcrumbItem> _crumbs = [];

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        var user = await Access.CurrentAsync();
        _canDecide = user.CanTriage;
        _globalAvailable = user.IsAdmin;
        await using var db = await Db.CreateDbContextAsync();
        _finding = (await FindingQueries.ToViewsAsync(db, user.Visible(db, db.Findings.AsNoTracking().Where(f => f.Id == Id)))).FirstOrDefault();
        if (_finding is not null)
        {
            _advisories = await FindingDetailQueries.AdvisoriesAsync(db, _finding.GroupId);
            var visible = user.VisibleArtifactIds(db);
            _same = await FindingDetailQueries.SameProblemAsync(db, Id, _finding.GroupId, visible, SameProblemShown);
            _sameCount = _same.Count < SameProblemShown ? _same.Count : await FindingDetailQueries.SameProblemCountAsync(db, Id, _finding.GroupId, visible);
            _history = await FindingDetailQueries.ObservationHistoryAsync(db, Id);
            await LoadDecisionsAsync();
            var repository = _finding.Repository;
            _teamAvailable = await db.Repositories.AnyAsync(r => r.Name == repository && r.TeamId != null);
            _suggestion = await Suggestions.SuggestAsync(Id);
            _description = _advisories.Where(a => !string.IsNullOrWhiteSpace(a.Description))
                .OrderBy(a => a.VulnId == _finding.Vulnerability.Id ? 0 : 1).ThenByDescending(a => a.Description!.Length)
                .Select(a => a.Description).FirstOrDefault();
            _crumbs =
            [
                new BreadcrumbItem("Findings", href: "/findings"),
                new BreadcrumbItem(_finding.Image, href: $"/findings?image={Uri.EscapeDataString(_finding.Image)}"),
                new BreadcrumbItem(_finding.Vulnerability.Id, href: null, disabled: true),
            ];
        }
        _loading = false;
    }

    private async Task LoadDecisionsAsync()
    {
        _decisions = await Decisions.HistoryAsync(Id);
        _current = (await Decisions.CurrentAsync([Id])).GetValueOrDefault(Id) is { } c
            ? _decisions.FirstOrDefault(d => d.Id == c.Id) ?? c
            : null;
    }

    /// <summary>Records the decision with what this page showed in force as "seen": if someone decided meanwhile, nothing
    /// is recorded and their decision is shown.</summary>
    private async Task DecideAsync(DecisionInput input)
    {
        _conflict = null;
        try
        {
            var user = await Access.CurrentAsync();
            if (!user.CanTriage) throw new UnauthorizedAccessException("viewers cannot decide");
            var seen = new Dictionary<long, long?> { [Id] = _current?.Id };
            await Decisions.DecideAsync(input.ToDecision([Id], null, user, seen));
            await LoadDecisionsAsync();
            Snackbar.Add($"Decided: {input.Status.ToLabel()}", MudBlazor.Severity.Success);
        }
        catch (DecisionConflictException e)
        {
            _conflict = Components.Shared.ErrorText.Conflict(e);
            await LoadDecisionsAsync();
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException or DbUpdateException)
        {
            Snackbar.Add($"Not recorded: {Components.Shared.ErrorText.Describe(e)}", MudBlazor.Severity.Error);
        }
    }
}
