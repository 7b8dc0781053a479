using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Access;

/// <summary>/api/v1/*: tokens only, 401 anonymously (never a redirect), 403 for the wrong scope or role.</summary>
public sealed class ApiAccessTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private static readonly Dictionary<string, string> RouteValues = new() { ["id"] = "CVE-2024-0001", ["documentName"] = "v1" };

    /// <summary>Every endpoint under /api, from the app's own route table, with a concrete URL and its methods.</summary>
    private List<(string Url, string Method, RouteEndpoint Endpoint)> ApiEndpoints()
    {
        var sources = app.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<(string, string, RouteEndpoint)>();
        foreach (var e in sources.Endpoints.OfType<RouteEndpoint>())
        {
            var raw = "/" + (e.RoutePattern.RawText ?? "").TrimStart('/');
            if (!raw.StartsWith("/api", StringComparison.OrdinalIgnoreCase)) continue;
            // A numeric constraint gets a number so the route matches and authorization, not routing, answers.
            var url = System.Text.RegularExpressions.Regex.Replace(raw, "\\{([^}:?]+)([^}]*)\\}",
                m => m.Groups[2].Value.Contains(":long") || m.Groups[2].Value.Contains(":int") ? "1" : RouteValues.GetValueOrDefault(m.Groups[1].Value, "1"));
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods) list.Add((url, method, e));
        }
        return list;
    }

    [Fact]
    public void RouteTable_HasApiEndpoints()
    {
        var urls = ApiEndpoints().Select(e => e.Url).ToList();
        Assert.Contains("/api/v1/findings", urls);
        Assert.Contains("/api/v1/scans", urls);
    }

    [Fact]
    public async Task EveryApiEndpoint_Anonymous_Returns401NotRedirect()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var (url, method, _) in ApiEndpoints())
        {
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} gave {(int)response.StatusCode}, want 401");
        }
    }

    [Fact]
    public async Task EveryApiEndpoint_SignedInBrowserCookie_IsNotEnough()
    {
        var browser = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        foreach (var (url, method, _) in ApiEndpoints())
        {
            var response = await browser.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} with a cookie gave {(int)response.StatusCode}, want 401");
        }
    }

    [Fact]
    public void EveryApiEndpoint_NamesAScopePolicy()
    {
        foreach (var (url, method, endpoint) in ApiEndpoints())
        {
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Contains(Policies.ApiRead) || policies.Contains(Policies.ApiUpload), $"{method} {url} names no scope policy");
        }
    }

    [Fact]
    public async Task Findings_ReadToken_200_UploadOnlyToken_403()
    {
        var read = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read);
        var upload = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload);
        Assert.Equal(HttpStatusCode.OK, (await app.TokenClient(read).GetAsync("/api/v1/findings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.TokenClient(upload).GetAsync("/api/v1/findings")).StatusCode);
    }

    [Fact]
    public async Task Scans_ReadOnlyToken_403()
    {
        var read = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read);
        var response = await app.TokenClient(read).PostAsync("/api/v1/scans", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Scans_UploadTokenOfAViewer_403()
    {
        await app.CreateUserAsync("viewer-upload@example.test", TriageRole.Viewer);
        // The tokens page refuses this; a token made before a demotion looks the same.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<Triage.Web.Features.Admin.TokenService>();
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
                app.AccessForAsync("viewer-upload@example.test").ContinueWith(t => tokens.CreateAsync(t.Result, "x", TokenScopes.Upload, null)).Unwrap());
        }
        var id = (await app.AccessForAsync("viewer-upload@example.test")).UserId;
        var (secret, prefix, hash) = ApiTokens.Create();
        await using (var db = app.Db())
        {
            db.ApiTokens.Add(new ApiToken { UserId = id, Name = "old", Prefix = prefix, Hash = hash, Scopes = TokenScopes.Upload, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var response = await app.TokenClient(secret).PostAsync("/api/v1/scans", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task RevokedOrUnknownOrMalformedToken_401()
    {
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read);
        await using (var db = app.Db())
        {
            var row = db.ApiTokens.Single(t => t.Hash == ApiTokens.Hash(token));
            row.RevokedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.TokenClient(token).GetAsync("/api/v1/findings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.TokenClient(ApiTokens.Create().Secret).GetAsync("/api/v1/findings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.TokenClient("not-a-token").GetAsync("/api/v1/findings")).StatusCode);
    }

    [Fact]
    public async Task Token_IsStoredHashed_AndRecordsLastUse()
    {
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read);
        Assert.StartsWith("trg_", token);
        await app.TokenClient(token).GetAsync("/api/v1/findings");
        await using var db = app.Db();
        Assert.DoesNotContain(db.ApiTokens.Select(t => t.Hash).ToList(), h => h.Contains(token[4..], StringComparison.Ordinal));
        var row = db.ApiTokens.Single(t => t.Hash == ApiTokens.Hash(token));
        Assert.NotNull(row.LastUsedAt);
        Assert.Equal(token[..12], row.Prefix);
    }

    [FixtureFact]
    public async Task Findings_TeamMemberSeesOwnAndUnownedImages_NotOtherTeams()
    {
        var summary = await app.ImportFixtureAsync("matched", "alpine-3.19", "trivy.json");
        var repoId = summary.Artifacts[0].ArtifactId;
        await app.CreateUserAsync("member-a@example.test", TriageRole.Viewer, "team-a");
        await app.CreateUserAsync("member-b@example.test", TriageRole.Viewer, "team-b");
        await using (var db = app.Db())
        {
            var artifact = db.Artifacts.Single(a => a.Id == repoId);
            var teamB = db.Teams.Single(t => t.Name == "team-b");
            db.Repositories.Single(r => r.Id == artifact.RepositoryId).TeamId = teamB.Id;
            await db.SaveChangesAsync();
        }
        var image = summary.Image!;
        async Task<int> TotalAsync(string email)
        {
            var client = app.TokenClient(await app.CreateTokenAsync(email, TokenScopes.Read));
            var page = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/findings?image={Uri.EscapeDataString(image)}");
            return page.GetProperty("total").GetInt32();
        }
        Assert.True(await TotalAsync(TriageWebFactory.AdminEmail) > 0);
        Assert.Equal(await TotalAsync(TriageWebFactory.AdminEmail), await TotalAsync("member-b@example.test"));
        Assert.Equal(0, await TotalAsync("member-a@example.test"));
    }
}
