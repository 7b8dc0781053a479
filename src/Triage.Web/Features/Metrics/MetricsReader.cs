using Microsoft.EntityFrameworkCore;
using Triage.Core.Metrics;
using Triage.Data;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>Why a metrics request gives nothing: the thing is unknown (or invisible, which looks the same), the reader may not
/// act on it, or the request is wrong.</summary>
public enum MetricsError
{
    NotFound,
    Forbidden,
    Invalid,
}

/// <summary>A value, or the reason there is none.</summary>
public sealed record MetricsResult<T>(T? Value, MetricsError? Error, string? Message)
{
    public static MetricsResult<T> Ok(T value) => new(value, null, null);

    public static MetricsResult<T> Fail(MetricsError error, string message) => new(default, error, message);
}

/// <summary>
/// What the weekly review, the compare page, the lineage page and the API read and change, narrowed to what the reader may
/// see: an admin everything, anyone else their teams' repositories and the unowned ones (as the findings pages). One
/// context per operation.
/// </summary>
public sealed class MetricsReader(IDbContextFactory<TriageDbContext> factory, TimeProvider time)
{
    public const int DefaultWeeks = 12;

    /// <summary>The teams the reader may pick (admins: every team), by name.</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> TeamsAsync(UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var teams = db.Teams.AsNoTracking();
        if (!user.IsAdmin)
        {
            var mine = user.TeamIds.ToList();
            teams = teams.Where(t => mine.Contains(t.Id));
        }
        return (await teams.OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(ct)).Select(t => (t.Id, t.Name)).ToList();
    }

    public async Task<MetricsResult<WeeklyReport>> WeeklyAsync(UserAccess user, string? team, string? repository, int? weeks, string? week,
        CancellationToken ct = default)
    {
        IsoWeek? selected = null;
        if (!string.IsNullOrWhiteSpace(week))
        {
            if (!IsoWeek.TryParse(week, out var w)) return MetricsResult<WeeklyReport>.Fail(MetricsError.Invalid, $"'{week}' is not an ISO week such as 2026-W05");
            selected = w;
        }
        if (weeks is < 1 or > 520) return MetricsResult<WeeklyReport>.Fail(MetricsError.Invalid, "weeks must be between 1 and 520");
        await using var db = await factory.CreateDbContextAsync(ct);
        var scope = await ScopeAsync(db, user, team, repository, ct);
        if (scope.Error is not null) return MetricsResult<WeeklyReport>.Fail(scope.Error.Value, scope.Message!);
        var decisions = await DecisionsAsOf.LoadAsync(db, ct);
        var report = await WeeklyReportQueries.LoadAsync(db, scope.Value!, weeks ?? DefaultWeeks, selected, Now, decisions, ct);
        return MetricsResult<WeeklyReport>.Ok(report);
    }

    private async Task<MetricsResult<ReportScope>> ScopeAsync(TriageDbContext db, UserAccess user, string? team, string? repository, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(team) && !string.IsNullOrWhiteSpace(repository))
            return MetricsResult<ReportScope>.Fail(MetricsError.Invalid, "give a team or a repository, not both");
        if (!string.IsNullOrWhiteSpace(team))
        {
            if (await WeeklyReportQueries.FindTeamAsync(db, team, ct) is not { } t || (!user.IsAdmin && !user.TeamIds.Contains(t.Id)))
                return MetricsResult<ReportScope>.Fail(MetricsError.NotFound, $"no team '{team}' you are in");
            return MetricsResult<ReportScope>.Ok(ReportScope.Team(t.Id, t.Name));
        }
        if (!string.IsNullOrWhiteSpace(repository))
        {
            if (await VisibleRepositoryAsync(db, user, repository, ct) is not { } r)
                return MetricsResult<ReportScope>.Fail(MetricsError.NotFound, $"no repository '{repository}' you may see");
            return MetricsResult<ReportScope>.Ok(ReportScope.Repository(r.Id, r.Name));
        }
        return MetricsResult<ReportScope>.Ok(user.IsAdmin ? ReportScope.All : ReportScope.Visible(user.TeamIds));
    }

    public async Task<MetricsResult<Comparison>> CompareImagesAsync(UserAccess user, string? a, string? b, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
            return MetricsResult<Comparison>.Fail(MetricsError.Invalid, "name two images: a and b");
        await using var db = await factory.CreateDbContextAsync(ct);
        var visible = user.VisibleArtifactIds(db);
        var ids = new long[2];
        foreach (var (reference, i) in new[] { (a, 0), (b, 1) })
        {
            var id = await CompareQueries.ResolveImageAsync(db, reference, ct);
            if (id is null || (visible is not null && !await visible.AnyAsync(x => x == id, ct)))
                return MetricsResult<Comparison>.Fail(MetricsError.NotFound, $"no image '{reference}' you may see");
            ids[i] = id.Value;
        }
        var decisions = await DecisionsAsOf.LoadAsync(db, ct);
        return MetricsResult<Comparison>.Ok(await CompareQueries.ImagesAsync(db, ids[0], ids[1], Now, decisions, ct));
    }

    public async Task<MetricsResult<Comparison>> CompareDatesAsync(UserAccess user, string? repository, DateTime from, DateTime? to, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(repository)) return MetricsResult<Comparison>.Fail(MetricsError.Invalid, "name a repository");
        var second = to ?? Now;
        if (second < from) return MetricsResult<Comparison>.Fail(MetricsError.Invalid, "the second date is before the first");
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleRepositoryAsync(db, user, repository, ct) is not { } r)
            return MetricsResult<Comparison>.Fail(MetricsError.NotFound, $"no repository '{repository}' you may see");
        var decisions = await DecisionsAsOf.LoadAsync(db, ct);
        return MetricsResult<Comparison>.Ok(await CompareQueries.DatesAsync(db, r.Id, from, second, decisions, ct));
    }

    public async Task<MetricsResult<LineageView>> LineageAsync(UserAccess user, string repository, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleRepositoryAsync(db, user, repository, ct) is not { } r)
            return MetricsResult<LineageView>.Fail(MetricsError.NotFound, $"no repository '{repository}' you may see");
        return MetricsResult<LineageView>.Ok((await LineageQueries.ForRepositoryAsync(db, r.Id, Now, ct))!);
    }

    public async Task<MetricsResult<LineageView>> LineageAsync(UserAccess user, long repositoryId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var name = await user.Visible(db, db.Repositories.AsNoTracking()).Where(r => r.Id == repositoryId).Select(r => r.Name).FirstOrDefaultAsync(ct);
        if (name is null) return MetricsResult<LineageView>.Fail(MetricsError.NotFound, $"repository {repositoryId} does not exist, or belongs to a team you are not in");
        return MetricsResult<LineageView>.Ok((await LineageQueries.ForRepositoryAsync(db, repositoryId, Now, ct))!);
    }

    /// <summary>The repositories a lineage page offers as "this one replaces…": visible, other than the lineage's own.</summary>
    public async Task<IReadOnlyList<string>> ReplaceableAsync(UserAccess user, LineageView lineage, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var own = lineage.Repositories.Select(r => r.Id).ToList();
        return await user.Visible(db, db.Repositories.AsNoTracking()).Where(r => !own.Contains(r.Id)).OrderBy(r => r.Name).Select(r => r.Name).ToListAsync(ct);
    }

    /// <summary>Declares that <paramref name="newRepository"/> replaces <paramref name="oldRepository"/> (triagers and admins,
    /// on repositories they may see).</summary>
    public async Task<MetricsResult<LineageRepositoryView>> ReplaceAsync(UserAccess user, string? oldRepository, string? newRepository, CancellationToken ct = default)
    {
        if (!user.CanTriage) return MetricsResult<LineageRepositoryView>.Fail(MetricsError.Forbidden, "declaring a replacement needs the Triager or Admin role");
        if (string.IsNullOrWhiteSpace(oldRepository) || string.IsNullOrWhiteSpace(newRepository))
            return MetricsResult<LineageRepositoryView>.Fail(MetricsError.Invalid, "name the old and the new repository");
        await using var db = await factory.CreateDbContextAsync(ct);
        foreach (var name in new[] { oldRepository, newRepository })
            if (await VisibleRepositoryAsync(db, user, name, ct) is null)
                return MetricsResult<LineageRepositoryView>.Fail(MetricsError.NotFound, $"no repository '{name}' you may see");
        try
        {
            return MetricsResult<LineageRepositoryView>.Ok(await LineageService.ReplaceAsync(db, oldRepository, newRepository, ct));
        }
        catch (LineageException e)
        {
            return MetricsResult<LineageRepositoryView>.Fail(MetricsError.Invalid, e.Message);
        }
    }

    public async Task<MetricsResult<LineageRepositoryView>> UnlinkAsync(UserAccess user, string? repository, CancellationToken ct = default)
    {
        if (!user.CanTriage) return MetricsResult<LineageRepositoryView>.Fail(MetricsError.Forbidden, "withdrawing a replacement needs the Triager or Admin role");
        if (string.IsNullOrWhiteSpace(repository)) return MetricsResult<LineageRepositoryView>.Fail(MetricsError.Invalid, "name the repository");
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await VisibleRepositoryAsync(db, user, repository, ct) is null)
            return MetricsResult<LineageRepositoryView>.Fail(MetricsError.NotFound, $"no repository '{repository}' you may see");
        return MetricsResult<LineageRepositoryView>.Ok(await LineageService.UnlinkAsync(db, repository, ct));
    }

    private static async Task<(long Id, string Name)?> VisibleRepositoryAsync(TriageDbContext db, UserAccess user, string name, CancellationToken ct)
    {
        if (await LineageQueries.FindRepositoryAsync(db, name, ct) is not { } r) return null;
        var visible = user.VisibleRepositoryIds(db);
        return visible is null || await visible.AnyAsync(id => id == r.Id, ct) ? r : null;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
