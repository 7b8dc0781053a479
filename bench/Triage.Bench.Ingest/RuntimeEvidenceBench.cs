using System.Globalization;
using System.Text;
using Triage.Data.Runtime;

namespace Triage.Bench.Ingest;

/// <summary>
/// Synthetic runtime evidence for the images of a `dedup` database (registry.example/fleet/app{a % 250}:{a / 250 + 1},
/// digest a in hex), so a full refresh has verdicts to judge (`rescore --verdicts`): a complete file-access profile for
/// every <c>every</c>-th image (each ingest refreshes its image, as `triage runtime ingest` does), then one pod list that
/// runs the :2 digest of the first <c>replaced</c> repositories under their :1 tag, so the :1 images are judged by a
/// running image's own Trivy report.
/// </summary>
internal static class RuntimeEvidenceBench
{
    public static async Task<int> RunAsync(string connectionString, int artifacts, int every, int replaced)
    {
        var service = new RuntimeIngestService(connectionString);
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

    private static string Repository(int a) => $"registry.example/fleet/app{a % 250}";
    private static string Digest(int a) => "sha256:" + a.ToString("x64", CultureInfo.InvariantCulture);
}
