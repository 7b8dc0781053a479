using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Import;
using Triage.Data.Signing;
using Triage.Data.Vex;
using Triage.Testing;
using Triage.Web.Features.Vex;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>
/// Uploads and signatures leave audit entries naming the action, who did it and what it was done to: runtime evidence
/// and KEV/EPSS through the API (imported and refused), VEX import and export through the API and through the VEX page's
/// service, the signature made over a signed export and the one checked with an imported document or an attestation.
/// </summary>
public sealed class UploadAuditTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private sealed record Image(string Repository, string Digest)
    {
        public string Reference => $"{Repository}@{Digest}";
    }

    private async Task<long> MarkAsync()
    {
        await using var db = app.Db();
        return await db.AuditEvents.MaxAsync(e => (long?)e.Id) ?? 0;
    }

    private async Task<List<AuditEvent>> SinceAsync(long mark)
    {
        await using var db = app.Db();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Id > mark).OrderBy(e => e.Id).ToListAsync();
    }

    private static void AssertEntries(IEnumerable<AuditEvent> events, string channel, params (string Action, string TargetType, string Target, bool Succeeded)[] expected)
    {
        var list = events.ToList();
        Assert.Equal(expected, list.Select(e => (e.Action, e.TargetType!, e.Target!, e.Succeeded)));
        Assert.All(list, e => Assert.Equal((TriageWebFactory.AdminEmail, channel), (e.Actor, e.Channel)));
    }

    /// <summary>An image with one finding (its digest known, so VEX can name it), decided on by a trusted VEX import later.</summary>
    private async Task<Image> ImageAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var image = new Image($"registry.example/audit/app-{id}", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))));
        var report = $$"""
            {"SchemaVersion": 2, "ArtifactName": "{{image.Repository}}:1.0", "ArtifactType": "container_image",
             "Metadata": {"OS": {"Family": "debian", "Name": "12.8"}, "RepoTags": ["{{image.Repository}}:1.0"], "RepoDigests": ["{{image.Reference}}"]},
             "Results": [{"Target": "x (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
               "Vulnerabilities": [{"VulnerabilityID": "CVE-2099-0002", "PkgName": "openssl", "InstalledVersion": "1.0", "Severity": "HIGH"}]}]}
            """;
        await app.Services.GetRequiredService<ReportImporter>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(report)), $"app-{id}.json",
            new ImportOptions { ImportedBy = "test" });
        return image;
    }

    private static byte[] Vex(Image image, string id) => Encoding.UTF8.GetBytes($$"""
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/audit-{{id}}", "author": "Audit Vendor", "timestamp": "2026-11-01T00:00:00Z",
         "version": 1, "statements": [{"vulnerability": {"name": "CVE-2099-0002"},
           "products": [{"@id": "pkg:oci/{{image.Repository[(image.Repository.LastIndexOf('/') + 1)..]}}@{{image.Digest.Replace(":", "%3A", StringComparison.Ordinal)}}?repository_url={{image.Repository}}"}],
           "status": "not_affected", "justification": "component_not_present"}]}
        """);

    /// <summary>A Sigstore bundle over <paramref name="document"/> by a key nobody trusts: it checks as sound but "not
    /// checked" against the trust policy.</summary>
    private static async Task<(byte[] Bundle, string PrivateKeyPem)> SignAsync(byte[] document)
    {
        var signed = await TestSigning.SignOpenVexAsync(document);
        return (signed.Bundle, signed.PrivateKeyPem);
    }

    [FixtureFact]
    public async Task RuntimeEvidenceAndEnrichment_ThroughTheApi_ImportedAndRefused_AreAudited()
    {
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload);
        var client = app.TokenClient(token);
        var id = Guid.NewGuid().ToString("N")[..10];
        var mark = await MarkAsync();

        using (var pods = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"))))
        {
            pods.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            pods.Headers.Add("X-Report-Name", $"pods-{id}.json");
            var r = await client.PostAsync($"/api/v1/runtime/evidence?cluster=audit-{id}", pods);
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        }
        using (var epss = new StringContent(HostileReports.EpssCsv, Encoding.UTF8, "text/csv"))
        {
            epss.Headers.Add("X-Report-Name", $"epss-{id}.csv");
            var r = await client.PostAsync("/api/v1/enrichment", epss);
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }
        using (var bomb = new ByteArrayContent(HostileReports.EpssLineBomb(1L << 20).Bytes))
        {
            bomb.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            bomb.Headers.Add("X-Report-Name", $"bomb-{id}.csv.gz");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync("/api/v1/enrichment", bomb)).StatusCode);
        }
        using (var notEvidence = new StringContent("{\"hello\":1}", Encoding.UTF8, "application/json"))
        {
            notEvidence.Headers.Add("X-Report-Name", $"hello-{id}.json");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync("/api/v1/runtime/evidence", notEvidence)).StatusCode);
        }

        var events = await SinceAsync(mark);
        AssertEntries(events, AuditChannels.Api,
            (AuditActions.ReportImported, "runtime-evidence", $"pods-{id}.json", true),
            (AuditActions.ReportImported, "enrichment", $"epss-{id}.csv", true),
            (AuditActions.ReportRejected, "enrichment", $"bomb-{id}.csv.gz", false),
            (AuditActions.ReportRejected, "runtime-evidence", $"hello-{id}.json", false));
        Assert.StartsWith($"pods-{id}.json: kubernetes", events[0].Details);
        Assert.Equal($"epss-{id}.csv: epss 2025-08-25, 2 rows", events[1].Details?.Replace(", same bytes imported before", "", StringComparison.Ordinal));
        Assert.Contains("longer than the limit of 64 KiB", events[2].Details);
        Assert.DoesNotContain(events, e => (e.Target + e.Details).Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task VexImportExportAndSignatures_ThroughTheApi_AreAudited()
    {
        var image = await ImageAsync();
        var id = Guid.NewGuid().ToString("N")[..10];
        var document = Vex(image, id);
        var (bundle, privateKey) = await SignAsync(document);
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload | TokenScopes.Read);
        var client = app.TokenClient(token);
        var mark = await MarkAsync();

        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(document), "file", $"vendor-{id}.openvex.json");
            form.Add(new ByteArrayContent(bundle), "bundle", $"vendor-{id}.openvex.json.sigstore.json");
            var imported = await client.PostAsync("/api/v1/vex?trust=trusted", form);
            Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        }
        var exported = await client.GetAsync($"/api/v1/vex?image={Uri.EscapeDataString(image.Reference)}&sign=true");
        Assert.True(exported.StatusCode == HttpStatusCode.OK, await exported.Content.ReadAsStringAsync());
        using (var attestation = new ByteArrayContent(bundle))
        {
            attestation.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            attestation.Headers.Add("X-Document-Name", $"attestation-{id}.sigstore.json");
            var recorded = await client.PostAsync("/api/v1/attestations", attestation);
            Assert.True(recorded.StatusCode == HttpStatusCode.Created, await recorded.Content.ReadAsStringAsync());
        }
        using (var notVex = new StringContent("[1,2,3]", Encoding.UTF8, "application/json"))
        {
            notVex.Headers.Add("X-Document-Name", $"not-vex-{id}.json");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync("/api/v1/vex", notVex)).StatusCode);
        }

        var events = await SinceAsync(mark);
        AssertEntries(events, AuditChannels.Api,
            (AuditActions.VexImported, "vex-document", $"vendor-{id}.openvex.json", true),
            // Sound, but by a key the trust policy does not know: checked, not verified.
            (AuditActions.SignatureVerified, "vex-document", $"vendor-{id}.openvex.json", false),
            (AuditActions.VexExported, "vex-export", "image " + image.Reference, true),
            (AuditActions.SignatureCreated, "vex-export", "image " + image.Reference, true),
            (AuditActions.AttestationRecorded, "image", image.Repository, true),
            (AuditActions.SignatureVerified, "image", image.Repository, false),
            (AuditActions.VexImported, "vex-document", $"not-vex-{id}.json", false));
        Assert.Contains("1 decisions recorded", events[0].Details);
        Assert.StartsWith("signature not_checked by ", events[1].Details);
        Assert.StartsWith("format openvex, 1 statements, 1 images, signed", events[2].Details);
        Assert.Contains(", signed by ", events[3].Details);
        AssertNoSecrets(events, token, privateKey);
    }

    [Fact]
    public async Task VexImportAndExport_FromThePage_AreAuditedAsTheSignedInUser()
    {
        var image = await ImageAsync();
        var id = Guid.NewGuid().ToString("N")[..10];
        var document = Vex(image, id);
        var (bundle, privateKey) = await SignAsync(document);
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var transfers = scope.ServiceProvider.GetRequiredService<VexTransfers>();
        var mark = await MarkAsync();

        var report = await transfers.ImportAsync(admin, document, $"page-{id}.openvex.json", bundle, VexTrust.Trusted, 1 << 20);
        Assert.Equal(1, report.Import.DecisionsRecorded);
        var (outcome, signed) = await transfers.ExportAsync(admin, VexFormat.OpenVex, new VexExportScope.Image(image.Reference), null, sign: true);
        Assert.Equal(1, outcome.Statements);
        Assert.NotNull(signed);
        await Assert.ThrowsAsync<VexFormatException>(() => transfers.ImportAsync(admin, "{\"x\":"u8.ToArray(), $"cut-{id}.json", null, null, 1 << 20));
        var viewerEmail = $"viewer-{id}@example.test";
        await app.CreateUserAsync(viewerEmail, TriageRole.Viewer);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(async () =>
            await transfers.ImportAsync(await app.AccessForAsync(viewerEmail), document, $"viewer-{id}.json", null, null, 1 << 20));

        // The viewer made for the refusal is not part of it.
        var events = (await SinceAsync(mark)).Where(e => e.Action != AuditActions.UserCreated).ToList();
        AssertEntries(events, AuditChannels.Web,
            (AuditActions.VexImported, "vex-document", $"page-{id}.openvex.json", true),
            (AuditActions.SignatureVerified, "vex-document", $"page-{id}.openvex.json", false),
            (AuditActions.VexExported, "vex-export", "image " + image.Reference, true),
            (AuditActions.SignatureCreated, "vex-export", "image " + image.Reference, true),
            (AuditActions.VexImported, "vex-document", $"cut-{id}.json", false));
        Assert.All(events, e => Assert.Equal(admin.UserId, e.ActorId));
        Assert.StartsWith("refused: ", events[^1].Details);
        AssertNoSecrets(events, privateKey);
    }

    private static void AssertNoSecrets(IEnumerable<AuditEvent> events, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            // The body of a PEM key (its base64 lines), or the token itself.
            var parts = secret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => !p.StartsWith("-----", StringComparison.Ordinal));
            Assert.DoesNotContain(events, e => parts.Any(p => (e.Target + e.Details).Contains(p, StringComparison.Ordinal)));
        }
    }
}
