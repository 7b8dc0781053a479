using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Triage.Core.Audit;
using Triage.Core.Vex;
using Triage.Data.Signing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Signing;

/// <summary>
/// GET /api/v1/signing/public-key (the key exports are signed with), POST /api/v1/attestations (a cosign attestation
/// bundle for an image), GET /api/v1/images/{id}/attestations; and GET /signing/public-key.pem for people signed in.
/// </summary>
public static class SigningApi
{
    private const long MaxBundleBytes = 16 * 1024 * 1024;

    public static RouteGroupBuilder MapSigningApi(this RouteGroupBuilder api)
    {
        api.MapGet("/signing/public-key", PublicKeyAsync)
            .RequireAuthorization(Policies.ApiRead)
            .WithName("SigningPublicKey")
            .WithSummary("The PEM public key Triage signs VEX exports with (verify with cosign verify-blob-attestation --key or triage sigstore verify --key)")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-pem-file");
        api.MapPost("/attestations", UploadAttestationAsync)
            .RequireAuthorization(Policies.ApiUpload)
            .WithName("UploadAttestation")
            .WithSummary("Record a cosign attestation bundle (DSSE in-toto statement) for an image")
            .WithDescription("Body: the Sigstore bundle JSON, or a multipart form with a 'file' field. 201 with who signed it, whether it verified under the " +
                             "trust policy and, for SLSA provenance, builder, source repository and commit; 200 when the same bundle was recorded before; " +
                             "422 when it is not an attestation bundle.")
            .Accepts<JsonElement>("application/json", "multipart/form-data")
            // Provenance bundles can pass the 1 MiB default; 16 MiB, enforced here as it is read.
            .WithOwnBodyLimit()
            .DisableAntiforgery();
        api.MapGet("/images/{id:long}/attestations", ImageAttestationsAsync)
            .RequireAuthorization(Policies.ApiRead)
            .WithName("ImageAttestations")
            .WithSummary("Attestations recorded for an image, newest first");
        return api;
    }

    /// <summary>An attestation in one audit line: what it states, who signed it and whether that verified.</summary>
    internal static string Describe(AttestationView view) =>
        $"{view.PredicateType} for {view.SubjectDigest}, signature {view.Signature.Status}" + ((view.Signature.Identity ?? (view.Signature.KeyId is { } key ? "key " + key : null)) is { } who ? $" by {who}" : "");

    /// <summary>A signature check in one audit line: what it found, who signed, and why it did not verify.</summary>
    internal static string Describe(SignatureView signature) =>
        $"signature {signature.Status.ToWire()} by {signature.Signer}" + (signature.Verified || signature.Reason is null ? "" : $": {signature.Reason}");

    /// <summary>The public key for people signed in (the VEX page links it).</summary>
    public static IEndpointRouteBuilder MapSigningDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signing/public-key.pem", PublicKeyAsync).RequireAuthorization(Policies.View);
        return app;
    }

    internal static async Task<IResult> PublicKeyAsync(SigningFacade signing, CancellationToken ct)
    {
        var (pem, keyId) = await signing.Keys.PublicKeyAsync(ct);
        return new PemResult(pem, keyId);
    }

    internal static async Task<IResult> UploadAttestationAsync(HttpContext http, SigningFacade signing, Auditor audit, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxBundleBytes;
        var name = http.Request.Headers["X-Document-Name"].FirstOrDefault() is { Length: > 0 } n ? Path.GetFileName(n) : "attestation.sigstore.json";
        if (http.Request.ContentLength > MaxBundleBytes) return TooLarge(name);
        byte[] bytes;
        try
        {
            Stream source;
            if (http.Request.HasFormContentType)
            {
                IFormCollection form;
                try { form = await http.Request.ReadFormAsync(ct); }
                catch (InvalidDataException e) { return Problem(StatusCodes.Status400BadRequest, "invalid_form", e.Message); }
                var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                if (file is null) return Problem(StatusCodes.Status400BadRequest, "missing_file", "the multipart form has no 'file' field");
                name = Path.GetFileName(file.FileName);
                source = file.OpenReadStream();
            }
            else source = http.Request.Body;
            await using (source)
            {
                using var ms = new MemoryStream();
                // Counted as it is read: not every server enforces the raw body's limit (TestServer does not).
                await new LimitedReadStream(source, MaxBundleBytes).CopyToAsync(ms, ct);
                bytes = ms.ToArray();
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(name);
        }
        try
        {
            var (view, created) = await signing.Uploads.UploadAttestationAsync(bytes, name, VexActor(http), ct);
            if (created) await RecordAsync(audit, http.User, view);
            return Results.Json(view, SigningJson.Options, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }
        catch (SignedUploadException e)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, e.Code, $"{name}: {e.Message}");
        }
    }

    /// <summary>A new attestation in the audit log: recorded, and its signature checked (the same bundle again is neither).</summary>
    internal static async Task RecordAsync(Auditor audit, System.Security.Claims.ClaimsPrincipal user, AttestationView view)
    {
        var image = view.SubjectName ?? view.SubjectDigest;
        await audit.RecordAsync(user, AuditActions.AttestationRecorded, "image", image, Describe(view));
        await audit.RecordAsync(user, AuditActions.SignatureVerified, "image", image, Describe(view.Signature), succeeded: view.Signature.Verified);
    }

    private static IResult TooLarge(string name) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"{name}: the bundle is larger than the limit of {Core.Ingest.CaptureStream.FormatBytes(MaxBundleBytes)}");

    private static IResult Problem(int status, string code, string detail) =>
        Results.Problem(statusCode: status, title: code.Replace('_', ' '), detail: detail, type: $"https://triage.example/problems/{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    internal static async Task<IResult> ImageAttestationsAsync(SigningFacade signing, long id, CancellationToken ct) =>
        Results.Json(await signing.Uploads.ForArtifactAsync(id, ct), SigningJson.Options);

    private static string VexActor(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } n } ? n : "api";

    private sealed class PemResult(string pem, string keyId) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/x-pem-file";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"triage-signing-key.pub\"";
            http.Response.Headers["X-Key-Id"] = keyId;
            await http.Response.WriteAsync(pem);
        }
    }
}

/// <summary>JSON for the signing endpoints: camelCase, enums as strings.</summary>
internal static class SigningJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
