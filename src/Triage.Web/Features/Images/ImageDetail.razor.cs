using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Images;

public partial class ImageDetail
{
    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    private bool _loading = true;
    private ArtifactDetail? _image;
    private List<ScanRow> _scans = [];
    private List<TrendPoint> _trend = [];
    private List<BreadcrumbItem> _crumbs = [];

    /// <summary>The reference the findings filter understands for exactly this digest.</summary>
    private string FindingsImageRef => _image!.Digest is { } d ? $"{_image.Repository}@{d}" : _image.DisplayName;

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        var user = await Access.CurrentAsync();
        await using var db = await Db.CreateDbContextAsync();
        var visible = user.VisibleArtifactIds(db);
        var allowed = visible is null || await visible.AnyAsync(a => a == Id);
        _image = allowed ? await ImageQueries.ArtifactAsync(db, Id) : null;
        if (_image is not null)
        {
            _scans = await ImageQueries.ScansAsync(db, Id);
            _trend = await ImageQueries.TrendAsync(db, _image.RepositoryId);
            _crumbs = [new BreadcrumbItem("Images", "/images"), new BreadcrumbItem(_image.Repository, null, disabled: true)];
        }
        _loading = false;
    }
}
