using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Audit;
using Triage.Data.Import;
using Triage.Web.Infrastructure.Security;
using Triage.Web.Infrastructure.Queue;

namespace Triage.Web.Features.Import;

/// <summary>POST /api/v1/scans: the same import as `triage ingest`, for CI pipelines.</summary>
public static class ScansApi
{
    public static RouteGroupBuilder MapScansApi(this RouteGroupBuilder api)
    {
        api.MapPost("/scans", UploadAsync)
            .WithName("UploadScan")
            .RequireAuthorization(Infrastructure.Access.Policies.ApiUpload)
            .WithSummary("Import a Trivy, Grype or Snyk JSON report")
            .WithDescription("Body: the raw report (application/json) or a multipart form with a 'file' field. Query: image (names the image " +
                             "when the report does not), scanner (auto|trivy|grype|snyk). 201 with the import summary; 200 when the same bytes " +
                             "were imported before; 422 for a report that cannot be imported; 413 over the size limit.")
            // One Accepts with both content types: a second call would replace the first (multipart uploads got 415).
            .Accepts<JsonElement>("application/json", "multipart/form-data")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithOwnBodyLimit()
            .DisableAntiforgery();
        return api;
    }

    internal static async Task<IResult> UploadAsync(HttpContext http, ImportQueueService imports, IConfiguration config, Auditor audit,
        [FromQuery] string? image, [FromQuery] string? scanner, CancellationToken ct)
    {
        var limit = config.GetValue<long?>("Triage:Import:MaxReportBytes") ?? ImportOptions.DefaultMaxBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        if (http.Request.ContentLength > limit)
            return Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "Report too large", $"the report is larger than the limit of {CaptureStream.FormatBytes(limit)}", null);

        ScannerKind? forced = null;
        if (!string.IsNullOrEmpty(scanner) && scanner != "auto")
        {
            if (!ScannerKindNames.TryParse(scanner, out var k))
                return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "Invalid parameter", $"scanner must be auto, trivy, grype or snyk, not '{scanner}'", null);
            forced = k;
        }
        if (image is not null && !Triage.Core.Identity.ImageReference.TryParse(image, out _))
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "Invalid parameter", $"image '{image}' is not an image reference", null);

        Stream body;
        string fileName;
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await http.Request.ReadFormAsync(ct); }
            catch (InvalidDataException e) { return Problem(StatusCodes.Status400BadRequest, "invalid_form", "Invalid form", e.Message, null); }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return Problem(StatusCodes.Status400BadRequest, "missing_file", "No report", "the multipart form has no 'file' field", null);
            body = file.OpenReadStream();
            fileName = Path.GetFileName(file.FileName);
        }
        else
        {
            body = http.Request.Body;
            fileName = http.Request.Headers["X-Report-Name"].FirstOrDefault() is { Length: > 0 } n ? Path.GetFileName(n) : "upload.json";
        }

        var user = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null;
        var options = new ImportOptions { Image = image, Scanner = forced, ImportedBy = user ?? "api", MaxBytes = limit };
        try
        {
            await using (body)
            {
                // Through the durable queue: this instance imports and scores it; if it dies, another finishes it.
                var summary = await imports.ImportAsync(body, fileName, options, ct);
                await audit.RecordAsync(http.User, AuditActions.ReportImported, "scan", summary.Image ?? fileName,
                    $"{fileName}: {summary.Findings} findings ({summary.NewFindings} new)" + (summary.Duplicate ? ", same bytes imported before" : ""));
                return new ImportResult(summary);
            }
        }
        catch (ReportFormatException e)
        {
            var status = e.Code == ReportErrorCode.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status422UnprocessableEntity;
            await audit.RecordAsync(http.User, AuditActions.ReportRejected, "scan", fileName, $"{e.CodeName}: {e.Message}", succeeded: false);
            return Problem(status, e.CodeName, "Report not imported", $"{fileName}: {e.Describe()}", e, fileName);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // This instance is shutting down: the job went back to the queue, and another instance finishes it.
            return Problem(StatusCodes.Status503ServiceUnavailable, "instance_stopping", "Instance stopping",
                $"{fileName}: this instance stopped while importing; another instance finishes the import (sending the same bytes again answers with its result as a duplicate)", null, fileName);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "Report too large", $"{fileName}: the report is larger than the limit of {CaptureStream.FormatBytes(limit)}", null, fileName);
        }
    }

    private static IResult Problem(int status, string code, string title, string detail, ReportFormatException? e, string? file = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (file is not null) extensions["file"] = file;
        if (e?.Line is { } line) extensions["line"] = line;
        if (e?.BytePosition is { } pos) extensions["bytePosition"] = pos;
        return Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://triage.example/problems/{code}", extensions: extensions);
    }

    /// <summary>201 (or 200 for a duplicate) with the summary written by the shared writer.</summary>
    private sealed class ImportResult(ImportSummary summary) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = summary.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created;
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var w = new Utf8JsonWriter(http.Response.Body);
            ImportJson.Write(w, summary);
            await w.FlushAsync();
        }
    }
}
