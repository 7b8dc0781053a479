using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>
/// GET /api/v1/metrics/weekly, GET /api/v1/compare, GET /api/v1/lineage, POST and DELETE /api/v1/lineage/replacements: the
/// weekly review, comparisons and lineages for dashboards and scripts, in the CLI's formats. Also the weekly review's
/// downloads for signed-in people (GET /metrics/weekly.md and .csv).
/// </summary>
public static class MetricsApi
{
    public static RouteGroupBuilder MapMetricsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/metrics/weekly", WeeklyAsync)
            .WithName("WeeklyMetrics")
            .RequireAuthorization(Policies.ApiRead)
            .WithSummary("The weekly review: weekly snapshots, why the number moved, top movers, slimming wins, decisions expiring soon")
            .WithDescription("Query: team (id or name) or repository; weeks (default 12); week (2026-W05, default the week in progress); " +
                             "format json|csv|md (default json). A team member's token reads their teams and unowned repositories; 404 for a team or " +
                             "repository they may not see.");
        api.MapGet("/compare", CompareAsync)
            .WithName("Compare")
            .RequireAuthorization(Policies.ApiRead)
            .WithSummary("Why open findings differ between two images, or a repository's lineage at two dates")
            .WithDescription("Query: a and b (repository:tag, repository@sha256:…, or a repository for its newest image); or repository, from and to " +
                             "(dates, UTC). format json|md (default json). JSON: before, after, removedWithPackage, fixedByUpgrade, suppressedByDecision, " +
                             "newlyDisclosed, introducedByPackage, packages {before, after}, sizeBytes {before, after}, and every change.");
        api.MapGet("/lineage", LineageAsync)
            .WithName("Lineage")
            .RequireAuthorization(Policies.ApiRead)
            .WithSummary("A repository's lineage: the repositories it replaces or is replaced by, and every image over time")
            .WithDescription("Query: repository.");
        api.MapPost("/lineage/replacements", ReplaceAsync)
            .WithName("DeclareReplacement")
            .RequireAuthorization(Policies.ApiUpload)
            .WithSummary("Declare that one repository replaces another")
            .WithDescription("Body: {\"old\": \"registry/app\", \"new\": \"registry/app-distroless\"}. A triager's token with the upload scope. " +
                             "400 with the reason for a cycle or a second successor; 404 for a repository the token's owner may not see.")
            .Accepts<ReplacementRequest>("application/json")
            .DisableAntiforgery();
        api.MapDelete("/lineage/replacements", UnlinkAsync)
            .WithName("WithdrawReplacement")
            .RequireAuthorization(Policies.ApiUpload)
            .WithSummary("Withdraw what a repository replaces")
            .WithDescription("Query: repository.");
        return api;
    }

    /// <summary>The weekly review's downloads for people signed in (the page links here).</summary>
    public static IEndpointRouteBuilder MapMetricsExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics/weekly.{format:regex(^(md|csv)$)}", async (string format, [FromQuery] string? team, [FromQuery] string? repository,
                [FromQuery] int? weeks, [FromQuery] string? week, HttpContext http, MetricsReader reader, UserAccessService access, CancellationToken ct) =>
            {
                var user = await access.ForAsync(http.User, ct);
                var result = await reader.WeeklyAsync(user, team, repository, weeks, week, ct);
                if (result.Value is not { } report) return Problem(result.Error!.Value, result.Message!);
                var name = $"triage-weekly-{report.Week}.{format}";
                return format == "md"
                    ? Results.File(Encoding.UTF8.GetBytes(Text(w => WeeklyReportExport.WriteMarkdown(w, report))), "text/markdown; charset=utf-8", name)
                    : Results.File(Encoding.UTF8.GetBytes(Text(w => WeeklyReportExport.WriteCsv(w, report))), "text/csv; charset=utf-8", name);
            })
            .RequireAuthorization(Policies.View).WithName("WeeklyMetricsExport").ExcludeFromDescription();
        return app;
    }

    public sealed record ReplacementRequest(string? Old, string? New);

    internal static async Task<IResult> WeeklyAsync(MetricsReader reader, UserAccessService access, HttpContext http, [FromQuery] string? team,
        [FromQuery] string? repository, [FromQuery] int? weeks, [FromQuery] string? week, [FromQuery] string? format, CancellationToken ct)
    {
        var f = (format ?? "json").ToLowerInvariant();
        if (f is not ("json" or "csv" or "md")) return Problem(MetricsError.Invalid, "format must be json, csv or md");
        var user = await access.ForAsync(http.User, ct);
        var result = await reader.WeeklyAsync(user, team, repository, weeks, week, ct);
        if (result.Value is not { } report) return Problem(result.Error!.Value, result.Message!);
        return f switch
        {
            "csv" => Results.Text(Text(w => WeeklyReportExport.WriteCsv(w, report)), "text/csv; charset=utf-8"),
            "md" => Results.Text(Text(w => WeeklyReportExport.WriteMarkdown(w, report)), "text/markdown; charset=utf-8"),
            _ => new JsonResult(w => WeeklyReportExport.WriteJson(w, report)),
        };
    }

    internal static async Task<IResult> CompareAsync(MetricsReader reader, UserAccessService access, HttpContext http, [FromQuery] string? a,
        [FromQuery] string? b, [FromQuery] string? repository, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? format, CancellationToken ct)
    {
        var f = (format ?? "json").ToLowerInvariant();
        if (f is not ("json" or "md")) return Problem(MetricsError.Invalid, "format must be json or md");
        var user = await access.ForAsync(http.User, ct);
        MetricsResult<Comparison> result;
        if (repository is not null || from is not null || to is not null)
        {
            if (a is not null || b is not null) return Problem(MetricsError.Invalid, "give a and b (two images), or repository with from and to (dates)");
            if (!TryDate(from, out var first) || (to is not null && !TryDate(to, out _)))
                return Problem(MetricsError.Invalid, "from (and to) must be dates: yyyy-MM-dd or an ISO 8601 time");
            DateTime? second = to is null ? null : Date(to);
            result = await reader.CompareDatesAsync(user, repository, first, second, ct);
        }
        else result = await reader.CompareImagesAsync(user, a, b, ct);
        if (result.Value is not { } comparison) return Problem(result.Error!.Value, result.Message!);
        return f == "md"
            ? Results.Text(Text(w => ComparisonExport.WriteMarkdown(w, comparison)), "text/markdown; charset=utf-8")
            : new JsonResult(w => ComparisonExport.WriteJson(w, comparison));
    }

    internal static async Task<IResult> LineageAsync(MetricsReader reader, UserAccessService access, HttpContext http, [FromQuery] string? repository,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(repository)) return Problem(MetricsError.Invalid, "name a repository");
        var user = await access.ForAsync(http.User, ct);
        var result = await reader.LineageAsync(user, repository, ct);
        return result.Value is { } view ? new JsonResult(w => LineageExport.WriteJson(w, view)) : Problem(result.Error!.Value, result.Message!);
    }

    internal static async Task<IResult> ReplaceAsync(MetricsReader reader, UserAccessService access, HttpContext http, CancellationToken ct)
    {
        ReplacementRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<ReplacementRequest>(ct);
        }
        catch (JsonException e)
        {
            return Problem(MetricsError.Invalid, $"the body is not {{\"old\", \"new\"}} JSON: {e.Message}");
        }
        var user = await access.ForAsync(http.User, ct);
        var result = await reader.ReplaceAsync(user, body?.Old, body?.New, ct);
        return result.Value is { } r ? Results.Ok(new { repository = r.Name, replaces = body!.Old }) : Problem(result.Error!.Value, result.Message!);
    }

    internal static async Task<IResult> UnlinkAsync(MetricsReader reader, UserAccessService access, HttpContext http, [FromQuery] string? repository,
        CancellationToken ct)
    {
        var user = await access.ForAsync(http.User, ct);
        var result = await reader.UnlinkAsync(user, repository, ct);
        return result.Value is { } r ? Results.Ok(new { repository = r.Name, replaces = (string?)null }) : Problem(result.Error!.Value, result.Message!);
    }

    private static bool TryDate(string? text, out DateTime date)
    {
        date = default;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return false;
        date = t.UtcDateTime;
        return true;
    }

    private static DateTime Date(string text) => TryDate(text, out var d) ? d : throw new FormatException(text);

    private static string Text(Action<StringWriter> write)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        write(w);
        return w.ToString();
    }

    private static IResult Problem(MetricsError error, string detail)
    {
        var (status, code, title) = error switch
        {
            MetricsError.NotFound => (StatusCodes.Status404NotFound, "not_found", "Not found"),
            MetricsError.Forbidden => (StatusCodes.Status403Forbidden, "forbidden", "Not allowed"),
            MetricsError.Invalid => (StatusCodes.Status400BadRequest, "invalid_request", "Invalid request"),
        };
        return Results.Problem(detail, statusCode: status, title: title, type: $"https://triage.example/problems/{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });
    }

    /// <summary>Streams JSON written by one of the exports.</summary>
    private sealed class JsonResult(Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var w = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Indented = true });
            write(w);
            await w.FlushAsync();
        }
    }
}
