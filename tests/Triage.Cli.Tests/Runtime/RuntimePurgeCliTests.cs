using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Cli.Tests.Support;
using Triage.Core.Audit;
using Triage.Data;
using Triage.Testing;

namespace Triage.Cli.Tests.Runtime;

/// <summary>`triage runtime purge [--dry-run] [--json]` as scripts use it (ADR 111).</summary>
public class RuntimePurgeCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("triage-purge-cli-").FullName;

    public void Dispose()
    {
        TestDatabases.ClearPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Profile(string name, string path)
    {
        const string image = "registry.example/ghost@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
        var file = Path.Combine(_dir, name);
        File.WriteAllText(file, $$$"""
            {"profile":{"image":"{{{image}}}","complete":true,"source":"tetragon"}}
            {"image":"{{{image}}}","path":"{{{path}}}","op":"exec"}
            """);
        return file;
    }

    private static async Task<string> FindingsJson(string db)
    {
        var r = await TriageCli.Run("findings", "--db", db, "--format", "json");
        Assert.True(r.Exit == 0, r.ToString());
        return r.Out;
    }

    private static async Task<(int Snapshots, int Files, int Workloads, int Audits)> Counts(string db)
    {
        await using var ctx = TriageDatabase.CreateContext(db);
        return (await ctx.RuntimeSnapshots.CountAsync(), await ctx.RuntimeEvidenceFiles.CountAsync(), await ctx.RuntimeWorkloads.CountAsync(),
            await ctx.AuditEvents.CountAsync(e => e.Action == AuditActions.RuntimePurged));
    }

    private static async Task<JsonElement> Purge(string db, params string[] flags)
    {
        var r = await TriageCli.Run(["runtime", "purge", "--db", db, "--json", .. flags]);
        Assert.True(r.Exit == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement;
    }

    private static (int, int, int, int, int) Deleted(JsonElement j) => (j.GetProperty("snapshots").GetInt32(), j.GetProperty("inventoryFiles").GetInt32(),
        j.GetProperty("workloads").GetInt32(), j.GetProperty("evidenceFiles").GetInt32(), j.GetProperty("evidenceParts").GetInt32());

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Purge_DryRunCountsOnly_ThenDeletesTheSupersededAndAudits_FindingsUnchanged_SecondRunFindsNothing(string provider)
    {
        var db = TestDatabases.New(provider);
        Assert.Equal(0, (await TriageCli.Run("ingest", "--db", db, TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"))).Exit);
        // Three cluster-wide lists of the same pods, long ago: the middle one is superseded (its workloads were seen again since).
        foreach (var day in new[] { "2024-01-01", "2024-01-02", "2024-01-03" })
        {
            var pods = await TriageCli.Run("runtime", "ingest", "--db", db, "--cluster", "home", "--coverage", "cluster", "--observed-at", day + "T00:00:00Z",
                TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
            Assert.True(pods.Exit == 0, pods.ToString());
        }
        // Three profiles of an image never scanned: the first is kept (the weekly metrics count verdicts from it), the last is
        // the newest, the middle one goes.
        foreach (var (day, n) in new[] { ("2024-01-01", 1), ("2024-01-15", 2), ("2024-02-01", 3) })
            Assert.Equal(0, (await TriageCli.Run("runtime", "ingest", "--db", db, "--observed-at", day + "T00:00:00Z", Profile($"ghost-{n}.jsonl", $"/usr/bin/g{n}"))).Exit);
        var findings = await FindingsJson(db);
        Assert.Equal((3, 6, 16, 0), await Counts(db));

        var dry = await Purge(db, "--dry-run");
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal((1, 1, 0, 1, 1), Deleted(dry));
        Assert.Equal(30, dry.GetProperty("settings").GetProperty("snapshotDays").GetInt32());
        Assert.Equal((3, 6, 16, 0), await Counts(db));

        var purge = await Purge(db);
        Assert.False(purge.GetProperty("dryRun").GetBoolean());
        Assert.Equal((1, 1, 0, 1, 1), Deleted(purge));
        Assert.Equal(dry.GetProperty("bytes").GetInt64(), purge.GetProperty("bytes").GetInt64());
        Assert.Equal((2, 4, 16, 1), await Counts(db));
        await using (var ctx = TriageDatabase.CreateContext(db))
        {
            var audit = await ctx.AuditEvents.SingleAsync(e => e.Action == AuditActions.RuntimePurged);
            Assert.Equal((AuditChannels.Cli, "runtime", "retention"), (audit.Channel, audit.TargetType, audit.Target));
            Assert.StartsWith("deleted 1 superseded inventory snapshots (1 files), 0 workloads, 1 superseded evidence files", audit.Details);
        }
        Assert.Equal(findings, await FindingsJson(db));

        Assert.Equal((0, 0, 0, 0, 0), Deleted(await Purge(db)));
        Assert.Equal((2, 4, 16, 2), await Counts(db));

        var text = await TriageCli.Run("runtime", "purge", "--db", db, "--dry-run");
        Assert.True(text.Exit == 0, text.ToString());
        Assert.StartsWith("would delete 0 superseded inventory snapshots", text.Out);
    }
}
