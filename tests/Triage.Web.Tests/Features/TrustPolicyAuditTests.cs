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
        var signer = await WithChangesAsync(c => c.AddSignerAsync(admin, author, "https://github.com/vendor/app/.github/workflows/release.yml@refs/heads/main",
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
