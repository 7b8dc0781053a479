using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
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
    private List<BreadcrumbItem> _crumbs = [];

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        var user = await Access.CurrentAsync();
        _canDecide = user.CanTriage;
        await using var db = await Db.CreateDbContextAsync();
        _finding = (await FindingQueries.ToViewsAsync(db, user.Visible(db, db.Findings.AsNoTracking().Where(f => f.Id == Id)))).FirstOrDefault();
        if (_finding is not null)
        {
            _advisories = await FindingDetailQueries.AdvisoriesAsync(db, _finding.GroupId);
            var visible = user.VisibleArtifactIds(db);
            _same = await FindingDetailQueries.SameProblemAsync(db, Id, _finding.GroupId, visible, SameProblemShown);
            _sameCount = _same.Count < SameProblemShown ? _same.Count : await FindingDetailQueries.SameProblemCountAsync(db, Id, _finding.GroupId, visible);
            _history = await FindingDetailQueries.ObservationHistoryAsync(db, Id);
            _decisions = await Decisions.HistoryAsync(Id);
            _current = _decisions.FirstOrDefault();
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

    private async Task DecideAsync(DecisionInput input)
    {
        try
        {
            var user = await Access.CurrentAsync();
            if (!user.CanTriage) throw new UnauthorizedAccessException("viewers cannot decide");
            await Decisions.DecideAsync(new DecisionRequest(Id, null, input.Status, input.Justification, user.UserId, user.Name));
            _decisions = await Decisions.HistoryAsync(Id);
            _current = _decisions.FirstOrDefault();
            Snackbar.Add($"Decided: {input.Status.ToLabel()}", MudBlazor.Severity.Success);
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException or DbUpdateException)
        {
            Snackbar.Add($"Not recorded: {Components.Shared.ErrorText.Describe(e)}", MudBlazor.Severity.Error);
        }
    }
}
