using Triage.Core.Audit;
using Triage.Data.Signing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Signing;

/// <summary>
/// Changes to the trust policy (trusted roots per trust domain, trusted signers per author): admins only, each written to
/// the audit log with who made it once it is stored. The VEX page's signing panel calls these; kept out of the component
/// so the rule and the audit entry are one thing to call and to test.
/// </summary>
public sealed class TrustPolicyChanges(SigningFacade signing, Auditor audit)
{
    public async Task SetRootAsync(UserAccess by, string domain, string trustedRootJson, string fileName, CancellationToken ct = default)
    {
        RequireAdmin(by);
        await signing.Policy.SetRootAsync(domain, trustedRootJson, by.Name, ct);
        await audit.RecordAsync(by, AuditActions.TrustRootSet, "trust-root", domain, $"trusted_root.json from {fileName}");
    }

    public async Task RemoveRootAsync(UserAccess by, string domain, CancellationToken ct = default)
    {
        RequireAdmin(by);
        await signing.Policy.RemoveRootAsync(domain, ct);
        await audit.RecordAsync(by, AuditActions.TrustRootRemoved, "trust-root", domain);
    }

    public async Task<TrustedSigner> AddSignerAsync(UserAccess by, string author, string? identity, bool pattern, string? issuer, string? publicKeyPem,
        CancellationToken ct = default)
    {
        RequireAdmin(by);
        var signer = await signing.Policy.AddSignerAsync(author, identity, pattern, issuer, publicKeyPem, by.Name, ct);
        await audit.RecordAsync(by, AuditActions.SignerTrusted, "signer", author,
            identity is { Length: > 0 } ? $"identity {(pattern ? "/" + identity + "/" : identity)} issued by {issuer}" : "a PEM public key");
        return signer;
    }

    public async Task RemoveSignerAsync(UserAccess by, long id, CancellationToken ct = default)
    {
        RequireAdmin(by);
        var signer = (await signing.Policy.SignersAsync(ct)).FirstOrDefault(s => s.Id == id);
        await signing.Policy.RemoveSignerAsync(id, ct);
        await audit.RecordAsync(by, AuditActions.SignerRemoved, "signer", signer?.AuthorKey ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void RequireAdmin(UserAccess user)
    {
        if (!user.IsAdmin) throw new UnauthorizedAccessException("only admins change the trust policy");
    }
}
