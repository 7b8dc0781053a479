using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Security;

/// <summary>
/// Every endpoint and page, taken from the app's own route table, against anonymous, Viewer, Triager, Admin (with read
/// and upload tokens for the API) and a member of another team. A route missing from <see cref="Expected"/> fails the
/// test: a new endpoint cannot ship without someone deciding who may call it.
/// </summary>
public sealed class AuthorizationMatrixTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    public enum Need { Anonymous, View, Triage, Admin, ApiRead, ApiUpload }

    /// <summary>Who may use each route ("METHOD pattern" as the route table spells it; pages as "PAGE route").</summary>
    private static readonly Dictionary<string, Need> Expected = new()
    {
        ["GET /api/openapi/{documentName}.json"] = Need.ApiRead,
        ["POST /api/v1/scans"] = Need.ApiUpload,
        ["GET /api/v1/findings"] = Need.ApiRead,
        ["GET /api/v1/exposure/{id}"] = Need.ApiRead,
        ["GET /api/v1/vex"] = Need.ApiRead,
        ["POST /api/v1/vex"] = Need.ApiUpload,
        ["GET /api/v1/vex/documents"] = Need.ApiRead,
        ["GET /api/v1/vex/documents/{id:long}"] = Need.ApiRead,
        ["POST /api/v1/decisions"] = Need.ApiUpload,
        ["GET /api/v1/decisions/review"] = Need.ApiRead,
        ["GET /api/v1/findings/{id:long}/decisions"] = Need.ApiRead,
        ["POST /api/v1/runtime/evidence"] = Need.ApiUpload,
        ["POST /api/v1/enrichment"] = Need.ApiUpload,
        ["GET /api/v1/signing/public-key"] = Need.ApiRead,
        ["POST /api/v1/attestations"] = Need.ApiUpload,
        ["GET /api/v1/images/{id:long}/attestations"] = Need.ApiRead,
        ["GET /api/v1/metrics/weekly"] = Need.ApiRead,
        ["GET /api/v1/compare"] = Need.ApiRead,
        ["GET /api/v1/lineage"] = Need.ApiRead,
        ["POST /api/v1/lineage/replacements"] = Need.ApiUpload,
        ["DELETE /api/v1/lineage/replacements"] = Need.ApiUpload,
        // The app's signing public key, for people verifying its exports.
        ["GET /signing/public-key.pem"] = Need.View,
        ["GET /metrics/weekly.{format:regex(^(md|csv)$)}"] = Need.View,
        // Static files (the development static-web-assets fallback): public by nature, no data.
        ["GET /{**path:file}"] = Need.Anonymous,
        ["HEAD /{**path:file}"] = Need.Anonymous,
        // Liveness and readiness for the orchestrator: status only, no data.
        ["GET /health/live"] = Need.Anonymous,
        ["GET /health/ready"] = Need.Anonymous,
        ["POST /account/logout"] = Need.Anonymous,
        ["POST /account/external-login"] = Need.Anonymous,
        ["GET /account/external-callback"] = Need.Anonymous,
        ["GET /sessions/{id:long}/summary.{format:regex(^(md|csv)$)}"] = Need.View,
        ["GET /admin/audit.{format:regex(^(csv|json)$)}"] = Need.Admin,
        ["PAGE /"] = Need.View,
        ["PAGE /findings"] = Need.View,
        ["PAGE /findings/{Id:long}"] = Need.View,
        ["PAGE /images"] = Need.View,
        ["PAGE /images/{Id:long}"] = Need.View,
        ["PAGE /import"] = Need.Triage,
        ["PAGE /runtime"] = Need.Triage,
        ["PAGE /sessions"] = Need.View,
        ["PAGE /sessions/{Id:long}"] = Need.View,
        ["PAGE /tokens"] = Need.View,
        ["PAGE /admin"] = Need.Admin,
        ["PAGE /vex"] = Need.View,
        ["PAGE /compare"] = Need.View,
        ["PAGE /lineage/{RepositoryId:long}"] = Need.View,
        ["PAGE /metrics"] = Need.View,
        ["PAGE /metrics/print"] = Need.View,
        ["PAGE /account/login"] = Need.Anonymous,
        ["PAGE /account/setup"] = Need.Anonymous,
        ["PAGE /account/access-denied"] = Need.Anonymous,
        ["PAGE /not-found"] = Need.Anonymous,
        ["PAGE /Error"] = Need.Anonymous,
    };

    private sealed record Route(string Key, string Method, string Url, Need Need);

    /// <summary>The route table: endpoints (less static files and Blazor's own plumbing) and routable components.</summary>
    private List<Route> Routes()
    {
        var routes = new List<Route>();
        var unknown = new List<string>();
        foreach (var e in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (e.RoutePattern.RawText ?? "").TrimStart('/');
            if (e.Metadata.Any(m => m.GetType().Name == "ComponentTypeMetadata")) continue; // pages: below, from their [Route]
            if (pattern.StartsWith("/_", StringComparison.Ordinal)) continue;               // /_blazor, /_framework, /_content
            if (e.Metadata.Any(m => m.GetType().FullName?.Contains("StaticAssets", StringComparison.Ordinal) == true)) continue;
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var key = $"{method} {pattern}";
                if (Expected.TryGetValue(key, out var need)) routes.Add(new Route(key, method, Url(pattern), need));
                else unknown.Add(key);
            }
        }
        foreach (var page in typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t)))
            foreach (var r in page.GetCustomAttributes<RouteAttribute>())
            {
                var key = "PAGE " + r.Template;
                if (Expected.TryGetValue(key, out var need)) routes.Add(new Route(key, "GET", Url(r.Template), need));
                else unknown.Add(key);
            }
        Assert.True(unknown.Count == 0, "routes nobody decided access for (add them to Expected): " + string.Join(", ", unknown));
        var missing = Expected.Keys.Except(routes.Select(r => r.Key)).ToList();
        Assert.True(missing.Count == 0, "Expected names routes the app no longer has: " + string.Join(", ", missing));
        return routes;
    }

    private static string Url(string pattern) => Regex.Replace(pattern, "\\{([^}:?]+)[^}]*\\}", m => m.Groups[1].Value switch
    {
        "documentName" => "v1",
        "format" => pattern.Contains("audit", StringComparison.Ordinal) ? "csv" : "md",
        "id" when pattern.Contains("exposure", StringComparison.Ordinal) => "CVE-2024-0001",
        _ => "1",
    }).Replace("(^(md|csv)$)}", "", StringComparison.Ordinal);

    [Fact]
    public void RouteTable_IsFullyCovered() => Assert.True(Routes().Count >= 25);

    private static HttpRequestMessage Request(Route r) => new(new HttpMethod(r.Method), r.Url)
    {
        Content = r.Method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
    };

    private static bool Allowed(HttpResponseMessage response) =>
        response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        && !(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString is { } l
             && (l.Contains("/account/login", StringComparison.Ordinal) || l.Contains("/account/access-denied", StringComparison.Ordinal)));

    [Fact]
    public async Task Anonymous_ReachesOnlyAnonymousRoutes()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var r in Routes())
        {
            var response = await client.SendAsync(Request(r));
            if (r.Need is Need.ApiRead or Need.ApiUpload)
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{r.Key}: anonymous got {(int)response.StatusCode}, want 401");
            else if (r.Need == Need.Anonymous)
                Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, $"{r.Key}: 500");
            else
                Assert.False(Allowed(response), $"{r.Key}: anonymous got {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData(TriageRole.Viewer)]
    [InlineData(TriageRole.Triager)]
    [InlineData(TriageRole.Admin)]
    public async Task SignedIn_ByRole_PagesAndCookieEndpoints(TriageRole role)
    {
        var email = $"matrix-{role.ToName().ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        await app.CreateUserAsync(email, role);
        var browser = await app.SignedInClientAsync(email);
        foreach (var r in Routes().Where(r => r.Need is Need.View or Need.Triage or Need.Admin))
        {
            var want = r.Need switch { Need.View => true, Need.Triage => role is TriageRole.Triager or TriageRole.Admin, _ => role == TriageRole.Admin };
            var response = await browser.SendAsync(Request(r));
            Assert.True(Allowed(response) == want, $"{r.Key} as {role}: {(int)response.StatusCode} {response.Headers.Location}, want {(want ? "allowed" : "refused")}");
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        // A browser cookie never opens the API.
        foreach (var r in Routes().Where(r => r.Need is Need.ApiRead or Need.ApiUpload))
            Assert.False(Allowed(await browser.SendAsync(Request(r))), $"{r.Key} with a cookie as {role}");
    }

    [Theory]
    [InlineData(TriageRole.Viewer, TokenScopes.Read)]
    [InlineData(TriageRole.Viewer, TokenScopes.Upload)]  // a token made before a demotion: the role is checked at use
    [InlineData(TriageRole.Triager, TokenScopes.Read)]
    [InlineData(TriageRole.Triager, TokenScopes.Upload)]
    [InlineData(TriageRole.Admin, TokenScopes.Read)]
    [InlineData(TriageRole.Admin, TokenScopes.Read | TokenScopes.Upload)]
    public async Task ApiTokens_ByRoleAndScope(TriageRole role, TokenScopes scopes)
    {
        var email = $"matrix-api-{role.ToName().ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        var userId = await app.CreateUserAsync(email, role);
        var (secret, prefix, hash) = ApiTokens.Create();
        await using (var db = app.Db())
        {
            db.ApiTokens.Add(new ApiToken { UserId = userId, Name = "matrix", Prefix = prefix, Hash = hash, Scopes = scopes, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var client = app.TokenClient(secret);
        foreach (var r in Routes().Where(r => r.Need is Need.ApiRead or Need.ApiUpload))
        {
            var want = r.Need == Need.ApiRead
                ? scopes.HasFlag(TokenScopes.Read)
                : scopes.HasFlag(TokenScopes.Upload) && role is TriageRole.Triager or TriageRole.Admin;
            var response = await client.SendAsync(Request(r));
            Assert.True(Allowed(response) == want, $"{r.Key} as {role} with {scopes}: {(int)response.StatusCode}, want {(want ? "allowed" : "refused")}");
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        // Pages are for people: a token does not open them.
        foreach (var r in Routes().Where(r => r.Need is Need.View or Need.Triage or Need.Admin))
            Assert.False(Allowed(await client.SendAsync(Request(r))), $"{r.Key} with a token as {role}");
    }

    [FixtureFact]
    public async Task TeamOwnedImage_MemberSeesIt_OtherTeamDoesNot_EverywhereItShows()
    {
        var summary = await app.ImportFixtureAsync("matched", "alpine-3.19", "trivy.json");
        var artifactId = summary.Artifacts[0].ArtifactId;
        var member = $"member-{Guid.NewGuid():N}@example.test";
        var other = $"other-{Guid.NewGuid():N}@example.test";
        var team = "owners-" + Guid.NewGuid().ToString("N")[..8];
        await app.CreateUserAsync(member, TriageRole.Triager, team);
        await app.CreateUserAsync(other, TriageRole.Triager, "elsewhere-" + Guid.NewGuid().ToString("N")[..8]);
        long findingId;
        await using (var db = app.Db())
        {
            var artifact = db.Artifacts.Single(a => a.Id == artifactId);
            db.Repositories.Single(r => r.Id == artifact.RepositoryId).TeamId = db.Teams.Single(t => t.Name == team).Id;
            await db.SaveChangesAsync();
            findingId = await db.Findings.Where(x => x.ArtifactId == artifactId).OrderBy(x => x.Id).Select(x => x.Id).FirstAsync();
        }
        string vulnId;
        await using (var db = app.Db())
            vulnId = (await Triage.Data.Queries.FindingQueries.ToViewsAsync(db, db.Findings.Where(x => x.Id == findingId))).Single().Vulnerability.Id;

        async Task<(string Image, string Finding, int Exposed, HttpStatusCode History)> SeenBy(string email)
        {
            var browser = await app.SignedInClientAsync(email);
            var image = await (await browser.GetAsync($"/images/{artifactId}")).Content.ReadAsStringAsync();
            var finding = await (await browser.GetAsync($"/findings/{findingId}")).Content.ReadAsStringAsync();
            var api = app.TokenClient(await app.CreateTokenAsync(email, TokenScopes.Read));
            var exposure = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/exposure/{Uri.EscapeDataString(vulnId)}");
            var exposed = exposure.EnumerateObject().Any(p => p.Name == "vulnerabilities")
                ? exposure.GetProperty("vulnerabilities").EnumerateArray().Sum(v => v.GetProperty("images").GetArrayLength()) : 0;
            var history = (await api.GetAsync($"/api/v1/findings/{findingId}/decisions")).StatusCode;
            return (image, finding, exposed, history);
        }

        var image = summary.Image!;
        var m = await SeenBy(member);
        var o = await SeenBy(other);
        Assert.Contains(vulnId, m.Finding);
        Assert.DoesNotContain(vulnId, o.Finding);
        Assert.True(m.Exposed > 0, "the member's exposure query misses the team's image");
        Assert.Equal(0, o.Exposed);
        Assert.Equal(HttpStatusCode.OK, m.History);
        Assert.Equal(HttpStatusCode.NotFound, o.History);
        Assert.Contains(image.Split(':')[0].Split('/')[^1], m.Image);
        Assert.DoesNotContain(summary.Digest ?? image, o.Image);
    }
}
