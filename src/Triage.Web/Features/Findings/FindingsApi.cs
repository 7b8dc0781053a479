using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Findings;

/// <summary>GET /api/v1/findings: paged findings with their evidence, same JSON as `triage findings --format json`.</summary>
public static class FindingsApi
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapFindingsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/findings", ListAsync)
            .WithName("ListFindings")
            .RequireAuthorization(Infrastructure.Access.Policies.ApiRead)
            .WithSummary("Deduplicated findings, paged")
            .WithDescription("Query: image (repository, repository:tag or repository@digest), severity (minimum), vuln (id or alias), scanner, " +
                             "package, fixAvailable, page (1-based), pageSize (max 500).");
        return api;
    }

    internal static async Task<IResult> ListAsync(IDbContextFactory<TriageDbContext> factory, UserAccessService access, HttpContext http, [FromQuery] string? image, [FromQuery] string? severity,
        [FromQuery] string? vuln, [FromQuery] string? scanner, [FromQuery] string? package, [FromQuery] bool? fixAvailable,
        [FromQuery] int? page, [FromQuery] int? pageSize, CancellationToken ct)
    {
        var p = Math.Max(1, page ?? 1);
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        await using var db = await factory.CreateDbContextAsync(ct);
        var filter = new FindingFilter
        {
            Image = image,
            MinSeverity = severity is null ? null : SeverityNames.Parse(severity),
            Vulnerability = vuln,
            Scanner = scanner,
            Package = package,
            FixAvailable = fixAvailable,
        };
        // A team member's token sees the team's images and unowned ones; an admin's sees everything.
        var user = await access.ForAsync(http.User, ct);
        var q = user.Visible(db, FindingQueries.Filtered(db, filter));
        var total = await q.CountAsync(ct);
        var pageQuery = FindingQueries.Sort(q, db, FindingSort.Severity, descending: true).Skip((p - 1) * size).Take(size);
        var views = await FindingQueries.ToViewsAsync(db, pageQuery, ct);
        return new PageResult(views, p, size, total);
    }

    private sealed class PageResult(List<FindingView> items, int page, int pageSize, int total) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var w = new Utf8JsonWriter(http.Response.Body, FindingJson.Options);
            w.WriteStartObject();
            w.WriteNumber("page", page);
            w.WriteNumber("pageSize", pageSize);
            w.WriteNumber("total", total);
            w.WriteStartArray("items");
            foreach (var f in items) FindingJson.Write(w, f);
            w.WriteEndArray();
            w.WriteEndObject();
            await w.FlushAsync();
        }
    }
}
