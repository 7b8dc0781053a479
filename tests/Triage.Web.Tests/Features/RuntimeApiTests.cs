using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>POST /api/v1/runtime/evidence and /api/v1/enrichment: the CLI's ingest behind an upload-scoped token.</summary>
public sealed class RuntimeApiTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private static ByteArrayContent Body(string path, string mediaType = "application/json")
    {
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.Add("X-Report-Name", Path.GetFileName(path));
        return content;
    }

    [FixtureFact]
    public async Task Evidence_KubeletPods_201WithSummary_SameAgain200Duplicate()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        var pods = TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json");
        var first = await client.PostAsync("/api/v1/runtime/evidence?cluster=home&observedAt=2025-08-25T12:00:00Z", Body(pods));
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var summary = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("kubelet_pods.json", summary.GetProperty("file").GetString());
        Assert.Equal("home", summary.GetProperty("inventory").GetProperty("cluster").GetString());
        Assert.Equal(16, summary.GetProperty("inventory").GetProperty("workloads").GetInt32());

        var again = await client.PostAsync("/api/v1/runtime/evidence?cluster=home&observedAt=2025-08-25T12:00:00Z", Body(pods));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicate").GetBoolean());
        // The kubelet's list covers its node; the uploader may state more, and then it is another ingest.
        Assert.Equal(("node:duckboat-01", "a kubelet /pods list of node duckboat-01"),
            (summary.GetProperty("inventory").GetProperty("coverage").GetString(), summary.GetProperty("inventory").GetProperty("coverageBasis").GetString()));
        var stated = await client.PostAsync("/api/v1/runtime/evidence?cluster=home&observedAt=2025-08-25T12:00:00Z&coverage=cluster", Body(pods));
        Assert.Equal(HttpStatusCode.Created, stated.StatusCode);
        var inventory = JsonDocument.Parse(await stated.Content.ReadAsStringAsync()).RootElement.GetProperty("inventory");
        Assert.Equal(("cluster", "stated by the uploader"), (inventory.GetProperty("coverage").GetString(), inventory.GetProperty("coverageBasis").GetString()));
    }

    [FixtureFact]
    public async Task Evidence_BadParameter400_NeedsImage400_Unreadable422_ReadToken403()
    {
        var upload = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        var creport = TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json");
        Assert.Equal(HttpStatusCode.BadRequest, (await upload.PostAsync("/api/v1/runtime/evidence?observedAt=yesterday", Body(creport))).StatusCode);
        var badCoverage = await upload.PostAsync("/api/v1/runtime/evidence?coverage=everything", Body(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json")));
        Assert.Equal(HttpStatusCode.BadRequest, badCoverage.StatusCode);
        Assert.Contains("coverage 'everything' is not one of: cluster, namespaces:NAME[,NAME…], node:NAME, partial", await badCoverage.Content.ReadAsStringAsync());
        var needsImage = await upload.PostAsync("/api/v1/runtime/evidence", Body(creport));
        Assert.Equal(HttpStatusCode.BadRequest, needsImage.StatusCode);
        Assert.Contains("image", await needsImage.Content.ReadAsStringAsync());
        var unreadable = await upload.PostAsync("/api/v1/runtime/evidence", new StringContent("{\"hello\":1}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unreadable.StatusCode);
        Assert.Equal("application/problem+json", unreadable.Content.Headers.ContentType?.MediaType);

        var read = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PostAsync("/api/v1/runtime/evidence", Body(creport))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PostAsync("/api/v1/enrichment", Body(creport))).StatusCode);
    }

    [FixtureFact]
    public async Task Enrichment_KevCsvMultipart201_NotEnrichment422()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        using var form = new MultipartFormDataContent();
        var kev = TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.csv");
        form.Add(new ByteArrayContent(File.ReadAllBytes(kev)), "file", Path.GetFileName(kev));
        var r = await client.PostAsync("/api/v1/enrichment", form);
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var summary = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("kev", summary.GetProperty("feed").GetString());
        Assert.Equal("2025-08-25", summary.GetProperty("dataDate").GetString());

        var wrong = await client.PostAsync("/api/v1/enrichment", Body(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        Assert.Contains("neither a CISA KEV catalog", await wrong.Content.ReadAsStringAsync());
    }

    [FixtureFact]
    public async Task Enrichment_KevJsonPastTheDefaultBodyLimit_IsHeldToTheUploadLimit_201()
    {
        // 1.2 MiB: more than Triage:Security:MaxRequestBodyBytes (1 MiB), which these endpoints used to get and answer 413.
        var kev = TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json");
        Assert.True(new FileInfo(kev).Length > 1 << 20);
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        var r = await client.PostAsync("/api/v1/enrichment", Body(kev));
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        Assert.Equal("kev", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("feed").GetString());
    }
}
