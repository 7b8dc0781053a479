using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Features.Signing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>Trust-policy changes (what the VEX page's signing panel calls): each writes one audit entry naming the admin
/// who made it, what changed and how; anyone else is refused and nothing is written.</summary>
public sealed class TrustPolicyAuditTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private async Task<T> WithChangesAsync<T>(Func<TrustPolicyChanges, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TrustPolicyChanges>());
    }

    private async Task<List<AuditEvent>> EventsAsync(params string[] targets)
    {
        await using var db = app.Db();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Target != null && targets.Contains(e.Target)).OrderBy(e => e.Id).ToListAsync();
    }

    [FixtureFact]
    public async Task RootSetAndRemoved_SignerAddedAndRemoved_EachWritesAnEntryAttributedToTheAdmin()
    {
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        var domain = "staging-" + Guid.NewGuid().ToString("N")[..8];
        var author = "vendor-" + Guid.NewGuid().ToString("N")[..8];
        var root = await File.ReadAllTextAsync(TestPaths.Fixture("sigstore", "trusted-roots", "staging.trusted_root.json"));

        await WithChangesAsync(async c => { await c.SetRootAsync(admin, domain, root, "staging.trusted_root.json"); return 0; });
        var (signer, _) = await WithChangesAsync(c => c.AddSignerAsync(admin, author, "https://github.com/vendor/app/.github/workflows/release.yml@refs/heads/main",
            pattern: false, "https://token.actions.githubusercontent.com", null));
        await WithChangesAsync(async c => { await c.RemoveSignerAsync(admin, signer.Id); return 0; });
        await WithChangesAsync(async c => { await c.RemoveRootAsync(admin, domain); return 0; });

        var events = await EventsAsync(domain, author);
        Assert.Equal(
            [
                (AuditActions.TrustRootSet, "trust-root", domain),
                (AuditActions.SignerTrusted, "signer", author),
                (AuditActions.SignerRemoved, "signer", author),
                (AuditActions.TrustRootRemoved, "trust-root", domain),
            ],
            events.Select(e => (e.Action, e.TargetType!, e.Target!)));
        Assert.All(events, e =>
        {
            Assert.Equal((TriageWebFactory.AdminEmail, admin.UserId, AuditChannels.Web, true), (e.Actor, e.ActorId, e.Channel, e.Succeeded));
        });
        Assert.Equal("trusted_root.json from staging.trusted_root.json", events[0].Details);
        Assert.Equal("identity https://github.com/vendor/app/.github/workflows/release.yml@refs/heads/main issued by https://token.actions.githubusercontent.com",
            events[1].Details);
        await using var db = app.Db();
        Assert.False(await db.TrustedSigners.AnyAsync(s => s.Id == signer.Id));
    }

    /// <summary>Trusting a key checks the documents uploaded before again: the one it signed becomes verified, and that
    /// consequence is audited under the admin who made the change; removing the key takes it back, audited as a failure.</summary>
    [Fact]
    public async Task ASignerChange_ChecksStoredSignaturesAgain_AndAuditsWhatChanged()
    {
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        var id = Guid.NewGuid().ToString("N")[..10];
        var author = $"recheck-{id}@example.test";
        var document = System.Text.Encoding.UTF8.GetBytes($$"""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/recheck-{{id}}", "author": "{{author}}",
             "timestamp": "2026-11-01T00:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "CVE-2099-0003"},
             "products": [{"@id": "pkg:oci/nothing@sha256%3A{{new string('a', 64)}}"}], "status": "not_affected", "justification": "component_not_present"}]}
            """);
        var signed = await TestSigning.SignOpenVexAsync(document);
        var name = $"recheck-{id}.openvex.json";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var report = await scope.ServiceProvider.GetRequiredService<SigningFacade>().Uploads.ImportAsync(document, name, signed.Bundle);
            Assert.Equal(Core.Vex.VexSignatureStatus.NotChecked, report.Signature!.Status);
        }

        var (signer, trusted) = await WithChangesAsync(c => c.AddSignerAsync(admin, author, null, false, null, signed.PublicKeyPem));
        var change = Assert.Single(trusted.Changed, c => c.Name == name);
        Assert.Equal((Core.Vex.VexSignatureStatus.NotChecked, Core.Vex.VexSignatureStatus.Verified), (change.Before, change.After));
        var text = TrustPolicyChanges.Describe(trusted);
        Assert.Contains($"{name}: not_checked → verified", text);
        var revoked = await WithChangesAsync(c => c.RemoveSignerAsync(admin, signer.Id));
        Assert.Equal(Core.Vex.VexSignatureStatus.NotChecked, Assert.Single(revoked.Changed, c => c.Name == name).After);

        var events = await EventsAsync(name);
        Assert.Equal(
            [(AuditActions.SignatureRechecked, "vex-document", true), (AuditActions.SignatureRechecked, "vex-document", false)],
            events.Select(e => (e.Action, e.TargetType!, e.Succeeded)));
        Assert.All(events, e => Assert.Equal((TriageWebFactory.AdminEmail, admin.UserId), (e.Actor, e.ActorId)));
        Assert.StartsWith("not_checked → verified after a trust-policy change", events[0].Details);
        Assert.StartsWith("verified → not_checked after a trust-policy change", events[1].Details);
        Assert.DoesNotContain(events, e => (e.Details ?? "").Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    [FixtureFact]
    public async Task ATriager_IsRefused_AndNothingIsWrittenOrAudited()
    {
        var email = "triager-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";
        await app.CreateUserAsync(email, TriageRole.Triager);
        var triager = await app.AccessForAsync(email);
        var domain = "refused-" + Guid.NewGuid().ToString("N")[..8];
        var root = await File.ReadAllTextAsync(TestPaths.Fixture("sigstore", "trusted-roots", "staging.trusted_root.json"));

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => WithChangesAsync(async c => { await c.SetRootAsync(triager, domain, root, "r.json"); return 0; }));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => WithChangesAsync(c => c.AddSignerAsync(triager, domain, null, false, null,
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----")));
        Assert.Empty(await EventsAsync(domain));
        await using var scope = app.Services.CreateAsyncScope();
        Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<SigningFacade>().Policy.DomainsAsync(), d => d.Name == domain);
    }
}
