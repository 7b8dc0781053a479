using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Vex;

/// <summary>
/// A VEX document imported before the scan of the image it names applies once the scan is uploaded through
/// POST /api/v1/scans (the import queue every web import goes through; docs/decisions/110-vex-rematch-after-imports.md):
/// an admin's on that image, a team member's on their team's images only, and a re-match that fails leaves the upload
/// landed (201) with the failure audited.
/// </summary>
public sealed class VexRematchAfterScanTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private sealed record Image(string Repository, string Digest, string Vulnerability)
    {
        public string Name => Repository[(Repository.LastIndexOf('/') + 1)..];
        public string DigestPurl => $"pkg:oci/{Name}@{Digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={Repository}";
        public string RepositoryPurl => $"pkg:oci/{Name}?repository_url={Repository}";
    }

    private static Image NewImage(string prefix)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return new Image($"registry.example/{prefix}-{id}/app", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))),
            $"CVE-2099-{Random.Shared.Next(10_000, 99_999)}");
    }

    private static byte[] Report(Image image) => Encoding.UTF8.GetBytes($$"""
        {"SchemaVersion": 2, "ArtifactName": "{{image.Repository}}:1.0", "ArtifactType": "container_image",
         "Metadata": {"OS": {"Family": "debian", "Name": "12.8"}, "RepoTags": ["{{image.Repository}}:1.0"], "RepoDigests": ["{{image.Repository}}@{{image.Digest}}"]},
         "Results": [{"Target": "x (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
           "Vulnerabilities": [{"VulnerabilityID": "{{image.Vulnerability}}", "PkgName": "openssl", "InstalledVersion": "1.0", "Severity": "HIGH"}]}]}
        """);

    private static byte[] Vex(params (string Vulnerability, string Product)[] statements) => Encoding.UTF8.GetBytes($$"""
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/rematch-{{Guid.NewGuid():N}}", "author": "Rematch Vendor",
         "timestamp": "2026-11-01T00:00:00Z", "version": 1,
         "statements": [{{string.Join(",", statements.Select(s => $$"""
             {"vulnerability": {"name": "{{s.Vulnerability}}"}, "products": [{"@id": "{{s.Product}}"}], "status": "not_affected", "justification": "component_not_present"}
             """))}}]}
        """);

    private async Task<HttpClient> ClientAsync(string email) => app.TokenClient(await app.CreateTokenAsync(email, TokenScopes.Read | TokenScopes.Upload));

    private static async Task PostVexAsync(HttpClient client, byte[] document, string fileName)
    {
        using var content = new ByteArrayContent(document);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.Add("X-Document-Name", fileName);
        var r = await client.PostAsync("/api/v1/vex", content);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode}: {text}");
        Assert.Contains("no_image_", text, StringComparison.Ordinal);
    }

    private static async Task PostScanAsync(HttpClient client, Image image)
    {
        using var content = new ByteArrayContent(Report(image));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.Add("X-Report-Name", $"{image.Name}-{image.Vulnerability}.json");
        var r = await client.PostAsync("/api/v1/scans", content);
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>The status in force (ADR 025) of the image's finding; null when undecided.</summary>
    private async Task<VexStatus?> InForceAsync(Image image)
    {
        await using var db = app.Db();
        var finding = await (from f in db.Findings
                             join a in db.Artifacts on f.ArtifactId equals a.Id
                             join r in db.Repositories on a.RepositoryId equals r.Id
                             where r.Name == image.Repository
                             select f.Id).SingleAsync();
        return await db.EffectiveDecisions.Where(e => e.FindingId == finding).Select(e => (VexStatus?)e.Status).SingleOrDefaultAsync();
    }

    private async Task<List<AuditEvent>> RematchAuditAsync(string fileName)
    {
        await using var db = app.Db();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditActions.VexRematched && e.Target == fileName).ToListAsync();
    }

    [Fact]
    public async Task ScanUpload_AfterAnAdminsVexNamedItsDigest_PutsTheStatementInForce_AndTheSystemAuditsIt()
    {
        var image = NewImage("admin");
        var admin = await ClientAsync(TriageWebFactory.AdminEmail);
        var fileName = $"{image.Name}-{image.Vulnerability}.openvex.json";
        await PostVexAsync(admin, Vex((image.Vulnerability, image.DigestPurl)), fileName);

        await PostScanAsync(admin, image);

        Assert.Equal(VexStatus.NotAffected, await InForceAsync(image));
        var audit = Assert.Single(await RematchAuditAsync(fileName));
        Assert.Equal(("system", (string?)null, AuditChannels.Web, true), (audit.Actor, audit.ActorId, audit.Channel, audit.Succeeded));
        Assert.Contains("1 decision recorded", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanUpload_AfterAMembersVexNamedTwoTeamsRepositories_DecidesOnlyTheirTeamsImage()
    {
        var world = await TeamImages.CreateAsync(app);
        var own = NewImage("own");
        var others = NewImage("others");
        // The repositories exist and belong to their teams before any image of them was scanned.
        await using (var db = app.Db())
        {
            db.Repositories.AddRange(new ImageRepository { Name = own.Repository, TeamId = world.TeamA, CreatedAt = DateTime.UtcNow },
                new ImageRepository { Name = others.Repository, TeamId = world.TeamB, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await PostVexAsync(await ClientAsync(world.Member), Vex((own.Vulnerability, own.RepositoryPurl), (others.Vulnerability, others.RepositoryPurl)),
            $"member-{own.Name}.openvex.json");

        var admin = await ClientAsync(TriageWebFactory.AdminEmail);
        await PostScanAsync(admin, own);
        await PostScanAsync(admin, others);

        Assert.Equal(VexStatus.NotAffected, await InForceAsync(own));
        Assert.Null(await InForceAsync(others));
        await using var check = app.Db();
        Assert.False(await check.Decisions.AnyAsync(d => d.ScopeRepository == others.Repository));
    }

    [Fact]
    public async Task ScanUpload_WhenMatchingTheStoredVexAgainFails_StillLands_AndTheFailureIsAudited()
    {
        var image = NewImage("broken");
        var admin = await ClientAsync(TriageWebFactory.AdminEmail);
        var fileName = $"{image.Name}-{image.Vulnerability}.openvex.json";
        await PostVexAsync(admin, Vex((image.Vulnerability, image.DigestPurl)), fileName);
        await using (var db = app.Db())
        {
            (await db.VexDocuments.SingleAsync(d => d.FileName == fileName)).Content = [1, 2, 3];
            await db.SaveChangesAsync();
        }

        await PostScanAsync(admin, image);

        Assert.Null(await InForceAsync(image));
        var audit = Assert.Single(await RematchAuditAsync(fileName));
        Assert.False(audit.Succeeded);
        Assert.Contains("matching again failed", audit.Details, StringComparison.Ordinal);
    }
}
