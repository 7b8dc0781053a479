using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Runtime;

namespace Triage.Bench.Ingest;

/// <summary>
/// Synthetic runtime evidence for the images of a `dedup` database (registry.example/fleet/app{a % 250}:{a / 250 + 1},
/// digest a in hex), so a full refresh has verdicts to judge (`rescore --verdicts`): a complete file-access profile for
/// every <c>every</c>-th image (each ingest refreshes its image, as `triage runtime ingest` does), then one pod list that
/// runs the :2 digest of the first <c>replaced</c> repositories under their :1 tag, so the :1 images are judged by a
/// running image's own Trivy report. With <c>--package-lists</c>, only: for the same images, a Trivy --list-all-pkgs
/// package list of the image's packages (two files each) and a second complete profile that reads the library of every
/// fifth package, so verdicts are loaded or present-not-loaded with their sources, as with real evidence.
/// </summary>
internal static class RuntimeEvidenceBench
{
    public static async Task<int> RunAsync(string connectionString, int artifacts, int every, int replaced, bool packageLists)
    {
        var service = new RuntimeIngestService(connectionString);
        if (packageLists) return await PackageListsAsync(connectionString, service, artifacts, every);
        var judged = 0;
        for (var a = 0; a < artifacts; a += every)
        {
            var image = $"{Repository(a)}@{Digest(a)}";
            var lines = new StringBuilder();
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"profile":{"image":"{{{image}}}","complete":true,"source":"strace"}}""").Append('\n');
            foreach (var path in new[] { "/usr/bin/app", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/etc/ssl/openssl.cnf" })
                lines.Append(CultureInfo.InvariantCulture, $$"""{"image":"{{image}}","path":"{{path}}","op":"read"}""").Append('\n');
            var summary = await service.IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString())), $"profile-{a}.jsonl", new RuntimeIngestOptions());
            judged += summary.Refresh.FindingsJudged;
        }
        Console.WriteLine($"profiles of {(artifacts + every - 1) / every} images ingested, {judged:N0} findings judged");

        var pods = new StringBuilder("""{"apiVersion":"v1","kind":"List","items":[""");
        for (var n = 0; n < replaced; n++)
        {
            // Repository n's :2 image is artifact n + 250; it runs under the :1 tag, whose own digest (artifact n) runs nowhere.
            if (n > 0) pods.Append(',');
            pods.Append(CultureInfo.InvariantCulture, $$$"""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"app{{{n}}}-0","namespace":"fleet"},"spec":{"nodeName":"n1"},
                 "status":{"phase":"Running","containerStatuses":[{"name":"app","image":"{{{Repository(n)}}}:1","imageID":"docker-pullable://{{{Repository(n)}}}@{{{Digest(n + 250)}}}"}]}}
                """);
        }
        pods.Append("]}");
        var inventory = await service.IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes(pods.ToString())), "pods.json",
            new RuntimeIngestOptions { Cluster = "bench", ObservedAt = DateTimeOffset.UtcNow });
        Console.WriteLine($"pod list of {replaced} workloads ingested, {inventory.Refresh.FindingsJudged:N0} findings judged");
        return 0;
    }

    private static async Task<int> PackageListsAsync(string connectionString, RuntimeIngestService service, int artifacts, int every)
    {
        var judged = 0;
        for (var a = 0; a < artifacts; a += every)
        {
            List<(string Name, string Version, string? Purl)> packages;
            await using (var db = TriageDatabase.CreateContext(connectionString))
                packages = (await (from ap in db.ArtifactPackages
                        join x in db.Artifacts on ap.ArtifactId equals x.Id
                        join p in db.Packages on ap.PackageId equals p.Id
                        where x.Digest == Digest(a)
                        orderby p.Id
                        select new { p.Name, p.Version, p.Purl }).ToListAsync())
                    .Select(p => (p.Name, p.Version, (string?)p.Purl)).ToList();
            var ms = new MemoryStream();
            await using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteNumber("SchemaVersion", 2);
                w.WriteString("ArtifactName", $"{Repository(a)}:{a / 250 + 1}");
                w.WriteString("ArtifactType", "container_image");
                w.WriteStartObject("Metadata");
                w.WriteStartArray("RepoTags");
                w.WriteStringValue($"{Repository(a)}:{a / 250 + 1}");
                w.WriteEndArray();
                w.WriteStartArray("RepoDigests");
                w.WriteStringValue($"{Repository(a)}@{Digest(a)}");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartArray("Results");
                w.WriteStartObject();
                w.WriteString("Target", "app (debian 12.8)");
                w.WriteString("Class", "os-pkgs");
                w.WriteString("Type", "debian");
                w.WriteStartArray("Packages");
                foreach (var (name, version, purl) in packages)
                {
                    w.WriteStartObject();
                    w.WriteString("ID", $"{name}@{version}");
                    w.WriteString("Name", name);
                    w.WriteStartObject("Identifier");
                    w.WriteString("PURL", purl ?? $"pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12");
                    w.WriteEndObject();
                    w.WriteString("Version", version);
                    w.WriteStartArray("InstalledFiles");
                    w.WriteStringValue($"/usr/lib/x86_64-linux-gnu/{name}.so.1");
                    w.WriteStringValue($"/usr/share/doc/{name}/copyright");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            ms.Position = 0;
            await service.IngestAsync(ms, $"packages-{a}.json", new RuntimeIngestOptions());

            var image = $"{Repository(a)}@{Digest(a)}";
            var lines = new StringBuilder();
            lines.Append(CultureInfo.InvariantCulture, $$$"""{"profile":{"image":"{{{image}}}","complete":true,"source":"strace"}}""").Append('\n');
            foreach (var (name, _, _) in packages.Where((_, i) => i % 5 == 0))
                lines.Append(CultureInfo.InvariantCulture, $$"""{"image":"{{image}}","path":"/usr/lib/x86_64-linux-gnu/{{name}}.so.1","op":"read"}""").Append('\n');
            var summary = await service.IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString())), $"libraries-{a}.jsonl", new RuntimeIngestOptions());
            judged += summary.Refresh.FindingsJudged;
        }
        Console.WriteLine($"package lists and library profiles of {(artifacts + every - 1) / every} images ingested, {judged:N0} findings judged ({string.Join(", ",
            await VerdictCountsAsync(connectionString))})");
        return 0;
    }

    private static async Task<List<string>> VerdictCountsAsync(string connectionString)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        return (await db.FindingVerdicts.GroupBy(v => v.Verdict).Select(g => new { g.Key, Count = g.Count() }).ToListAsync())
            .Select(g => $"{g.Key}: {g.Count:N0}").ToList();
    }

    private static string Repository(int a) => $"registry.example/fleet/app{a % 250}";
    private static string Digest(int a) => "sha256:" + a.ToString("x64", CultureInfo.InvariantCulture);
}
