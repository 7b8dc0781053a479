using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Metrics;

/// <summary>The weekly review, compare and lineage pages, their downloads and the metrics API, served by the real app on a
/// real debian → distroless nginx lineage (the pages are prerendered, so the HTML holds what a person sees first).</summary>
public sealed class MetricsPagesTests(MetricsWebFactory app) : IClassFixture<MetricsWebFactory>
{
    private static string CompareQuery => $"a={Uri.EscapeDataString("nginx:latest")}&b={Uri.EscapeDataString(MetricsWebFactory.Distroless)}";

    private async Task<HttpClient> SignedInAsync(TriageRole role, params string[] teams)
    {
        var email = $"{role.ToName().ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        await app.CreateUserAsync(email, role, teams);
        return await app.SignedInClientAsync(email);
    }

    private static int Cause(string html, string attribute, string key)
    {
        var m = Regex.Match(html, $"{attribute}=\"{key}\"[^>]*>(?:<strong>)?([^<]+)<");
        Assert.True(m.Success, $"no {attribute}={key} in the page");
        return int.Parse(WebUtility.HtmlDecode(m.Groups[1].Value).Replace("−", "-", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal),
            System.Globalization.CultureInfo.InvariantCulture);
    }

    [FixtureFact]
    public async Task ComparePage_Viewer_SeesBothSidesAndCausesThatAddUp()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var response = await viewer.GetAsync($"/compare?{CompareQuery}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"compare-sides\"", html);
        Assert.Contains("debian 13.4", html);
        Assert.Contains("debian 9.9", html);
        Assert.DoesNotContain("attribution-mismatch", html);
        var before = Cause(html, "data-cause", "before");
        var after = Cause(html, "data-cause", "after");
        Assert.Equal((169, 4), (before, after));
        string[] causes = ["removedWithPackage", "fixedByUpgrade", "suppressedByDecision", "newlyDisclosed", "introducedByPackage"];
        Assert.Equal(after, before + causes.Sum(c => Cause(html, "data-cause-value", c)));
        Assert.Contains("data-kind=\"fixed_by_upgrade\"", html);
    }

    [FixtureFact]
    public async Task ComparePage_UnknownImage_SaysSo()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var html = await viewer.GetStringAsync("/compare?a=nginx:latest&b=nowhere/nothing:1");
        Assert.Contains("id=\"compare-error\"", html);
        Assert.Contains("no image &#x27;nowhere/nothing:1&#x27; you may see", html);
    }

    [FixtureFact]
    public async Task ComparePage_ImageOfAnotherTeam_IsNotFound()
    {
        await using (var db = app.Db())
        {
            var team = db.Teams.FirstOrDefault(t => t.Name == "web") ?? db.Teams.Add(new Team { Name = "web", CreatedAt = DateTime.UtcNow }).Entity;
            await db.SaveChangesAsync();
            db.Repositories.Single(r => r.Id == app.DistrolessRepositoryId).TeamId = team.Id;
            await db.SaveChangesAsync();
        }
        try
        {
            var outsider = await SignedInAsync(TriageRole.Triager, "payments");
            var html = await outsider.GetStringAsync($"/compare?{CompareQuery}");
            Assert.Contains("id=\"compare-error\"", html);
            Assert.DoesNotContain("id=\"compare-sides\"", html);
            var member = await SignedInAsync(TriageRole.Viewer, "web");
            Assert.Contains("id=\"compare-sides\"", await member.GetStringAsync($"/compare?{CompareQuery}"));
        }
        finally
        {
            await using var db = app.Db();
            db.Repositories.Single(r => r.Id == app.DistrolessRepositoryId).TeamId = null;
            await db.SaveChangesAsync();
        }
    }

    [FixtureFact]
    public async Task WeeklyReview_ShowsTrendCharts_TheWeeksCauses_AndTheSlimmingWin()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var html = await viewer.GetStringAsync("/metrics");
        Assert.Contains("id=\"trend-by-severity\"", html);
        Assert.Contains("id=\"burndown-chart\"", html);
        Assert.Contains("<svg", html);
        Assert.Contains("id=\"week-attribution\"", html);
        Assert.DoesNotContain("attribution-mismatch", html);
        var wins = Regex.Match(html, "id=\"slimming-wins\".*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("nginx-distroless", wins);
        Assert.Contains("data-open-after=\"4\"", wins);
        Assert.Contains("/compare?a=", wins);
        Assert.Contains("id=\"export-md\"", html);
        // No score, evidence, catalog or inventory is stored here: the priority and runtime figures are unknown, not zero.
        var risk = WebUtility.HtmlDecode(Regex.Match(html, "id=\"risk-trend\".*?</table>", RegexOptions.Singleline).Value);
        Assert.Contains("data-column=\"act\">—<", risk);
        Assert.DoesNotContain("data-column=\"kev\">0<", risk);
    }

    [FixtureFact]
    public async Task WeeklyReview_OneRepository_IsScopedToIt()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var html = await viewer.GetStringAsync($"/metrics?repository={Uri.EscapeDataString(MetricsWebFactory.Distroless)}");
        Assert.Contains("id=\"review-repository\"", html);
        Assert.Contains($"{MetricsWebFactory.Distroless}, ", Regex.Match(html, "id=\"review-as-of\"[^>]*>([^<]*)<").Groups[1].Value);
        Assert.Contains("id=\"trend-by-severity\"", html);
        var unknown = await viewer.GetStringAsync("/metrics?repository=nowhere%2Fnothing");
        Assert.Contains("id=\"review-error\"", unknown);
    }

    [FixtureFact]
    public async Task WeeklyReview_Downloads_MarkdownCsvAndPrintablePage()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var md = await viewer.GetAsync("/metrics/weekly.md");
        Assert.Equal(HttpStatusCode.OK, md.StatusCode);
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("# ", await md.Content.ReadAsStringAsync());
        var csv = await viewer.GetAsync("/metrics/weekly.csv?weeks=4");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.True((await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 1);
        var print = await viewer.GetStringAsync("/metrics/print");
        Assert.Contains("id=\"print-now\"", print);
        Assert.Contains("id=\"trend-by-severity\"", print);
        Assert.DoesNotContain("nav-metrics", print); // the printable page has no navigation
        Assert.Equal(HttpStatusCode.Redirect, (await Anonymous().GetAsync("/metrics/weekly.md")).StatusCode);
    }

    [FixtureFact]
    public async Task LineagePage_Viewer_SeesChainAndReduction_ButNoDeclaration()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        var html = await viewer.GetStringAsync($"/lineage/{app.DistrolessRepositoryId}");
        var start = html.IndexOf("id=\"lineage-chain\"", StringComparison.Ordinal);
        var chain = html[start..html.IndexOf("id=\"lineage-reduction\"", start, StringComparison.Ordinal)];
        var (debian, slim) = (chain.IndexOf(MetricsWebFactory.Debian, StringComparison.Ordinal), chain.IndexOf(MetricsWebFactory.Distroless, StringComparison.Ordinal));
        Assert.True(debian >= 0 && slim > debian, "the chain lists the Debian repository, then the distroless one");
        Assert.Contains("id=\"lineage-reduction\"", html);
        Assert.Contains("compare with previous", html);
        Assert.DoesNotContain("id=\"lineage-replace\"", html);
    }

    [FixtureFact]
    public async Task LineagePage_Triager_CanDeclareOrWithdraw()
    {
        var triager = await SignedInAsync(TriageRole.Triager);
        var html = await triager.GetStringAsync($"/lineage/{app.DistrolessRepositoryId}");
        Assert.Contains("id=\"lineage-replace\"", html);
        Assert.Contains("id=\"lineage-unlink\"", html); // the distroless repository already replaces the Debian one
        Assert.Contains("id=\"lineage-declare\"", await triager.GetStringAsync($"/lineage/{app.DebianRepositoryId}"));
    }

    [Fact]
    public async Task LineagePage_UnknownRepository_SaysSo()
    {
        var viewer = await SignedInAsync(TriageRole.Viewer);
        Assert.Contains("id=\"lineage-error\"", await viewer.GetStringAsync("/lineage/999999"));
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/metrics/print")]
    [InlineData("/compare")]
    [InlineData("/lineage/1")]
    [InlineData("/metrics/weekly.csv")]
    public async Task Pages_Anonymous_AreSentToSignIn(string path)
    {
        var response = await Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task NavMenu_LinksTheReviewAndCompare()
    {
        var html = await (await SignedInAsync(TriageRole.Viewer)).GetStringAsync("/");
        Assert.Contains("id=\"nav-metrics\"", html);
        Assert.Contains("id=\"nav-compare\"", html);
    }

    [FixtureFact]
    public async Task Api_Compare_Json_IsTheIssuesContract()
    {
        var token = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read);
        var response = await app.TokenClient(token).GetAsync($"/api/v1/compare?{CompareQuery}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal(["before", "after", "removedWithPackage", "fixedByUpgrade", "suppressedByDecision", "newlyDisclosed", "introducedByPackage", "packages", "sizeBytes"],
            root.EnumerateObject().Take(9).Select(p => p.Name));
        int N(string name) => root.GetProperty(name).GetInt32();
        Assert.Equal(N("after"), N("before") - N("removedWithPackage") - N("fixedByUpgrade") - N("suppressedByDecision") + N("newlyDisclosed") + N("introducedByPackage"));
        Assert.Equal((169, 4), (N("before"), N("after")));
        Assert.Equal(["before", "after"], root.GetProperty("packages").EnumerateObject().Select(p => p.Name));
        Assert.Equal((51, 2), (root.GetProperty("packages").GetProperty("before").GetInt32(), root.GetProperty("packages").GetProperty("after").GetInt32()));
        Assert.Equal((164_543_488L, 18_503_680L), (root.GetProperty("sizeBytes").GetProperty("before").GetInt64(), root.GetProperty("sizeBytes").GetProperty("after").GetInt64()));

        var md = await app.TokenClient(token).GetAsync($"/api/v1/compare?{CompareQuery}&format=md");
        Assert.Contains("= **4**", await md.Content.ReadAsStringAsync());
    }

    [FixtureFact]
    public async Task Api_Weekly_JsonCsvMd()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/metrics/weekly?weeks=4");
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/metrics/weekly?format=csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/metrics/weekly?format=md")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/metrics/weekly?format=xml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/metrics/weekly?team=nobody")).StatusCode);
    }

    [FixtureFact]
    public async Task Api_Replacement_NeedsAnUploadTokenOfATriager()
    {
        var path = $"/api/v1/lineage/replacements?repository={Uri.EscapeDataString(MetricsWebFactory.Distroless)}";
        var read = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        Assert.Equal(HttpStatusCode.Forbidden, (await read.DeleteAsync(path)).StatusCode);

        var triager = $"triager-{Guid.NewGuid():N}@example.test";
        await app.CreateUserAsync(triager, TriageRole.Triager);
        var upload = app.TokenClient(await app.CreateTokenAsync(triager, TokenScopes.Upload));
        Assert.Equal(HttpStatusCode.OK, (await upload.DeleteAsync(path)).StatusCode);
        var again = await upload.PostAsJsonAsync("/api/v1/lineage/replacements", new { old = MetricsWebFactory.Debian, @new = MetricsWebFactory.Distroless });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var cycle = await upload.PostAsJsonAsync("/api/v1/lineage/replacements", new { old = MetricsWebFactory.Distroless, @new = MetricsWebFactory.Debian });
        Assert.Equal(HttpStatusCode.BadRequest, cycle.StatusCode);
        var lineage = await upload.GetAsync($"/api/v1/lineage?repository={Uri.EscapeDataString(MetricsWebFactory.Debian)}");
        Assert.Equal(HttpStatusCode.Forbidden, lineage.StatusCode); // reading needs the read scope
    }

    private HttpClient Anonymous() => app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}
