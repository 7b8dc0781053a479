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
    ["Triage:Import:MaxDecompressedBytes"] = (8 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
});

/// <summary>
/// Hostile reports through the API for a bounded time: each one is a valid import (201/200) or a clean problem+json that
/// names the file and the problem (400/413/422), never a 500, and a refused one leaves every table as it was. The other
/// upload endpoints (enrichment, VEX, runtime evidence, attestations) get bombs, truncation, deep nesting and huge lines.
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

    /// <summary>An upload endpoint besides scans: where it is, the header that names the file, and a small valid file of its kind.</summary>
    private sealed record Upload(string Path, string NameHeader, string Seed);

    private static readonly Dictionary<string, Upload> Uploads = new()
    {
        ["enrichment"] = new("/api/v1/enrichment", "X-Report-Name", HostileReports.EpssJson),
        ["vex"] = new("/api/v1/vex", "X-Document-Name", """
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.test/vex/hostile","author":"Hostile Vendor","timestamp":"2025-08-25T00:00:00Z","version":1,
             "statements":[{"vulnerability":{"name":"CVE-2024-3094"},"products":[{"@id":"pkg:oci/app@sha256:1111111111111111111111111111111111111111111111111111111111111111"}],
             "status":"not_affected","justification":"component_not_present"}]}
            """),
        ["runtime"] = new("/api/v1/runtime/evidence?cluster=hostile", "X-Report-Name", """
            {"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"web-1","namespace":"shop"},
             "spec":{"containers":[{"name":"web","image":"registry.example/shop/web:1.0"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"web","image":"registry.example/shop/web:1.0",
             "imageID":"registry.example/shop/web@sha256:2222222222222222222222222222222222222222222222222222222222222222"}]}}]}
            """),
        ["attestations"] = new("/api/v1/attestations", "X-Document-Name", """
            {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"hostile"}},
             "dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA"}]}}
            """),
    };

    /// <summary>Rows inflating to 4× the factory's 8 MiB limit; one line far past 64 KiB.</summary>
    private static readonly Lazy<IReadOnlyList<HostileReports.Case>> EpssBombs = new(() => [HostileReports.EpssRowsBomb(32L << 20), HostileReports.EpssLineBomb(1L << 20)]);

    /// <summary>Endpoint, damage, and the status it must get: 413 for a file past a limit (inflated size, one line), 422 for
    /// content that cannot be read.</summary>
    public static TheoryData<string, string, int> UploadCases()
    {
        var cases = new TheoryData<string, string, int>
        {
            { "enrichment", "epss-gzip-rows-bomb", 413 },
            { "enrichment", "epss-gzip-line-bomb", 413 },
            { "enrichment", "epss-csv-huge-line", 413 },
        };
        foreach (var endpoint in Uploads.Keys)
            foreach (var damage in new[] { "gzip-bomb", "truncated", "deep-nesting", "huge-line" })
                cases.Add(endpoint, damage, 422);
        return cases;
    }

    private static HostileReports.Case CaseFor(string endpoint, string damage) => damage switch
    {
        "epss-gzip-rows-bomb" or "epss-gzip-line-bomb" => EpssBombs.Value.Single(b => b.Name == damage),
        "epss-csv-huge-line" => new(damage, System.Text.Encoding.UTF8.GetBytes(HostileReports.EpssCsv + "CVE-2024-0001,0." + new string('1', 4 << 20) + ",0.5\n")),
        _ => HostileReports.UploadDamage(endpoint, Uploads[endpoint].Seed).Single(c => c.Name == $"{endpoint}-{damage}"),
    };

    /// <summary>Every table an enrichment, VEX, runtime-evidence or attestation upload writes to.</summary>
    private async Task<string> UploadCountsAsync()
    {
        await using var db = app.Db();
        return string.Join(' ', await db.EnrichmentImports.CountAsync(), await db.KevListings.CountAsync(), await db.EpssEntries.CountAsync(),
            await db.VexDocuments.CountAsync(), await db.VexDocumentIssues.CountAsync(), await db.VexDocumentSignatures.CountAsync(), await db.Decisions.CountAsync(),
            await db.RuntimeEvidenceFiles.CountAsync(), await db.RuntimeImageEvidence.CountAsync(), await db.RuntimeWorkloads.CountAsync(),
            await db.Scans.CountAsync(), await db.Attestations.CountAsync());
    }

    [Theory]
    [MemberData(nameof(UploadCases))]
    public async Task OtherUploads_HostileFile_CleanProblemNamingFileAndProblem_NothingStored_AppServes(string endpoint, string damage, int status)
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload | TokenScopes.Read));
        var upload = Uploads[endpoint];
        var hostile = CaseFor(endpoint, damage);
        var name = hostile.Name + ".upload";
        var before = await UploadCountsAsync();
        var clock = Stopwatch.StartNew();

        using var content = new ByteArrayContent(hostile.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, upload.Path) { Content = content };
        request.Headers.Add(upload.NameHeader, name);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == status, $"{hostile}: HTTP {(int)response.StatusCode}, expected {status}\n{Head(body)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.True(detail.StartsWith(name + ": ", StringComparison.Ordinal), $"{hostile}: the problem does not name the file: {Head(detail)}");
        Assert.True(problem.RootElement.TryGetProperty("code", out var code) && code.GetString()!.Length > 0, $"{hostile}: no code");
        Assert.True(detail.Length < 2000, $"{hostile}: the problem echoes the input ({detail.Length} chars)");
        if (status == 413) Assert.Equal("too_large", code.GetString());
        output.WriteLine($"{hostile}: {(int)response.StatusCode} {code.GetString()} in {clock.ElapsedMilliseconds} ms: {detail}");

        Assert.Equal(before, await UploadCountsAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/findings")).StatusCode);
    }

    [Fact]
    public async Task EpssBombs_AreRefusedAtTheLimits_NamingThem_ThenAValidFileImports()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        foreach (var (bomb, limit) in new[] { (EpssBombs.Value[0], "8 MiB"), (EpssBombs.Value[1], "64 KiB") })
        {
            using var gz = new ByteArrayContent(bomb.Bytes);
            gz.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            gz.Headers.Add("X-Report-Name", bomb.Name + ".csv.gz");
            var refused = await client.PostAsync("/api/v1/enrichment", gz);
            var detail = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
            Assert.Contains($"{bomb.Name}.csv.gz: EPSS scores: ", detail);
            Assert.Contains("limit of " + limit, detail);
        }

        // The same endpoint goes on serving: the real thing, gzip, lands.
        using var valid = new ByteArrayContent(HostileReports.Gzip(System.Text.Encoding.UTF8.GetBytes(HostileReports.EpssCsv)));
        valid.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        valid.Headers.Add("X-Report-Name", "epss_scores-2025-08-25.csv.gz");
        var imported = await client.PostAsync("/api/v1/enrichment", valid);
        Assert.True(imported.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        Assert.Equal("csv.gz", JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement.GetProperty("format").GetString());
    }

    private static string Head(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
