using System.Globalization;
using System.Text;
using Triage.Core.Domain;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Sessions;

/// <summary>A session's summary as Markdown (for the meeting notes) or CSV (for a spreadsheet).</summary>
public static class SessionExport
{
    public static string ToMarkdown(SessionSummary s)
    {
        var b = new StringBuilder();
        b.Append("# Triage session: ").AppendLine(Md(s.Name)).AppendLine();
        b.Append("- Facilitator: ").AppendLine(Md(s.Facilitator));
        b.Append("- Started: ").AppendLine(Time(s.StartedAt));
        b.Append("- Closed: ").AppendLine(s.ClosedAt is { } c ? Time(c) : "still open");
        b.Append("- Queue: `").Append(s.Query.Length == 0 ? "all open findings" : s.Query.Replace("`", "'", StringComparison.Ordinal)).AppendLine("`");
        b.Append("- Decided: ").Append(s.Decided.Count()).Append(", deferred: ").Append(s.Deferred.Count()).AppendLine().AppendLine();

        b.AppendLine("## Decided").AppendLine();
        if (!s.Decided.Any()) b.AppendLine("Nothing was decided.").AppendLine();
        else
        {
            b.AppendLine("| # | Vulnerability | Package | Image | Severity | Decision | Justification | By | At |");
            b.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var l in s.Decided)
                b.Append("| ").Append(l.Position).Append(" | ").Append(Md(l.Vulnerability)).Append(" | ").Append(Md(l.Package)).Append(" | ").Append(Md(l.Image))
                    .Append(" | ").Append(l.Severity?.ToWire() ?? "").Append(" | ").Append(l.Decision!.Value.ToWire()).Append(" | ").Append(Md(l.Justification ?? ""))
                    .Append(" | ").Append(Md(l.DecidedBy ?? "")).Append(" | ").Append(l.DecidedAt is { } at ? Time(at) : "").AppendLine(" |");
            b.AppendLine();
        }
        b.AppendLine("## Deferred").AppendLine();
        if (!s.Deferred.Any()) b.AppendLine("Nothing was left for later.");
        else
        {
            b.AppendLine("| # | Vulnerability | Package | Image | Severity |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var l in s.Deferred)
                b.Append("| ").Append(l.Position).Append(" | ").Append(Md(l.Vulnerability)).Append(" | ").Append(Md(l.Package)).Append(" | ").Append(Md(l.Image))
                    .Append(" | ").Append(l.Severity?.ToWire() ?? "").AppendLine(" |");
        }
        return b.ToString();
    }

    public static string ToCsv(SessionSummary s)
    {
        var b = new StringBuilder();
        b.AppendLine("position,finding_id,vulnerability,package,image,severity,outcome,decision,justification,decided_by,decided_at");
        foreach (var l in s.Lines)
        {
            string[] cells =
            [
                l.Position.ToString(CultureInfo.InvariantCulture), l.FindingId.ToString(CultureInfo.InvariantCulture), l.Vulnerability, l.Package, l.Image,
                l.Severity?.ToWire() ?? "", l.Deferred ? "deferred" : "decided", l.Decision?.ToWire() ?? "", l.Justification ?? "", l.DecidedBy ?? "",
                l.DecidedAt is { } at ? at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "",
            ];
            b.AppendLine(string.Join(',', cells.Select(Csv)));
        }
        return b.ToString();
    }

    /// <summary>CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets do not run it as a formula.</summary>
    internal static string Csv(string value)
    {
        var v = value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;
        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    /// <summary>Markdown table cell: pipes and line breaks would break the table; angle brackets would become HTML.</summary>
    internal static string Md(string value)
    {
        var b = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '|': b.Append("\\|"); break;
                case '<': b.Append("&lt;"); break;
                case '>': b.Append("&gt;"); break;
                case '\r' or '\n': b.Append(' '); break;
                default: if (!char.IsControl(ch)) b.Append(ch); break;
            }
        }
        return b.ToString();
    }

    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static IEndpointRouteBuilder MapSessionExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sessions/{id:long}/summary.{format:regex(^(md|csv)$)}", async (long id, string format, HttpContext http, SessionService sessions,
            UserAccessService access, CancellationToken ct) =>
        {
            var user = await access.ForAsync(http.User, ct);
            var summary = await sessions.SummaryAsync(id, user, ct);
            if (summary is null) return Results.NotFound();
            var name = $"triage-session-{id}.{format}";
            return format == "md"
                ? Results.File(Encoding.UTF8.GetBytes(ToMarkdown(summary)), "text/markdown; charset=utf-8", name)
                : Results.File(Encoding.UTF8.GetBytes(ToCsv(summary)), "text/csv; charset=utf-8", name);
        }).RequireAuthorization(Policies.View).WithName("SessionSummaryExport").ExcludeFromDescription();
        return app;
    }
}
