using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Runtime code reads with plain SQL; on PostgreSQL strings are stored NUL-escaped (Configuration/PostgresText), so
/// those reads must decode what they get back, or a value read again no longer equals the value that was stored.</summary>
public class RuntimeStoredTextTests
{
    private const string Digest = "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    /// <summary>A kubectl pod list running the scanned image, with NUL in the container name and the environment label.</summary>
    private static string PodList() => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "List",
        ["items"] = new JsonArray(new JsonObject
        {
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "web-0",
                ["namespace"] = "shop",
                ["labels"] = new JsonObject { ["environment"] = "prod\0eu" },
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "web\0main",
                    ["image"] = "docker.io/library/app:1",
                    ["imageID"] = "docker.io/library/app@" + Digest,
                }),
            },
        }),
    }.ToJsonString();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task InventoryWithNul_IngestedTwice_MatchesItsWorkloadAndShowsTheLabelAsGiven(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/app:1", Digest)
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.High));
        var first = await w.IngestTextAsync(PodList(), "pods.json",
            new RuntimeIngestOptions { Cluster = "c1", ObservedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal(1, first.Inventory!.NewWorkloads);

        // A later snapshot of the same pods: the stored workload is found again (on PostgreSQL it used to be read back
        // escaped, missed, and inserted a second time against the unique index).
        var second = await w.IngestTextAsync(PodList(), "pods.json",
            new RuntimeIngestOptions { Cluster = "c1", ObservedAt = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal((1, 0), (second.Inventory!.Workloads, second.Inventory.NewWorkloads));

        var risk = Assert.Single(await w.FindingsAsync()).Risk!;
        Assert.Equal(true, risk.Runtime.Running);
        Assert.Equal(["prod\0eu"], risk.Runtime.Environments);
        await using var db = w.Db();
        Assert.Equal("web\0main", (await db.RuntimeWorkloads.SingleAsync()).Container);
    }
}
