using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Web.Features.Vex;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Vex;

/// <summary>
/// VEX import by a team member, through POST /api/v1/vex and through the VEX page's service (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md):
/// statements become decisions on the member's team's images and on unowned ones only; one about another team's image or
/// about a bare package (everywhere) is listed unmatched with <c>not_your_image</c> or <c>admin_only_scope</c>, and the
/// refusal leaves an audit entry as a refused decision does. An admin's import of the same document records everything.
/// </summary>
public sealed class VexImportTeamTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private async Task<string> DigestAsync(TestImage image)
    {
        await using var db = app.Db();
        return await db.Artifacts.Where(a => a.Id == image.ArtifactId).Select(a => a.Digest!).SingleAsync();
    }

    /// <summary>One statement per image (own, another team's, unowned), each on that image's digest and vulnerability, and one on a
    /// bare package (the own image's vulnerability, so it would match).</summary>
    private async Task<byte[]> DocumentAsync(TeamImages world, string id)
    {
        async Task<string> OnImage(TestImage image)
        {
            var name = image.Repository[(image.Repository.LastIndexOf('/') + 1)..];
            var purl = $"pkg:oci/{name}@{(await DigestAsync(image)).Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={image.Repository}";
            return Statement(image.Vulnerability, purl);
        }
        string package;
        await using (var db = app.Db())
            package = await (from f in db.Findings join p in db.Packages on f.PackageId equals p.Id where f.Id == world.OwnImage.FindingId select p.Purl!).SingleAsync();
        var bare = package[..package.IndexOf('@', StringComparison.Ordinal)];
        return Encoding.UTF8.GetBytes($$"""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/team-{{id}}", "author": "Team Vendor {{id}}",
             "timestamp": "2026-11-01T00:00:00Z", "version": 1,
             "statements": [{{await OnImage(world.OwnImage)}}, {{await OnImage(world.OtherTeamsImage)}}, {{await OnImage(world.UnownedImage)}},
                            {{Statement(world.OwnImage.Vulnerability, bare)}}]}
            """);
    }

    private static string Statement(string vulnerability, string product) =>
        $$"""{"vulnerability": {"name": "{{vulnerability}}"}, "products": [{"@id": "{{product}}"}], "status": "under_investigation"}""";

    private async Task<bool> DecidedAsync(long findingId)
    {
        await using var db = app.Db();
        return await db.EffectiveDecisions.AnyAsync(e => e.FindingId == findingId);
    }

    private async Task<List<AuditEvent>> AuditAsync(string fileName)
    {
        await using var db = app.Db();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Target == fileName).OrderBy(e => e.Id).ToListAsync();
    }

    private async Task AssertOnlyOwnAndUnownedDecidedAsync(TeamImages world, string id)
    {
        Assert.True(await DecidedAsync(world.OwnImage.FindingId));
        Assert.True(await DecidedAsync(world.UnownedImage.FindingId));
        Assert.False(await DecidedAsync(world.OtherTeamsImage.FindingId));
        await using var db = app.Db();
        var author = $"Team Vendor {id}";
        Assert.Equal(2, await db.Decisions.CountAsync(d => d.Author == author));
        Assert.False(await db.Decisions.AnyAsync(d => d.Author == author && (d.ScopeRepository == world.OtherTeamsImage.Repository || d.ScopeKind == DecisionScopeKind.Global)));
    }

    private static void AssertRefusalAudited(List<AuditEvent> events, string actor)
    {
        Assert.Equal([(AuditActions.VexImported, true), (AuditActions.DecisionRecorded, false)], events.Select(e => (e.Action, e.Succeeded)));
        Assert.All(events, e => Assert.Equal(actor, e.Actor));
        Assert.Equal("refused: not_your_image (1 statement), admin_only_scope (1 statement)", events[1].Details);
    }

    private static async Task<HttpResponseMessage> PostDocumentAsync(HttpClient client, string fileName, byte[] bytes, string query = "")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add("X-Document-Name", fileName);
        return await client.PostAsync("/api/v1/vex" + query, content);
    }

    [Fact]
    public async Task ApiImport_AsMemberOfAnotherTeam_RecordsNothingOnItsImages_ListsTheRefusals_AndAuditsThem()
    {
        var world = await TeamImages.CreateAsync(app);
        var id = Guid.NewGuid().ToString("N")[..10];
        var fileName = $"api-{id}.openvex.json";
        var api = app.TokenClient(await app.CreateTokenAsync(world.Member, TokenScopes.Read | TokenScopes.Upload));

        var response = await PostDocumentAsync(api, fileName, await DocumentAsync(world, id));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("matched").GetInt32());
        Assert.Equal(2, root.GetProperty("decisionsRecorded").GetInt32());
        var refused = root.GetProperty("unmatchedStatements").EnumerateArray()
            .Select(u => (Index: u.GetProperty("statementIndex").GetInt32(), Code: u.GetProperty("code").GetString())).OrderBy(u => u.Index).ToList();
        Assert.Equal([(1, "not_your_image"), (3, "admin_only_scope")], refused);
        Assert.DoesNotContain(await DigestAsync(world.OtherTeamsImage), string.Join(' ',
            root.GetProperty("unmatchedStatements").EnumerateArray().Select(u => u.GetProperty("message").GetString())), StringComparison.Ordinal);
        await AssertOnlyOwnAndUnownedDecidedAsync(world, id);
        AssertRefusalAudited(await AuditAsync(fileName), world.Member);

        // The document lists the refusals for anyone reading it later.
        var documentId = root.GetProperty("document").GetProperty("id").GetInt64();
        using var details = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/vex/documents/{documentId}"));
        Assert.Equal(["admin_only_scope", "not_your_image"], details.RootElement.GetProperty("issues").EnumerateArray()
            .Select(i => i.GetProperty("code").GetString()).Order());
    }

    [Fact]
    public async Task PageImport_AsMemberOfAnotherTeam_RecordsNothingOnItsImages_ListsTheRefusals_AndAuditsThem()
    {
        var world = await TeamImages.CreateAsync(app);
        var id = Guid.NewGuid().ToString("N")[..10];
        var fileName = $"page-{id}.openvex.json";
        var member = await app.AccessForAsync(world.Member);
        await using var scope = app.Services.CreateAsyncScope();
        var transfers = scope.ServiceProvider.GetRequiredService<VexTransfers>();

        var report = (await transfers.ImportAsync(member, await DocumentAsync(world, id), fileName, null, null, 1 << 20)).Import;

        Assert.Equal(2, report.DecisionsRecorded);
        Assert.Equal(["admin_only_scope", "not_your_image"], report.Unmatched.Select(u => u.Code).Order());
        await AssertOnlyOwnAndUnownedDecidedAsync(world, id);
        AssertRefusalAudited(await AuditAsync(fileName), world.Member);
    }

    [Fact]
    public async Task ApiImport_AsAdmin_RecordsEveryTeamsImagesAndEverywhere_WithoutARefusal()
    {
        var world = await TeamImages.CreateAsync(app);
        var id = Guid.NewGuid().ToString("N")[..10];
        var fileName = $"admin-{id}.openvex.json";
        var api = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload));

        var response = await PostDocumentAsync(api, fileName, await DocumentAsync(world, id));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(4, json.RootElement.GetProperty("decisionsRecorded").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("unmatched").GetInt32());
        Assert.True(await DecidedAsync(world.OtherTeamsImage.FindingId));
        Assert.Equal([AuditActions.VexImported], (await AuditAsync(fileName)).Select(e => e.Action));
    }

    /// <summary>An author's trust holds for every team: a member's import may not change a known author's trust (403
    /// admin_only_trust, nothing stored, audited); the same import without a trust level, or an admin's, goes through.</summary>
    [Fact]
    public async Task ApiImport_AsMember_MayNotChangeAKnownAuthorsTrust()
    {
        var world = await TeamImages.CreateAsync(app);
        var id = Guid.NewGuid().ToString("N")[..10];
        var member = app.TokenClient(await app.CreateTokenAsync(world.Member, TokenScopes.Read | TokenScopes.Upload));
        var admin = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload));
        var document = await DocumentAsync(world, id);
        Task<HttpResponseMessage> PostAsync(HttpClient client, string query, string fileName, byte[] bytes) => PostDocumentAsync(client, fileName, bytes, query);
        var first = await PostAsync(admin, "?trust=trusted", $"first-{id}.json", document);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        // Another document of the same author, by the member, asking to ignore the author everywhere.
        var second = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(document).Replace($"team-{id}", $"team-{id}-2", StringComparison.Ordinal));
        var refused = await PostAsync(member, "?trust=ignore", $"ignore-{id}.json", second);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{(int)refused.StatusCode}: {problem}");
        Assert.Contains("admin_only_trust", problem);
        await using (var db = app.Db())
        {
            Assert.Equal(Triage.Core.Vex.VexTrust.Trusted, await db.VexAuthors.Where(a => a.AuthorKey == $"team vendor {id}").Select(a => a.Trust).SingleAsync());
            Assert.False(await db.VexDocuments.AnyAsync(d => d.FileName == $"ignore-{id}.json"));
        }
        var audit = Assert.Single(await AuditAsync($"ignore-{id}.json"));
        Assert.Equal((AuditActions.VexImported, false, "refused: admin_only_trust"), (audit.Action, audit.Succeeded, audit.Details));

        // Without a trust level the member's import goes through; asking for the trust the author already has is no change.
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(member, "", $"plain-{id}.json", second)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(member, "?trust=trusted", $"same-{id}.json", second)).StatusCode);
        // An admin may change it.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(admin, "?trust=show", $"admin-{id}.json", second)).StatusCode);
        await using (var db = app.Db())
            Assert.Equal(Triage.Core.Vex.VexTrust.ShowOnly, await db.VexAuthors.Where(a => a.AuthorKey == $"team vendor {id}").Select(a => a.Trust).SingleAsync());
    }

    /// <summary>An admin's import names every team's images in its issue messages; a member reading the document later
    /// (GET /api/v1/vex/documents/{id}) sees that a statement concerns another team's image, not what was found there.</summary>
    [Fact]
    public async Task DocumentDetails_ReadByAMember_DoNotShowWhatAnAdminsImportFoundOnAnotherTeamsImage()
    {
        var world = await TeamImages.CreateAsync(app);
        var id = Guid.NewGuid().ToString("N")[..10];
        var other = world.OtherTeamsImage;
        var name = other.Repository[(other.Repository.LastIndexOf('/') + 1)..];
        var purl = $"pkg:oci/{name}@{(await DigestAsync(other)).Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={other.Repository}";
        var document = Encoding.UTF8.GetBytes($$"""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/details-{{id}}", "author": "Team Vendor {{id}}",
             "timestamp": "2026-11-01T00:00:00Z", "version": 1, "statements": [{{Statement("CVE-2099-0001", purl)}}]}
            """);
        var admin = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload));
        var imported = await PostDocumentAsync(admin, $"details-{id}.json", document);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        using var report = JsonDocument.Parse(await imported.Content.ReadAsStringAsync());
        var documentId = report.RootElement.GetProperty("document").GetProperty("id").GetInt64();

        async Task<(string? Code, string? Message)> IssueAsync(HttpClient client)
        {
            using var details = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/vex/documents/{documentId}"));
            var issue = Assert.Single(details.RootElement.GetProperty("issues").EnumerateArray());
            return (issue.GetProperty("code").GetString(), issue.GetProperty("message").GetString());
        }
        var seenByAdmin = await IssueAsync(admin);
        Assert.Equal("vulnerability_unknown", seenByAdmin.Code);
        Assert.Contains(other.Repository, seenByAdmin.Message, StringComparison.Ordinal);

        var seenByMember = await IssueAsync(app.TokenClient(await app.CreateTokenAsync(world.Member, TokenScopes.Read)));
        Assert.Equal("not_your_image", seenByMember.Code);
        Assert.DoesNotContain(other.Repository, seenByMember.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await DigestAsync(other), seenByMember.Message, StringComparison.Ordinal);
    }
}
