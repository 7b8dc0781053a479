using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Triage.Web.Tests.Security;

/// <summary>The app with the upload rate limit out of the way, so a corpus can be fed through POST /api/v1/scans.</summary>
public sealed class HostileInputFactory() : TriageWebFactory("sqlite", seedAdmin: true, new Dictionary<string, string?>
{
    ["Triage:RateLimits:UploadsPerMinute"] = "1000000",
    ["Triage:RateLimits:ApiPerMinute"] = "1000000",
    ["Triage:Import:MaxReportBytes"] = (8 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
});

/// <summary>
/// Hostile reports through the API for a bounded time: each one is a valid import (201/200) or a clean problem+json that
/// names the file and the problem (400/413/422), never a 500, and a refused one leaves every table as it was.
/// </summary>
public sealed class HostileInputTests(HostileInputFactory app, ITestOutputHelper output) : IClassFixture<HostileInputFactory>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const int MinCases = 24;

    private async Task<string> CountsAsync()
    {
        await using var db = app.Db();
        return string.Join(' ', await db.Scans.CountAsync(), await db.RawReports.CountAsync(), await db.Findings.CountAsync(),
            await db.Observations.CountAsync(), await db.Packages.CountAsync(), await db.Vulnerabilities.CountAsync(), await db.Artifacts.CountAsync());
    }

    [Fact]
    public async Task Corpus_ThroughTheApi_CleanErrorOrValidImport_NoPartialData()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        var clock = Stopwatch.StartNew();
        int refused = 0, imported = 0;
        var before = await CountsAsync();
        foreach (var c in HostileReports.Generate())
        {
            // At least the first round of every kind of damage, then random mutations while the budget lasts.
                if (refused + imported >= MinCases && clock.Elapsed > Budget) break;
            var name = c.Name + ".json";
            using var content = new ByteArrayContent(c.Bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/scans") { Content = content };
            request.Headers.Add("X-Report-Name", name);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status is 200 or 201 or 400 or 413 or 422, $"{c}: HTTP {status}\n{Head(body)}");
            if (status is 200 or 201)
            {
                imported++;
                before = await CountsAsync();
                continue;
            }
            refused++;
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            var detail = problem.RootElement.GetProperty("detail").GetString()!;
            Assert.True(detail.StartsWith(name + ": ", StringComparison.Ordinal), $"{c}: the problem does not name the file: {Head(detail)}");
            Assert.True(problem.RootElement.TryGetProperty("code", out var code) && code.GetString()!.Length > 0, $"{c}: no code");
            Assert.True(detail.Length < 2000, $"{c}: the problem echoes the input ({detail.Length} chars)");
            var after = await CountsAsync();
            Assert.True(before == after, $"{c}: refused ({code.GetString()}) but tables changed: {before} → {after}");
        }
        output.WriteLine($"{refused + imported} cases in {clock.Elapsed.TotalSeconds:F1} s: {refused} refused, {imported} imported");
        Assert.True(refused >= 12, $"only {refused} cases were refused");
    }

    [Theory]
    [InlineData("gzip-bomb")]
    [InlineData("zip-bomb")]
    [InlineData("gzip-nested")]
    public async Task CompressionBombs_AreRefusedAsNotJson_WithoutExpanding(string name)
    {
        var bomb = HostileReports.Bombs().Single(b => b.Name == name);
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        foreach (var encoding in new[] { null, "gzip" })
        {
            using var content = new ByteArrayContent(bomb.Bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (encoding is not null) content.Headers.ContentEncoding.Add(encoding);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/scans") { Content = content };
            request.Headers.Add("X-Report-Name", name + ".json.gz");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains(name + ".json.gz: ", body);
            // Refused as what it is on the wire (not JSON): the upload is never inflated, whatever Content-Encoding says.
            Assert.Contains("invalid_json", body);
        }
    }

    private static string Head(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
