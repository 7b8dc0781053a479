using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Audit;
using Triage.Data.Audit;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Admin;

/// <summary>GET /admin/audit.csv|json: the audit log for admins (signed in), streamed oldest first; the export is itself audited.</summary>
public static class AuditExport
{
    public static IEndpointRouteBuilder MapAuditExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/audit.{format:regex(^(csv|json)$)}", async (string format, HttpContext http, AuditLog log, Auditor audit,
            [FromQuery] string? action, [FromQuery] string? actor, [FromQuery] string? target, [FromQuery] DateTime? from, [FromQuery] DateTime? to) =>
        {
            var query = new AuditQuery
            {
                Action = action, Actor = actor, Target = target,
                From = from?.ToUniversalTime(), To = to?.ToUniversalTime(),
            };
            await audit.RecordAsync(http.User, AuditActions.AuditExported, "audit", null, $"format {format}");
            http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"triage-audit.{format}\"";
            var ct = http.RequestAborted;
            if (format == "csv")
            {
                await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
                await writer.WriteLineAsync(AuditLog.CsvHeader);
                await foreach (var e in log.ExportAsync(query, ct)) await writer.WriteLineAsync(AuditLog.CsvLine(e));
                return;
            }
            await using var w = new Utf8JsonWriter(http.Response.Body);
            w.WriteStartArray();
            await foreach (var e in log.ExportAsync(query, ct))
            {
                AuditLog.WriteJson(w, e);
                if (w.BytesPending > 32 * 1024) await w.FlushAsync(ct);
            }
            w.WriteEndArray();
            await w.FlushAsync(ct);
        }).RequireAuthorization(Policies.Admin).WithName("AuditExport").ExcludeFromDescription();
        return app;
    }
}
