using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Testing;
using Triage.Web.Infrastructure.Operations;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Operations;

public sealed class RetentionAndKeysTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task OldRawReports_LoseTheirBytes_KeepTheirHash_AndTheSameBytesAreStillADuplicate(string provider)
    {
        await using var app = new OperationsFactory(provider, new Dictionary<string, string?> { ["Triage:Retention:RawReportDays"] = "30" });
        var api = await app.TriagerApiAsync();
        var old = SyntheticReports.Trivy(20);
        var recent = SyntheticReports.Trivy(21);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/scans", OperationsFactory.Json(old))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/scans", OperationsFactory.Json(recent))).StatusCode);
        var oldSha = SyntheticReports.Sha256(old);
        await using (var db = app.Db())
        {
            var at = DateTime.UtcNow.AddDays(-31);
            await db.RawReports.Where(r => r.Sha256 == oldSha).ExecuteUpdateAsync(s => s.SetProperty(r => r.ImportedAt, at));
        }

        var (reports, _) = await app.Services.GetRequiredService<RetentionService>().RunOnceAsync();
        Assert.Equal(1, reports);
        await using (var db = app.Db())
        {
            var purged = await db.RawReports.SingleAsync(r => r.Sha256 == oldSha);
            Assert.Equal("purged", purged.ContentEncoding);
            Assert.Null(purged.Content);
            var kept = await db.RawReports.SingleAsync(r => r.Sha256 != oldSha);
            Assert.Equal("gzip", kept.ContentEncoding);
            Assert.NotEmpty(kept.Content!);
            Assert.Equal(2, await db.Scans.CountAsync());
        }
        Assert.Equal((0, 0), await app.Services.GetRequiredService<RetentionService>().RunOnceAsync());
        var again = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(old));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("\"duplicate\":true", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DataProtectionKeys_LiveInTheDatabase_SoAnotherInstanceReadsTheAntiforgeryTokenAndTheCookie()
    {
        await using var first = new OperationsFactory("sqlite");
        await using var second = new OperationsFactory("sqlite", new Dictionary<string, string?> { ["ConnectionStrings:Triage"] = first.AppConnectionString });
        var options = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false };
        var toFirst = first.CreateClient(options);
        var toSecond = second.CreateClient(options);

        // The sign-in form comes from the first instance and is posted to the second: its antiforgery token is accepted.
        var login = await toFirst.GetAsync("/account/login");
        var html = await login.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail,
                ["Input.Password"] = TriageWebFactory.Password,
            }),
        };
        post.Headers.Add("Cookie", Cookies(login));
        var signedIn = await toSecond.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var auth = Cookies(signedIn);
        Assert.Contains("triage.auth=", auth);

        // The cookie the second instance wrote opens pages on the first.
        var page = new HttpRequestMessage(HttpMethod.Get, "/findings");
        page.Headers.Add("Cookie", auth);
        Assert.Equal(HttpStatusCode.OK, (await toFirst.SendAsync(page)).StatusCode);
        await using var db = first.Db();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    /// <summary>"name=value; name=value" of a response's Set-Cookie headers.</summary>
    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);
}
