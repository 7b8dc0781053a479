using Triage.Core.Audit;
using Triage.Core.Vex;
using Triage.Data.Signing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Signing;

/// <summary>
/// Changes to the trust policy (trusted roots per trust domain, trusted signers per author): admins only, each written to
/// the audit log with who made it once it is stored. The VEX page's signing panel calls these; kept out of the component
/// so the rule and the audit entry are one thing to call and to test. After each change every stored signature is checked
/// again under the new policy (<see cref="SignedUploads.RecheckAsync"/>): removing a signer takes effect on what it
/// signed before, not only on later uploads; each outcome that changed is audited too.
/// </summary>
public sealed class TrustPolicyChanges(SigningFacade signing, Auditor audit)
{
    public async Task<SignatureRecheck> SetRootAsync(UserAccess by, string domain, string trustedRootJson, string fileName, CancellationToken ct = default)
    {
        RequireAdmin(by);
        await signing.Policy.SetRootAsync(domain, trustedRootJson, by.Name, ct);
        await audit.RecordAsync(by, AuditActions.TrustRootSet, "trust-root", domain, $"trusted_root.json from {fileName}");
        return await RecheckAsync(by, ct);
    }

    public async Task<SignatureRecheck> RemoveRootAsync(UserAccess by, string domain, CancellationToken ct = default)
    {
        RequireAdmin(by);
        await signing.Policy.RemoveRootAsync(domain, ct);
        await audit.RecordAsync(by, AuditActions.TrustRootRemoved, "trust-root", domain);
        return await RecheckAsync(by, ct);
    }

    public async Task<(TrustedSigner Signer, SignatureRecheck Recheck)> AddSignerAsync(UserAccess by, string author, string? identity, bool pattern, string? issuer, string? publicKeyPem,
        CancellationToken ct = default)
    {
        RequireAdmin(by);
        var signer = await signing.Policy.AddSignerAsync(author, identity, pattern, issuer, publicKeyPem, by.Name, ct);
        await audit.RecordAsync(by, AuditActions.SignerTrusted, "signer", author,
            identity is { Length: > 0 } ? $"identity {(pattern ? "/" + identity + "/" : identity)} issued by {issuer}" : "a PEM public key");
        return (signer, await RecheckAsync(by, ct));
    }

    public async Task<SignatureRecheck> RemoveSignerAsync(UserAccess by, long id, CancellationToken ct = default)
    {
        RequireAdmin(by);
        var signer = (await signing.Policy.SignersAsync(ct)).FirstOrDefault(s => s.Id == id);
        await signing.Policy.RemoveSignerAsync(id, ct);
        await audit.RecordAsync(by, AuditActions.SignerRemoved, "signer", signer?.AuthorKey ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await RecheckAsync(by, ct);
    }

    /// <summary>Checks every stored signature again and audits each outcome that changed, as the change's consequence.</summary>
    private async Task<SignatureRecheck> RecheckAsync(UserAccess by, CancellationToken ct)
    {
        var recheck = await signing.Uploads.RecheckAsync(ct);
        foreach (var c in recheck.Changed)
            await audit.RecordAsync(by, AuditActions.SignatureRechecked, c.Kind, c.Name,
                $"{c.Before.ToWire()} → {c.After.ToWire()} after a trust-policy change{(c.Reason is null ? "" : ": " + c.Reason)}",
                succeeded: c.After == VexSignatureStatus.Verified);
        return recheck;
    }

    /// <summary>One line for people: how many signatures were checked again and which changed.</summary>
    public static string Describe(SignatureRecheck r)
    {
        var checkedText = $"Signatures checked again under the new policy: {r.Documents} VEX document{(r.Documents == 1 ? "" : "s")}, {r.Attestations} attestation{(r.Attestations == 1 ? "" : "s")}";
        if (r.Changed.Count == 0) return checkedText + "; none changed.";
        var list = string.Join("; ", r.Changed.Take(5).Select(c => $"{c.Name}: {c.Before.ToWire()} → {c.After.ToWire()}"));
        return $"{checkedText}; {r.Changed.Count} changed ({list}{(r.Changed.Count > 5 ? "; …" : "")})"
            + (r.FindingsRecomputed > 0 ? $"; decisions in force of {r.FindingsRecomputed} finding{(r.FindingsRecomputed == 1 ? "" : "s")} resolved again." : ".");
    }

    private static void RequireAdmin(UserAccess user)
    {
        if (!user.IsAdmin) throw new UnauthorizedAccessException("only admins change the trust policy");
    }
}
