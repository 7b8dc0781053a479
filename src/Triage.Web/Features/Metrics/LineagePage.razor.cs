using Microsoft.AspNetCore.Components;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>A repository's lineage: the chain of repositories, every image over time, and (for triagers) the replacement declaration.</summary>
public partial class LineagePage
{
    [Inject] private MetricsReader Reader { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;

    [Parameter] public long RepositoryId { get; set; }

    private LineageView? _lineage;
    private string? _error;
    private string? _message;
    private bool _canTriage;
    private string? _replaces;
    private IReadOnlyList<string> _candidates = [];

    protected override Task OnParametersSetAsync()
    {
        _message = null;
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        var user = await Access.CurrentAsync();
        _canTriage = user.CanTriage;
        var result = await Reader.LineageAsync(user, RepositoryId);
        _lineage = result.Value;
        _error = result.Message;
        _candidates = _lineage is not null && _canTriage ? await Reader.ReplaceableAsync(user, _lineage) : [];
    }

    private async Task ReplaceAsync()
    {
        var user = await Access.CurrentAsync();
        var result = await Reader.ReplaceAsync(user, _replaces, _lineage!.Repository.Name);
        _message = result.Message ?? $"{_lineage.Repository.Name} now replaces {_replaces}.";
        _replaces = null;
        await LoadAsync();
    }

    private async Task UnlinkAsync()
    {
        var user = await Access.CurrentAsync();
        var result = await Reader.UnlinkAsync(user, _lineage!.Repository.Name);
        _message = result.Message ?? $"{_lineage.Repository.Name} replaces no repository now.";
        await LoadAsync();
    }
}
