using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Triage.Core.Audit;
using Triage.Data.Signing;
using Triage.Web.Infrastructure.Access;

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

    internal static async Task<IResult> UploadAttestationAsync(HttpContext http, SigningFacade signing, Infrastructure.Security.Auditor audit, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxBundleBytes;
        byte[] bytes;
        string name;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return Results.Problem(statusCode: 400, title: "missing_file", detail: "the multipart form has no 'file' field");
            using var ms = new MemoryStream();
            await file.CopyToAsync(ms, ct);
            bytes = ms.ToArray();
            name = Path.GetFileName(file.FileName);
        }
        else
        {
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms, ct);
            bytes = ms.ToArray();
            name = http.Request.Headers["X-Document-Name"].FirstOrDefault() is { Length: > 0 } n ? Path.GetFileName(n) : "attestation.sigstore.json";
        }
        try
        {
            var (view, created) = await signing.Uploads.UploadAttestationAsync(bytes, name, VexActor(http), ct);
            if (created) await audit.RecordAsync(http.User, AuditActions.AttestationRecorded, "image", view.SubjectName ?? view.SubjectDigest, Describe(view));
            return Results.Json(view, SigningJson.Options, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }
        catch (SignedUploadException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: e.Code, detail: e.Message, extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }

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
