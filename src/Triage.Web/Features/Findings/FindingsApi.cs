using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Data.Rollups;
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
                             "package, fixAvailable, page (1-based), pageSize (max 500). Most severe first, then by id. Every full page carries `next`, " +
                             "a cursor: pass it as `after` for the following page (read along an index, however deep; `page` is then ignored).");
        return api;
    }

    internal static async Task<IResult> ListAsync(IDbContextFactory<TriageDbContext> factory, UserAccessService access, FindingsQueryGate gate, IMemoryCache totals,
        HttpContext http, [FromQuery] string? image, [FromQuery] string? severity,
        [FromQuery] string? vuln, [FromQuery] string? scanner, [FromQuery] string? package, [FromQuery] bool? fixAvailable,
        [FromQuery] int? page, [FromQuery] int? pageSize, [FromQuery] string? after, CancellationToken ct)
    {
        var p = Math.Max(1, page ?? 1);
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        FindingCursor? cursor = null;
        if (after is not null)
        {
            if (!FindingCursor.TryParse(after, out var c))
            {
                await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, "bad_cursor", "Invalid cursor",
                    "after must be the `next` value of a previous page (severity.id, e.g. 4.1234)");
                return Results.Empty;
            }
            cursor = c;
        }
        // Bounded admission (ADR 090): beyond the running and queued slots, the caller is told when to come back.
        using var slot = await gate.EnterAsync(ct);
        if (slot is null)
        {
            http.Response.Headers.RetryAfter = gate.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ApiProblems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "queries_busy", "Too many findings queries",
                $"this instance is busy with other findings queries: try again in {gate.RetryAfterSeconds} s");
            return Results.Empty;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(gate.Options.CommandTimeoutSeconds);
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
        // The total of one caller's filter is reused while they page (the grid does the same); rollups answer most filters.
        var totalKey = (user.UserId, image, filter.MinSeverity, vuln, scanner, package, fixAvailable);
        if (!totals.TryGetValue(totalKey, out int total))
        {
            total = await FindingCounts.TryCountAsync(db, filter, user.VisibleArtifactIds(db), ct) ?? await q.CountAsync(ct);
            totals.Set(totalKey, total, TimeSpan.FromSeconds(gate.Options.TotalReuseSeconds));
        }
        List<FindingView> views;
        if (cursor is { } from)
        {
            // Keyset paging: each severity's rest read along the (severity, id) index, so page 10,000 costs what page 1 does.
            views = [];
            await foreach (var chunk in FindingQueries.StreamBySeverityAsync(db, q, filter, size, from, limit: size, ct)) views.AddRange(chunk);
        }
        else
        {
            var pageQuery = FindingQueries.Sort(q, db, FindingSort.Severity, descending: true).Skip((p - 1) * size).Take(size);
            views = await FindingQueries.ToViewsAsync(db, pageQuery, ct);
        }
        return new PageResult(views, cursor is null ? p : null, size, total);
    }

    private sealed class PageResult(List<FindingView> items, int? page, int pageSize, int total) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var w = new Utf8JsonWriter(http.Response.Body, FindingJson.Options);
            w.WriteStartObject();
            if (page is { } number) w.WriteNumber("page", number);
            w.WriteNumber("pageSize", pageSize);
            w.WriteNumber("total", total);
            // A full page may have a next one: its cursor (a short page is the last).
            if (items.Count == pageSize) w.WriteString("next", FindingCursor.Of(items[^1]).ToString());
            else w.WriteNull("next");
            w.WriteStartArray("items");
            foreach (var f in items) FindingJson.Write(w, f);
            w.WriteEndArray();
            w.WriteEndObject();
            await w.FlushAsync();
        }
    }
}
