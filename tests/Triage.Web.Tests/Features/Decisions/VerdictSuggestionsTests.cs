using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Web.Features.Decisions;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Decisions;

/// <summary>The decision form's suggestion comes from the finding's stored runtime verdict, never from nothing, and
/// only a verdict that proposes a justification suggests one.</summary>
public sealed class VerdictSuggestionsTests : IDisposable
{
    private readonly TriageWebFactory _app = new();

    [Fact]
    public void TheAppSuggestsFromStoredVerdicts() =>
        Assert.IsType<VerdictSuggestions>(_app.Services.GetRequiredService<IJustificationSuggestions>());

    [Fact]
    public async Task NotPresent_SuggestsComponentNotPresent_WithTheSourcesReason()
    {
        var (notPresent, loaded, none) = await ThreeFindingsAsync();
        await StoreVerdictAsync(notPresent, ReachabilityVerdict.NotPresent, ProposedJustification.ComponentNotPresent,
            """[{"source":"slim-creport","verdict":"not_present","confidence":"high","detail":"no file of busybox in the slimmed image","justification":"component_not_present"}]""");
        await StoreVerdictAsync(loaded, ReachabilityVerdict.Loaded, null,
            """[{"source":"file-access:tetragon","verdict":"loaded","confidence":"high","detail":"/bin/busybox executed"}]""");
        var suggestions = _app.Services.GetRequiredService<IJustificationSuggestions>();

        var s = await suggestions.SuggestAsync(notPresent);
        Assert.NotNull(s);
        Assert.Equal(VexJustification.ComponentNotPresent, s.Justification);
        Assert.Contains("not_present", s.Reason, StringComparison.Ordinal);
        Assert.Contains("slim-creport: no file of busybox in the slimmed image", s.Reason, StringComparison.Ordinal);

        // Loaded proposes nothing; no verdict at all (unknown) proposes nothing.
        Assert.Null(await suggestions.SuggestAsync(loaded));
        Assert.Null(await suggestions.SuggestAsync(none));
    }

    [Fact]
    public async Task PresentNotLoaded_SuggestsNotInExecutePath()
    {
        var (finding, _, _) = await ThreeFindingsAsync();
        await StoreVerdictAsync(finding, ReachabilityVerdict.PresentNotLoaded, ProposedJustification.VulnerableCodeNotInExecutePath,
            """[{"source":"slim-creport","verdict":"present_not_loaded","confidence":"medium","detail":"complete profile: no file of busybox used","justification":"vulnerable_code_not_in_execute_path"}]""",
            VerdictConfidence.Medium);
        var s = await _app.Services.GetRequiredService<IJustificationSuggestions>().SuggestAsync(finding);
        Assert.Equal(VexJustification.VulnerableCodeNotInExecutePath, s?.Justification);
        Assert.Contains("medium confidence", s!.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real flow behind a suggestion on a tag's old digest: the alpine:3.19 scan (Trivy --list-all-pkgs), a pod list
    /// running another alpine:3.19 digest, and that digest's package list, which lacks ssl_client. The form proposes
    /// component_not_present for ssl_client's findings, with the running image named, and nothing for busybox.
    /// </summary>
    [FixtureFact]
    public async Task RunningDigestsPackageListLacksThePackage_SuggestsComponentNotPresent()
    {
        await _app.ImportFixtureAsync("matched", "alpine-3.19", "trivy.json");
        var running = "sha256:" + new string('7', 64);
        var list = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("matched", "alpine-3.19", "trivy.json")))!;
        list["Metadata"]!["RepoDigests"] = new System.Text.Json.Nodes.JsonArray("alpine@" + running);
        var result = list["Results"]![0]!.AsObject();
        result.Remove("Vulnerabilities");
        var packages = result["Packages"]!.AsArray();
        packages.Remove(packages.Single(p => p!["Name"]!.GetValue<string>() == "ssl_client"));
        var pods = $$$"""
            {"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"tools","namespace":"ops"},"spec":{"nodeName":"n1"},
               "status":{"phase":"Running","containerStatuses":[{"name":"sh","image":"alpine:3.19","imageID":"docker-pullable://alpine@{{{running}}}"}]}},
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"kube-proxy-1","namespace":"kube-system"},"spec":{"nodeName":"n1"},
               "status":{"phase":"Running","containerStatuses":[{"name":"kube-proxy","image":"registry.k8s.io/kube-proxy:v1.33.0",
                 "imageID":"docker-pullable://registry.k8s.io/kube-proxy@sha256:{{{new string('1', 64)}}}"}]}}]}
            """;
        var runtime = _app.Services.GetRequiredService<Triage.Data.Runtime.RuntimeIngestService>();
        var options = new Triage.Data.Runtime.RuntimeIngestOptions { Cluster = "prod", ObservedAt = DateTimeOffset.UtcNow };
        await runtime.IngestAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(pods)), "pods.json", options);
        await runtime.IngestAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(list.ToJsonString())), "running-sbom.json", new Triage.Data.Runtime.RuntimeIngestOptions());

        await using var db = _app.Db();
        var byPackage = await db.Findings.Join(db.Packages, f => f.PackageId, p => p.Id, (f, p) => new { f.Id, p.Name }).ToListAsync();
        Assert.Equal(2, byPackage.Count(x => x.Name == "ssl_client"));
        var suggestions = _app.Services.GetRequiredService<IJustificationSuggestions>();
        foreach (var sslClient in byPackage.Where(x => x.Name == "ssl_client"))
        {
            var s = await suggestions.SuggestAsync(sslClient.Id);
            Assert.Equal(VexJustification.ComponentNotPresent, s?.Justification);
            Assert.Contains($"running-image-packages:trivy: the running image docker.io/library/alpine:3.19@{running}'s package list has no ssl_client", s!.Reason, StringComparison.Ordinal);
        }
        foreach (var busybox in byPackage.Where(x => x.Name == "busybox")) Assert.Null(await suggestions.SuggestAsync(busybox.Id));
    }

    private async Task<(long, long, long)> ThreeFindingsAsync()
    {
        await _app.ImportFixtureAsync("matched", "alpine-3.19", "trivy.json");
        await using var db = _app.Db();
        var ids = await db.Findings.OrderBy(f => f.Id).Select(f => f.Id).Take(3).ToListAsync();
        Assert.Equal(3, ids.Count);
        return (ids[0], ids[1], ids[2]);
    }

    /// <summary>A verdict row as the runtime ingest stores it (VerdictRefresher).</summary>
    private async Task StoreVerdictAsync(long findingId, ReachabilityVerdict verdict, ProposedJustification? proposed, string sourcesJson,
        VerdictConfidence confidence = VerdictConfidence.High)
    {
        await using var db = _app.Db();
        db.FindingVerdicts.Add(new FindingVerdict
        {
            FindingId = findingId, Verdict = verdict, Confidence = confidence, ProposedJustification = proposed,
            SourcesJson = sourcesJson, ComputedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public void Dispose() => _app.Dispose();
}
