using Microsoft.AspNetCore.Components;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>Compares two images (a, b in the query string), or a repository's lineage at two dates (repository, from, to).</summary>
public partial class ComparePage
{
    [Inject] private MetricsReader Reader { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "a")] public string? A { get; set; }
    [SupplyParameterFromQuery(Name = "b")] public string? B { get; set; }
    [SupplyParameterFromQuery(Name = "repository")] public string? Repository { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }

    private sealed class CompareForm
    {
        public string? A { get; set; }
        public string? B { get; set; }
    }

    private readonly CompareForm _form = new();
    private Comparison? _comparison;
    private string? _error;
    private bool _loading;

    protected override async Task OnParametersSetAsync()
    {
        _form.A = A;
        _form.B = B;
        _comparison = null;
        _error = null;
        if (string.IsNullOrWhiteSpace(Repository) && (string.IsNullOrWhiteSpace(A) || string.IsNullOrWhiteSpace(B))) return;
        _loading = true;
        var user = await Access.CurrentAsync();
        MetricsResult<Comparison> result;
        if (!string.IsNullOrWhiteSpace(Repository))
        {
            if (!DateTime.TryParse(From, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var from))
            {
                _error = "from must be a date (yyyy-MM-dd)";
                _loading = false;
                return;
            }
            DateTime? to = DateTime.TryParse(To, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
            result = await Reader.CompareDatesAsync(user, Repository, from, to);
        }
        else result = await Reader.CompareImagesAsync(user, A, B);
        _comparison = result.Value;
        _error = result.Message;
        _loading = false;
    }

    private Task CompareAsync()
    {
        Navigation.NavigateTo($"/compare?a={Uri.EscapeDataString(_form.A ?? "")}&b={Uri.EscapeDataString(_form.B ?? "")}");
        return Task.CompletedTask;
    }
}
