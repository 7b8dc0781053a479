using System.Security.Claims;
using Triage.Core.Audit;
using Triage.Core.Vex;
using Triage.Data.Signing;
using Triage.Data.Vex;
using Triage.Web.Features.Signing;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Vex;

/// <summary>
/// VEX export and import for the VEX page and for <c>GET</c>/<c>POST /api/v1/vex</c> alike, each written to the audit log
/// with who did it (the export, the signature made over it, the import, the signature checked with it): the action and
/// its audit entries are one thing to call and to test, as <see cref="TrustPolicyChanges"/> is.
/// </summary>
public sealed class VexTransfers(TriageConnection connection, SigningFacade signing, Auditor audit, TimeProvider time)
{
    /// <summary>Who the audit log and the import name: the request's principal for the API (as every API entry does), else the
    /// signed-in person.</summary>
    private Task RecordAsync(UserAccess user, ClaimsPrincipal? principal, string action, string targetType, string target, string details, bool succeeded = true) =>
        principal is null
            ? audit.RecordAsync(user, action, targetType, target, details, succeeded)
            : audit.RecordAsync(principal, action, targetType, target, details, succeeded);

    public async Task<(VexExportOutcome Outcome, SignedDocument? Signed)> ExportAsync(UserAccess user, VexFormat format, VexExportScope scope, string? author, bool sign,
        ClaimsPrincipal? principal = null, CancellationToken ct = default)
    {
        var outcome = await new VexExportService(connection.ConnectionString, time).ExportAsync(format, scope, author, user.VexAudience, ct);
        var target = VexApi.Describe(scope);
        await RecordAsync(user, principal, AuditActions.VexExported, "vex-export", target, ExportDetails(format, outcome, sign));
        if (!sign) return (outcome, null);
        var signed = await signing.Signer.SignAsync(format, outcome.Result.Json, ct);
        await RecordAsync(user, principal, AuditActions.SignatureCreated, "vex-export", target, SignedDetails(format, signed));
        return (outcome, signed);
    }

    /// <summary>Imports a document (with its Sigstore bundle, checked first when given). A document that is not VEX is
    /// audited as refused and its <see cref="VexFormatException"/> rethrown.</summary>
    public async Task<SignedImportReport> ImportAsync(UserAccess user, byte[] document, string fileName, byte[]? bundle, VexTrust? trust, long maxBytes,
        ClaimsPrincipal? principal = null, CancellationToken ct = default)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("only triagers and admins import VEX");
        SignedImportReport signed;
        try
        {
            // A team member's statements become decisions on the images they see only, as their own decisions do (ADR 107).
            signed = await signing.Uploads.ImportAsync(document, fileName, bundle, new VexImportOptions
            {
                Trust = trust, ImportedBy = principal is null ? user.Name : VexApi.Actor(principal), MaxBytes = maxBytes, ImporterSees = user.Images,
                // An author's trust holds for every team: a member may not change it on the way (ADR 107).
                MayChangeTrust = user.IsAdmin,
            }, ct);
        }
        catch (VexFormatException e)
        {
            await RecordAsync(user, principal, AuditActions.VexImported, "vex-document", fileName, $"refused: {e.CodeName}", succeeded: false);
            throw;
        }
        catch (VexTrustChangeException)
        {
            await RecordAsync(user, principal, AuditActions.VexImported, "vex-document", fileName, $"refused: {VexTrustChangeException.CodeName}", succeeded: false);
            throw;
        }
        await RecordAsync(user, principal, AuditActions.VexImported, "vex-document", fileName, ImportDetails(signed));
        // Statements refused for reaching other teams' images are audited as a refused decision is (POST /api/v1/decisions).
        if (RefusedDetails(signed.Import) is { } refused)
            await RecordAsync(user, principal, AuditActions.DecisionRecorded, "vex-document", fileName, refused, succeeded: false);
        if (bundle is not null && signed.Signature is { } signature)
            await RecordAsync(user, principal, AuditActions.SignatureVerified, "vex-document", fileName, SigningApi.Describe(signature), succeeded: signature.Verified);
        return signed;
    }

    internal static string ExportDetails(VexFormat format, VexExportOutcome outcome, bool signed) =>
        $"format {format.ToWire()}, {outcome.Statements} statements, {outcome.Images} images" + (signed ? ", signed" : "");

    /// <summary>What was signed and by which key or identity (a key's public hint, never the key or a token).</summary>
    internal static string SignedDetails(VexFormat format, SignedDocument signed) =>
        $"format {format.ToWire()}, predicate {signed.PredicateType}, {signed.Subjects.Count} subjects, signed by {signed.Signer}";

    /// <summary>The codes that keep a team member's statement from their import, worth an audit line (an unknown image is not).</summary>
    internal static readonly string[] RefusalCodes = ["not_your_image", "admin_only_scope"];

    /// <summary>"refused: not_your_image (2 statements), admin_only_scope (1 statement)", or null when nothing was refused.</summary>
    internal static string? RefusedDetails(VexImportReport report)
    {
        var counts = RefusalCodes
            .Select(code => (Code: code, Statements: report.Unmatched.Where(u => u.Code == code).Select(u => u.StatementIndex).Distinct().Count()))
            .Where(c => c.Statements > 0)
            .Select(c => $"{c.Code} ({c.Statements} statement{(c.Statements == 1 ? "" : "s")})")
            .ToList();
        return counts.Count == 0 ? null : "refused: " + string.Join(", ", counts);
    }

    internal static string ImportDetails(SignedImportReport signed)
    {
        var report = signed.Import;
        return $"{report.Statements} statements, {report.Matched} matched, {report.DecisionsRecorded} decisions recorded, {report.Rejected.Count} rejected" +
               (report.AlreadyImported ? " (imported before)" : "") + (signed.Signature is { } sig ? $", signature {sig.Status}" : "");
    }
}
