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

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RuntimeRetention_OneInstancePurgesPerInterval_AndAuditsIt(string provider)
    {
        await using var first = new OperationsFactory(provider);
        await using var second = new OperationsFactory(provider, new Dictionary<string, string?> { ["ConnectionStrings:Triage"] = first.AppConnectionString });
        // Three cluster-wide lists of the same pod long ago: the middle one is superseded.
        var ingest = new Triage.Data.Runtime.RuntimeIngestService(first.AppConnectionString);
        const string pods = """
            {"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[{"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"web-1","namespace":"shop"},"spec":{"nodeName":"n1"},"status":{"phase":"Running","containerStatuses":[{"name":"web",
             "image":"registry.example/web:1","imageID":"docker-pullable://registry.example/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"}]}}]}
            """;
        foreach (var day in new[] { 1, 2, 3 })
            await ingest.IngestAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(pods)), "pods.json", new Triage.Data.Runtime.RuntimeIngestOptions
            {
                Cluster = "home", Coverage = Triage.Core.Runtime.Inventory.InventoryCoverage.Cluster, ObservedAt = new DateTimeOffset(2024, 1, day, 0, 0, 0, TimeSpan.Zero),
            });

        // Whichever instance claims the interval purges (this call, or the app's own run if it came first); the other waits.
        var run = await first.Services.GetRequiredService<RetentionService>().RunRuntimeOnceAsync();
        if (run is not null) Assert.Equal((1, 1), (run.Snapshots, run.InventoryFiles));
        Assert.Null(await second.Services.GetRequiredService<RetentionService>().RunRuntimeOnceAsync());
        Assert.Null(await first.Services.GetRequiredService<RetentionService>().RunRuntimeOnceAsync());
        await using var db = first.Db();
        Assert.Equal(2, await db.RuntimeSnapshots.CountAsync());
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == Triage.Core.Audit.AuditActions.RuntimePurged);
        Assert.Equal(("system:retention", Triage.Core.Audit.AuditChannels.System), (audit.Actor, audit.Channel));
        Assert.StartsWith("deleted 1 superseded inventory snapshots (1 files)", audit.Details);
    }

    /// <summary>"name=value; name=value" of a response's Set-Cookie headers.</summary>
    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);
}
