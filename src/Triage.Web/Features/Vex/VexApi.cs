using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;

using Triage.Core.Audit;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Vex;

/// <summary>
/// VEX and decisions over HTTP, the same services as `triage decide` and `triage vex`:
/// GET /api/v1/vex (export), POST /api/v1/vex (import), GET /api/v1/vex/documents[/{id}], POST /api/v1/decisions,
/// GET /api/v1/decisions/review, GET /api/v1/findings/{id}/decisions (history). The acting user is the signed-in user
/// (<see cref="HttpContext.User"/>) when there is one, else "api".
/// </summary>
public static class VexApi
{
    public static RouteGroupBuilder MapVexApi(this RouteGroupBuilder api)
    {
        api.MapGet("/vex", ExportAsync)
            .RequireAuthorization(Policies.ApiRead)
            .WithName("ExportVex")
            .WithSummary("The VEX document for an image, a repository, a team or everything")
            .WithDescription("Query: format (openvex|cyclonedx|csaf, default openvex); at most one of image (repository:tag or repository@sha256:…), " +
                             "repository, team; author (document author); sign=true returns {document, bundle}, the bundle a Sigstore v0.3 DSSE attestation " +
                             "(predicate https://openvex.dev/ns for OpenVEX) over the image digests. The same scope and author give the same bytes until a decision changes; " +
                             "the version goes up only then (X-Vex-Version, ETag). 404 unknown scope; 422 nothing decided there.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapPost("/vex", ImportAsync)
            .RequireAuthorization(Policies.ApiUpload)
            .WithName("ImportVex")
            .WithSummary("Import an OpenVEX, CycloneDX or CSAF VEX document")
            .WithDescription("Body: the document (application/json) or a multipart form with a 'file' field (and a 'bundle' field: its Sigstore bundle, checked against the trust policy). Query: trust (trusted|show|ignore) sets how " +
                             "far its author is believed. 201 with the import report (matched, unmatched with reasons, rejected); a team member's statements " +
                             "become decisions on their teams' and unowned images only, the others listed unmatched as not_your_image or admin_only_scope; 200 when the same " +
                             "bytes were imported before (matched again); 422 for a file that is not VEX; 403 admin_only_trust when a team member's trust would change a known " +
                             "author's trust (it holds for every team: admins only).")
            // One Accepts: routing matches the request's content type against the last one only.
            .Accepts<JsonElement>("application/json", "multipart/form-data")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithOwnBodyLimit()
            .DisableAntiforgery();
        api.MapGet("/vex/documents", ListDocumentsAsync).RequireAuthorization(Policies.ApiRead).WithName("ListVexDocuments").WithSummary("Imported VEX documents, newest first");
        api.MapGet("/vex/documents/{id:long}", DocumentAsync).RequireAuthorization(Policies.ApiRead).WithName("GetVexDocument")
            .WithSummary("One imported document with every statement that did not become a decision, and why");
        api.MapPost("/decisions", DecideAsync)
            .RequireAuthorization(Policies.ApiUpload)
            .WithName("RecordDecision")
            .WithSummary("Record (or preview) a VEX decision")
            .WithDescription("Body: {vulnerability, one of image|repository|team|all, or findings:[ids] with level (digest|repository|team|global), " +
                             "package?, versionRange?, status, justification?, impact?, action?, responses?, expires?, notes?, seen?: {findingId: decisionId|null}}. " +
                             "Query: preview=true records nothing. 201 with {recorded, applies, governs, decisions, findings}; 400 when VEX refuses it " +
                             "(code and reason); 403 not_your_image when the target includes another team's image, admin_only_scope for all or level global " +
                             "(both for admins only); 404 unknown vulnerability, image or finding; 409 when a finding in 'seen' was decided meanwhile (the other decision is returned).")
            .Accepts<JsonElement>("application/json")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .DisableAntiforgery();
        api.MapGet("/decisions/review", ReviewAsync).RequireAuthorization(Policies.ApiRead).WithName("DecisionsToReview")
            .WithSummary("Decisions in force that need another look (expired, new package version, CISA KEV, evidence)");
        api.MapGet("/findings/{id:long}/decisions", HistoryAsync).RequireAuthorization(Policies.ApiRead).WithName("FindingDecisions")
            .WithSummary("Every decision that applies to a finding, oldest first, with the one in force and why the others are not");
        return api;
    }

    /// <summary>The signed-in user, or "api" for unauthenticated callers.</summary>
    internal static string Describe(VexExportScope scope) => scope switch
    {
        VexExportScope.Image i => "image " + i.Reference,
        VexExportScope.Repository r => "repository " + r.Name,
        VexExportScope.Team t => "team " + t.TeamId,
        _ => "everything",
    };

    internal static string Actor(HttpContext http) => Actor(http.User);

    internal static string Actor(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "api";

    internal static async Task<IResult> ExportAsync(HttpContext http, VexTransfers transfers, UserAccessService access, [FromQuery] string? format,
        [FromQuery] string? image, [FromQuery] string? repository, [FromQuery] string? team, [FromQuery] string? author, [FromQuery] bool? sign, CancellationToken ct)
    {
        if (!VexFormatNames.TryParse(format ?? "openvex", out var fmt))
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", $"format must be openvex, cyclonedx or csaf, not '{format}'");
        if (new[] { image, repository, team }.Count(x => !string.IsNullOrWhiteSpace(x)) > 1)
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", "give at most one of image, repository, team");
        VexExportScope scope = !string.IsNullOrWhiteSpace(image) ? new VexExportScope.Image(image)
            : !string.IsNullOrWhiteSpace(repository) ? new VexExportScope.Repository(repository)
            : !string.IsNullOrWhiteSpace(team) ? new VexExportScope.Team(team)
            : VexExportScope.Everything.Instance;
        try
        {
            // The same export, signature and audit entries as the VEX page's.
            var (outcome, signed) = await transfers.ExportAsync(await access.ForAsync(http.User, ct), fmt, scope, author, sign == true, http.User, ct);
            if (signed is null) return new DocumentResult(outcome.Result);
            // Signed: {"document": …, "bundle": …} — write each to its file (<file>.sigstore.json beside the document).
            return new JsonResult(StatusCodes.Status200OK, w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("document");
                using (var d = JsonDocument.Parse(outcome.Result.Json)) d.WriteTo(w);
                w.WritePropertyName("bundle");
                using (var b = JsonDocument.Parse(signed.BundleJson)) b.WriteTo(w);
                w.WriteEndObject();
            });
        }
        catch (DecisionTargetException e)
        {
            return Target(e);
        }
        catch (VexExportException e)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "nothing_decided", e.Message);
        }
    }

    internal static async Task<IResult> ImportAsync(HttpContext http, Auditor audit, VexTransfers transfers, UserAccessService access, [FromQuery] string? trust,
        CancellationToken ct)
    {
        if (!TryParseTrust(trust, out var level))
            return Problem(StatusCodes.Status400BadRequest, "invalid_parameter", $"trust must be trusted, show or ignore, not '{trust}'");
        var limit = VexReadOptions.Default.MaxBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;

        Stream body;
        string fileName;
        byte[]? bundle = null;
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await http.Request.ReadFormAsync(ct); }
            catch (InvalidDataException e) { return Problem(StatusCodes.Status400BadRequest, "invalid_form", e.Message); }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return Problem(StatusCodes.Status400BadRequest, "missing_file", "the multipart form has no 'file' field");
            body = file.OpenReadStream();
            fileName = Path.GetFileName(file.FileName);
            // The document's Sigstore bundle, when it is signed: checked against the trust policy before import.
            if (form.Files.GetFile("bundle") is { } b)
            {
                using var ms = new MemoryStream();
                await b.CopyToAsync(ms, ct);
                bundle = ms.ToArray();
            }
        }
        else
        {
            body = http.Request.Body;
            fileName = http.Request.Headers["X-Document-Name"].FirstOrDefault() is { Length: > 0 } n ? Path.GetFileName(n) : "upload.vex.json";
        }
        var handedOver = false;
        try
        {
            await using (body)
            {
                using var ms = new MemoryStream();
                // Counted as it is read: not every server enforces the raw body's limit (TestServer does not).
                await new LimitedReadStream(body, limit).CopyToAsync(ms, ct);
                if (ms.Length > limit) throw new VexFormatException(VexErrorCode.TooLarge, $"The file is larger than {limit} bytes.");
                // The same import, signature check and audit entries as the VEX page's (a refused document included).
                handedOver = true;
                var signed = await transfers.ImportAsync(await access.ForAsync(http.User, ct), ms.ToArray(), fileName, bundle, level, limit, http.User, ct);
                var report = signed.Import;
                return new JsonResult(report.AlreadyImported ? StatusCodes.Status200OK : StatusCodes.Status201Created, w => DecisionJson.WriteImportReport(w, report, signed.Signature));
            }
        }
        catch (VexFormatException e)
        {
            var status = e.Code == VexErrorCode.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status422UnprocessableEntity;
            // A refusal inside the import is audited there; one while reading the body (too large) here.
            if (!handedOver) await audit.RecordAsync(http.User, AuditActions.VexImported, "vex-document", fileName, $"refused: {e.CodeName}", succeeded: false);
            return Problem(status, e.CodeName, $"{fileName}: {e.Describe()}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"{fileName}: the document is larger than {limit} bytes");
        }
        catch (VexTrustChangeException e)
        {
            return Problem(StatusCodes.Status403Forbidden, VexTrustChangeException.CodeName, $"{fileName}: {e.Message}");
        }
    }

    internal static async Task<IResult> ListDocumentsAsync(TriageConnection conn, CancellationToken ct)
    {
        var docs = await new VexImportService(conn.ConnectionString).ListDocumentsAsync(ct);
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartArray();
            foreach (var d in docs) DecisionJson.WriteDocument(w, d);
            w.WriteEndArray();
        });
    }

    internal static async Task<IResult> DocumentAsync(HttpContext http, TriageConnection conn, UserAccessService access, long id, CancellationToken ct)
    {
        var details = await new VexImportService(conn.ConnectionString).DocumentAsync(id, (await access.ForAsync(http.User, ct)).Images, ct);
        return details is null
            ? Problem(StatusCodes.Status404NotFound, "unknown_document", $"no imported VEX document {id}")
            : new JsonResult(StatusCodes.Status200OK, w => DecisionJson.WriteDocumentDetails(w, details));
    }

    internal static async Task<IResult> DecideAsync(HttpContext http, Auditor audit, TriageConnection conn, UserAccessService access, [FromQuery] bool? preview,
        CancellationToken ct)
    {
        DecisionRequest request;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
            request = ReadDecision(doc.RootElement, Actor(http));
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid_json", $"the body is not JSON: {e.Message}");
        }
        catch (BadRequestException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid_request", e.Message);
        }
        // A team member decides on what they see (their teams' images and unowned ones); an admin on everything.
        request = request with { AuthorSees = (await access.ForAsync(http.User, ct)).Images };
        var service = new DecisionService(conn.ConnectionString);
        try
        {
            var outcome = preview == true ? await service.PreviewAsync(request, ct) : await service.RecordAsync(request, ct);
            if (preview != true && outcome.Recorded)
                await audit.RecordAsync(http.User, AuditActions.DecisionRecorded, "vulnerability", request.Vulnerability ?? "findings",
                    $"{request.Status.ToWire()} on {outcome.Applies} findings");
            return new JsonResult(outcome.Recorded ? StatusCodes.Status201Created : StatusCodes.Status200OK, w => DecisionJson.WriteOutcome(w, outcome));
        }
        catch (VexRuleException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e.Violation.CodeName, e.Violation.Reason);
        }
        catch (DecisionTargetException e)
        {
            // Reaching for another team's images is worth an audit line; a typo in an image name is not.
            if (e.Error is DecisionTargetError.NotYourImage or DecisionTargetError.AdminOnlyScope)
                await audit.RecordAsync(http.User, AuditActions.DecisionRecorded, "vulnerability", request.Vulnerability ?? "findings",
                    $"refused: {e.CodeName}" + (preview == true ? " (preview)" : ""), succeeded: false);
            return Target(e);
        }
        catch (DecisionConflictException e)
        {
            return new JsonResult(StatusCodes.Status409Conflict, w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "https://triage.example/problems/decision_conflict");
                w.WriteString("title", "Decided meanwhile");
                w.WriteNumber("status", StatusCodes.Status409Conflict);
                w.WriteString("detail", e.Message);
                w.WriteString("code", "decision_conflict");
                w.WritePropertyName("conflicts");
                DecisionJson.WriteConflicts(w, e.Conflicts);
                w.WriteEndObject();
            }, "application/problem+json");
        }
    }

    internal static async Task<IResult> ReviewAsync(TriageConnection conn, HttpContext http, UserAccessService access, CancellationToken ct)
    {
        var items = await new DecisionService(conn.ConnectionString).ReReviewAsync((await access.ForAsync(http.User, ct)).VexAudience, ct);
        return new JsonResult(StatusCodes.Status200OK, w => DecisionJson.WriteReReview(w, items));
    }

    internal static async Task<IResult> HistoryAsync(TriageConnection conn, HttpContext http, UserAccessService access,
        Microsoft.EntityFrameworkCore.IDbContextFactory<Triage.Data.TriageDbContext> factory, long id, CancellationToken ct)
    {
        // A finding of another team's image is as unknown as one that does not exist.
        await using (var db = await factory.CreateDbContextAsync(ct))
            if (!await (await access.ForAsync(http.User, ct)).CanSeeFindingAsync(db, id, ct))
                return Problem(StatusCodes.Status404NotFound, "unknown_finding", $"no finding {id}");
        var history = await new DecisionService(conn.ConnectionString).HistoryAsync(id, ct);
        return history is null
            ? Problem(StatusCodes.Status404NotFound, "unknown_finding", $"no finding {id}")
            : new JsonResult(StatusCodes.Status200OK, w => DecisionJson.WriteHistory(w, history));
    }

    private static bool TryParseTrust(string? value, out VexTrust? trust)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "": trust = null; return true;
            case "trusted": trust = VexTrust.Trusted; return true;
            case "show" or "show_only": trust = VexTrust.ShowOnly; return true;
            case "ignore": trust = VexTrust.Ignore; return true;
            default: trust = null; return false;
        }
    }

    private sealed class BadRequestException(string message) : Exception(message);

    /// <summary>The decision body, field by field (the same words as the CLI options).</summary>
    private static DecisionRequest ReadDecision(JsonElement body, string author)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("the body must be a JSON object");
        string? Str(string name) => body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : throw new BadRequestException($"'{name}' must be a string")
            : null;

        DecisionTarget target;
        var all = body.TryGetProperty("all", out var a) && a.ValueKind == JsonValueKind.True;
        var scopes = new[] { Str("image") is not null, Str("repository") is not null, Str("team") is not null, all, body.TryGetProperty("findings", out _) };
        if (scopes.Count(x => x) != 1) throw new BadRequestException("say where the decision applies: exactly one of image, repository, team, all or findings");
        if (body.TryGetProperty("findings", out var ids))
        {
            if (ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                throw new BadRequestException("'findings' must be an array of finding ids");
            if (!DecisionScopeNames.TryParse(Str("level") ?? "digest", out var level))
                throw new BadRequestException("'level' must be digest, repository, team or global");
            target = new DecisionTarget.Findings(ids.EnumerateArray().Select(x => x.GetInt64()).ToArray(), level);
        }
        else target = Str("image") is { } i ? new DecisionTarget.Image(i)
            : Str("repository") is { } r ? new DecisionTarget.Repository(r)
            : Str("team") is { } t ? new DecisionTarget.Team(t)
            : DecisionTarget.Everywhere.Instance;

        if (!VexNames.TryParseStatus(Str("status"), out var status))
            throw new BadRequestException("'status' must be not_affected, affected, fixed or under_investigation");
        VexJustification? j = null;
        CycloneDxJustification? cj = null;
        if (Str("justification") is { } js)
        {
            if (VexNames.TryParseJustification(js, out var vj)) j = vj;
            else if (CycloneDxNames.TryParseJustification(js, out var c)) cj = c;
            else throw new BadRequestException($"'justification' '{js}' is not an OpenVEX or CycloneDX justification");
        }
        var responses = new List<CycloneDxResponse>();
        if (body.TryGetProperty("responses", out var rs) && rs.ValueKind == JsonValueKind.Array)
            foreach (var x in rs.EnumerateArray())
                responses.Add(CycloneDxNames.TryParseResponse(x.GetString(), out var resp) ? resp : throw new BadRequestException($"response '{x}' is not a CycloneDX response"));
        DateTimeOffset? expires = null;
        if (Str("expires") is { } e)
            expires = DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                ? t : throw new BadRequestException($"'expires' '{e}' is not a date or an RFC 3339 time");
        Dictionary<long, long?>? seen = null;
        if (body.TryGetProperty("seen", out var s) && s.ValueKind == JsonValueKind.Object)
        {
            seen = [];
            foreach (var p in s.EnumerateObject())
            {
                if (!long.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var fid))
                    throw new BadRequestException($"'seen' keys are finding ids, not '{p.Name}'");
                seen[fid] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt64()
                    : p.Value.ValueKind == JsonValueKind.Null ? null : throw new BadRequestException("'seen' values are decision ids or null");
            }
        }
        return new DecisionRequest
        {
            Vulnerability = Str("vulnerability"),
            Target = target,
            Package = Str("package"),
            VersionRange = Str("versionRange"),
            Status = status,
            Justification = j,
            CycloneDxJustification = cj,
            ImpactStatement = Str("impact"),
            ActionStatement = Str("action"),
            Responses = responses,
            Author = author,
            ExpiresAt = expires,
            Notes = Str("notes"),
            Seen = seen,
        };
    }

    private static IResult Target(DecisionTargetException e) => e.Error switch
    {
        DecisionTargetError.Invalid => Problem(StatusCodes.Status400BadRequest, e.CodeName, e.Message),
        DecisionTargetError.ImageWithoutDigest => Problem(StatusCodes.Status422UnprocessableEntity, e.CodeName, e.Message),
        DecisionTargetError.NotYourImage or DecisionTargetError.AdminOnlyScope => Problem(StatusCodes.Status403Forbidden, e.CodeName, e.Message),
        DecisionTargetError.UnknownVulnerability or DecisionTargetError.UnknownImage or DecisionTargetError.UnknownFinding =>
            Problem(StatusCodes.Status404NotFound, e.CodeName, e.Message),
    };

    private static IResult Problem(int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: code.Replace('_', ' '), type: $"https://triage.example/problems/{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>The exported document as written (its bytes are the deterministic output), with its version and content hash.</summary>
    private sealed class DocumentResult(VexExportResult result) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.Headers["X-Vex-Version"] = result.Version.ToString(CultureInfo.InvariantCulture);
            http.Response.Headers.ETag = $"\"{result.ContentHash}\"";
            await http.Response.WriteAsync(result.Json);
        }
    }

    private sealed class JsonResult(int status, Action<Utf8JsonWriter> write, string contentType = "application/json; charset=utf-8") : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = contentType;
            await using var w = new Utf8JsonWriter(http.Response.Body);
            write(w);
            await w.FlushAsync();
        }
    }
}
