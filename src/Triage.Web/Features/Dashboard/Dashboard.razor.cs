using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Ranking;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Dashboard;

public partial class Dashboard
{
    private const int DecisionsShown = 200;

    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private IDecisionStore Decisions { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private DashboardModel? _model;
    private bool _canImport;
    private string? _userName;

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        var user = await Access.CurrentAsync();
        _canImport = user.CanTriage;
        _userName = user.Name;
        _model = await DashboardModel.LoadAsync(Db, Decisions, user, Time.GetUtcNow().UtcDateTime, DecisionsShown);
    }
}

/// <summary>Everything the dashboard shows, for the images the reader may see.</summary>
public sealed record DashboardModel(ImageCounts Counts, SeverityCounts Open, IReadOnlyDictionary<SsvcPriority, int> OpenByPriority, IReadOnlyList<TopRisk> TopRisks,
    IReadOnlyList<LatestImport> Imports, IReadOnlyList<DecisionRecord> DecisionsThisWeek)
{
    public static async Task<DashboardModel> LoadAsync(IDbContextFactory<TriageDbContext> factory, IDecisionStore decisions, UserAccess user, DateTime now,
        int decisionsShown, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var visible = user.VisibleRepositoryIds(db);
        var counts = await DashboardQueries.ImageCountsAsync(db, visible, ct);
        if (counts.Images == 0) return new DashboardModel(counts, SeverityCounts.Empty, new Dictionary<SsvcPriority, int>(), [], [], []);
        var open = await DashboardQueries.OpenBySeverityAsync(db, visible, ct);
        var byPriority = await DashboardQueries.OpenByPriorityAsync(db, visible, ct);
        var risks = await DashboardQueries.TopRisksAsync(db, visible, 8, ct);
        var imports = await DashboardQueries.LatestImportsAsync(db, visible, 8, ct);
        Func<TriageDbContext, IQueryable<long>?>? visibleFindings = user.IsAdmin ? null : d => user.Visible(d, d.Findings).Select(f => f.Id);
        var recent = await decisions.SinceAsync(now.AddDays(-7), visibleFindings, decisionsShown, ct);
        return new DashboardModel(counts, SeverityCounts.From(open.Select(kv => (kv.Key, kv.Value))), byPriority, risks, imports, recent);
    }
}
