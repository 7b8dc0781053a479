using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Audit;
using Triage.Core.Enrichment;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Import;
using Triage.Data.Runtime;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Runtime;

/// <summary>The runtime services the pages and the API share, configured from Triage:Ranking and Triage:Runtime as the CLI is,
/// and the scheduled KEV/EPSS downloads (Triage:Enrichment).</summary>
public static class RuntimeServices
{
    public static WebApplicationBuilder AddTriageRuntime(this WebApplicationBuilder builder)
    {
        var downloads = builder.Configuration.GetSection(EnrichmentDownloadOptions.Section).Get<EnrichmentDownloadOptions>() ?? new EnrichmentDownloadOptions();
        if (downloads.Validate().ToList() is { Count: > 0 } problems) throw new InvalidOperationException(string.Join("; ", problems));
        builder.Services.AddSingleton(downloads);
        builder.Services.AddHttpClient(EnrichmentDownloader.HttpClientName);
        builder.Services.AddSingleton<EnrichmentDownloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EnrichmentDownloader>());
        builder.Services.AddScoped<BrowserRuntimeImport>();
        // A bad Triage:Ranking or Triage:Runtime section stops the app at start with its reasons, not at the first upload.
        var policy = RuntimeConfiguration.Ranking(builder.Configuration);
        var settings = RuntimeConfiguration.Runtime(builder.Configuration);
        var cs = Infrastructure.DataServices.ResolveConnectionString(builder.Configuration);
        builder.Services.AddSingleton(new FindingRiskService(cs, policy, settings));
        builder.Services.AddSingleton(new RuntimeIngestService(cs, settings, policy));
        builder.Services.AddSingleton(new EnrichmentService(cs, policy, settings));
        // Purged by the retention service (Triage:Runtime:Retention, ADR 111); a bad section stops the app at start.
        var retention = RuntimeConfiguration.Retention(builder.Configuration);
        builder.Services.AddSingleton(sp => new RuntimeRetention(cs, retention, settings, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Triage:Import:MaxDecompressedBytes: how far a gzip upload (EPSS scores, the one format Triage inflates) may
    /// expand; the file itself is held to Triage:Import:MaxReportBytes.</summary>
    internal static long MaxDecompressedBytes(IConfiguration config) =>
        config.GetValue<long?>("Triage:Import:MaxDecompressedBytes") ?? EpssReadOptions.DefaultMaxDecompressedBytes;

    /// <summary>At start: scores findings that have none (a database from before ranking) or were scored under another
    /// policy (Triage:Ranking changed), so the priority sort sees every finding.</summary>
    public static async Task EnsureRiskScoresAsync(this WebApplication app)
    {
        if (await app.Services.GetRequiredService<FindingRiskService>().EnsureCurrentAsync())
            app.Logger.LogInformation("Findings scored again (new or changed ranking policy)");
    }
}

/// <summary>
/// POST /api/v1/runtime/evidence (the same ingest as `triage runtime ingest`) and POST /api/v1/enrichment (as `triage
/// enrich`): runtime evidence and exploitation data from pipelines and cluster jobs. Both need an upload-scoped token, hold
/// the body to Triage:Import:MaxReportBytes as report uploads do, and are audited as the Runtime page's uploads are.
/// </summary>
public static class RuntimeApi
{
    public static RouteGroupBuilder MapRuntimeApi(this RouteGroupBuilder api)
    {
        api.MapPost("/runtime/evidence", UploadEvidenceAsync)
            .WithName("UploadRuntimeEvidence")
            .RequireAuthorization(Policies.ApiUpload)
            .WithSummary("Ingest runtime evidence (format detected from content)")
            .WithDescription("Body: the raw file or a multipart form with a 'file' field: a kubectl or kubelet pod list, trivy-operator " +
                             "VulnerabilityReports, slim creport.json or slim.report.json, file-access JSON lines, govulncheck JSON, or a Trivy " +
                             "--list-all-pkgs / Syft / CycloneDX package list. Query: cluster, coverage (what an inventory covers: cluster, " +
                             "namespaces:NS[,NS…], node:NAME or partial; default derived from the list), image, partial (true marks a slim profile " +
                             "partial), source, observedAt (ISO 8601). 201 with the ingest summary (as `triage runtime ingest --json` prints per file); " +
                             "200 when the same bytes with the same options were ingested before; 400 for a bad parameter or a file that needs " +
                             "'image'; 422 for content that cannot be read; 413 over the size limit.")
            .Accepts<JsonElement>("application/json", "multipart/form-data")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            // Evidence files (a cluster's pod list, an SBOM) are megabytes: the report limit, not the 1 MiB default.
            .WithOwnBodyLimit()
            .DisableAntiforgery();
        api.MapPost("/enrichment", UploadEnrichmentAsync)
            .WithName("UploadEnrichment")
            .RequireAuthorization(Policies.ApiUpload)
            .WithSummary("Import CISA KEV or FIRST EPSS data (format detected from content)")
            .WithDescription("Body: the raw file or a multipart form with a 'file' field: the KEV catalog (JSON or CSV) or EPSS scores " +
                             "(CSV, plain or gzip, or JSON). 201 with the import summary (as `triage enrich --json` prints per file); 200 when " +
                             "the same bytes were imported before; 422 for content that is neither; 413 over the size limit, or for a gzip " +
                             "file that inflates past Triage:Import:MaxDecompressedBytes or holds a line longer than 64 KiB.")
            .Accepts<JsonElement>("application/json", "text/csv", "application/gzip", "multipart/form-data")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            // The KEV JSON alone is 1.3 MiB.
            .WithOwnBodyLimit()
            .DisableAntiforgery();
        return api;
    }

    internal static async Task<IResult> UploadEvidenceAsync(HttpContext http, RuntimeIngestService service, IConfiguration config, Auditor audit,
        [FromQuery] string? cluster, [FromQuery] string? image, [FromQuery] bool? partial, [FromQuery] string? source, [FromQuery] string? observedAt,
        [FromQuery] string? coverage, CancellationToken ct)
    {
        var limit = Limit(http, config);
        if (http.Request.ContentLength > limit) return TooLarge(limit, null);
        DateTimeOffset? at = null;
        if (!string.IsNullOrEmpty(observedAt))
        {
            if (!DateTimeOffset.TryParse(observedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "Invalid parameter", $"observedAt '{observedAt}' is not a time (ISO 8601)", null);
            at = parsed;
        }
        InventoryCoverage? stated = null;
        if (!string.IsNullOrEmpty(coverage) && !InventoryCoverage.TryParse(coverage, out stated, out var coverageError))
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "Invalid parameter", coverageError!, null);
        if (image is not null && !RuntimeImageName.TryParse(image, out _))
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "Invalid parameter", $"image '{image}' is not an image reference", null);

        var (body, fileName, problem) = await BodyAsync(http, "evidence.json", ct);
        if (problem is not null) return problem;
        var options = new RuntimeIngestOptions
        {
            Cluster = cluster,
            Coverage = stated,
            Image = image,
            SlimCompleteness = partial == true ? ProfileCompleteness.Partial : null,
            Source = source,
            ObservedAt = at,
            ImportedBy = User(http),
            MaxBytes = limit,
            AuditChannel = AuditChannels.Api,
        };
        try
        {
            await using (body!)
            {
                var summary = await service.IngestAsync(body!, fileName, options, ct);
                await audit.RecordAsync(http.User, AuditActions.ReportImported, "runtime-evidence", fileName, BrowserRuntimeImport.Details(fileName, summary));
                return new JsonResult(summary.Duplicate, w => RuntimeJson.Write(w, summary));
            }
        }
        catch (ReportFormatException e)
        {
            await audit.RecordAsync(http.User, AuditActions.ReportRejected, "runtime-evidence", fileName, e.Message, succeeded: false);
            return NotRead(e, fileName);
        }
        catch (ArgumentException e)
        {
            await audit.RecordAsync(http.User, AuditActions.ReportRejected, "runtime-evidence", fileName, e.Message, succeeded: false);
            // The CLI's flag names mean the query parameters here.
            return Problem(StatusCodes.Status400BadRequest, "invalid", "Evidence not ingested", $"{fileName}: {e.Message.Replace("--image", "image", StringComparison.Ordinal)}", null, fileName);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(limit, fileName); }
    }

    internal static async Task<IResult> UploadEnrichmentAsync(HttpContext http, EnrichmentService service, IConfiguration config, Auditor audit, CancellationToken ct)
    {
        var limit = Limit(http, config);
        if (http.Request.ContentLength > limit) return TooLarge(limit, null);
        var (body, fileName, problem) = await BodyAsync(http, "enrichment", ct);
        if (problem is not null) return problem;
        try
        {
            await using (body!)
            {
                var options = new EnrichmentImportOptions { ImportedBy = User(http), MaxBytes = limit, MaxDecompressedBytes = RuntimeServices.MaxDecompressedBytes(config) };
                var summary = await service.ImportAsync(body!, fileName, options, ct);
                await audit.RecordAsync(http.User, AuditActions.ReportImported, "enrichment", fileName, BrowserRuntimeImport.Details(fileName, summary));
                return new JsonResult(summary.Duplicate, w => EnrichmentJson.Write(w, summary));
            }
        }
        catch (Exception e) when (e is ReportFormatException or ArgumentException)
        {
            // ArgumentException: a KEV catalog older than the one in use.
            await audit.RecordAsync(http.User, AuditActions.ReportRejected, "enrichment", fileName, e.Message, succeeded: false);
            return e is ReportFormatException r ? NotRead(r, fileName)
                : Problem(StatusCodes.Status422UnprocessableEntity, "invalid", "File not imported", $"{fileName}: {e.Message}", null, fileName);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(limit, fileName); }
    }

    private static long Limit(HttpContext http, IConfiguration config)
    {
        var limit = config.GetValue<long?>("Triage:Import:MaxReportBytes") ?? ImportOptions.DefaultMaxBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        return limit;
    }

    private static string User(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.Identity.Name is { } name ? name : "api";

    /// <summary>The raw body (named by X-Report-Name) or the form's 'file'.</summary>
    private static async Task<(Stream? Body, string FileName, IResult? Problem)> BodyAsync(HttpContext http, string defaultName, CancellationToken ct)
    {
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await http.Request.ReadFormAsync(ct); }
            catch (InvalidDataException e) { return (null, defaultName, Problem(StatusCodes.Status400BadRequest, "invalid_form", "Invalid form", e.Message, null)); }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return (null, defaultName, Problem(StatusCodes.Status400BadRequest, "missing_file", "No file", "the multipart form has no 'file' field", null));
            return (file.OpenReadStream(), Path.GetFileName(file.FileName), null);
        }
        var name = http.Request.Headers["X-Report-Name"].FirstOrDefault() is { Length: > 0 } n ? Path.GetFileName(n) : defaultName;
        return (http.Request.Body, name, null);
    }

    /// <summary>413 for a file over a limit (its size, what it inflates to, one line: the message names which), else 422.</summary>
    private static IResult NotRead(ReportFormatException e, string fileName) =>
        e.Code == ReportErrorCode.TooLarge
            ? Problem(StatusCodes.Status413PayloadTooLarge, e.CodeName, "File too large", $"{fileName}: {e.Describe()}", e, fileName)
            : Problem(StatusCodes.Status422UnprocessableEntity, e.CodeName, "File not imported", $"{fileName}: {e.Describe()}", e, fileName);

    private static IResult TooLarge(long limit, string? fileName) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "File too large",
            $"{(fileName is null ? "the file" : fileName)} is larger than the limit of {CaptureStream.FormatBytes(limit)}", null, fileName);

    private static IResult Problem(int status, string code, string title, string detail, ReportFormatException? e, string? file = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (file is not null) extensions["file"] = file;
        if (e?.Line is { } line) extensions["line"] = line;
        if (e?.BytePosition is { } pos) extensions["bytePosition"] = pos;
        return Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://triage.example/problems/{code}", extensions: extensions);
    }

    /// <summary>201 (or 200 for a duplicate) with the summary written by the writer the CLI uses.</summary>
    private sealed class JsonResult(bool duplicate, Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created;
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var w = new Utf8JsonWriter(http.Response.Body);
            write(w);
            await w.FlushAsync();
        }
    }
}
