using System.Text.Json;
using Triage.Cli.Tests.Support;
using Triage.Data.Metrics;
using Triage.Testing;

namespace Triage.Cli.Tests.Metrics;

/// <summary>`triage lineage`, `triage compare` and `triage metrics` as scripts use them, on the real nginx Debian 13 scans
/// (Trivy and Grype) and the distroless golden that replaces them.</summary>
public sealed class MetricsCliTests : IDisposable
{
    private const string Distroless = "registry.example/web/nginx-distroless";
    private static readonly string DistrolessRef = Distroless + "@sha256:" + new string('1', 64);

    public void Dispose() => TestDatabases.ClearPools();

    private static async Task<string> SeedAsync(string provider)
    {
        var db = TestDatabases.New(provider);
        var debian = await TriageCli.Run("ingest", "--db", db, TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"),
            TestPaths.Fixture("matched", "nginx-latest-debian13", "grype.json"));
        Assert.True(debian.Exit == 0, debian.ToString());
        var slim = await TriageCli.Run("ingest", "--db", db, "--image", DistrolessRef, TestPaths.Fixture("scanners", "trivy", "trivy-golden_distroless-base.json"));
        Assert.True(slim.Exit == 0, slim.ToString());
        return db;
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Compare_Json_HasTheIssueFields_ThatAddUp_AndMarkdownShowsTheEquation(string provider)
    {
        var db = await SeedAsync(provider);
        var json = await TriageCli.Run("compare", "--db", db, "nginx:latest", Distroless, "--format", "json");
        Assert.True(json.Exit == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var root = doc.RootElement;
        string[] required = ["before", "after", "removedWithPackage", "fixedByUpgrade", "suppressedByDecision", "newlyDisclosed", "introducedByPackage", "packages", "sizeBytes"];
        foreach (var name in required) Assert.True(root.TryGetProperty(name, out _), $"missing {name}");
        int N(string name) => root.GetProperty(name).GetInt32();
        Assert.Equal(N("after"), N("before") - N("removedWithPackage") - N("fixedByUpgrade") - N("suppressedByDecision") + N("newlyDisclosed") + N("introducedByPackage"));
        Assert.Equal(4, N("after"));
        Assert.True(N("before") >= 169); // Trivy's 169 and Grype's extra findings on the same digest, deduplicated
        Assert.Equal(2, root.GetProperty("packages").GetProperty("after").GetInt32());
        Assert.Equal(18_503_680, root.GetProperty("sizeBytes").GetProperty("after").GetInt64());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("sizeBytes").GetProperty("before").ValueKind);
        var changes = root.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(N("before") - N("after"), -changes.Sum(c => c.GetProperty("effect").GetInt32()));
        Assert.Contains(changes, c => c.GetProperty("kind").GetString() == "fixed_by_upgrade" && c.GetProperty("package").GetString() == "openssl");

        var md = await TriageCli.Run("compare", "--db", db, "nginx:latest", Distroless);
        Assert.True(md.Exit == 0, md.ToString());
        Assert.Contains("| Removed with the package |", md.Out);
        Assert.Contains($"= **{N("after")}**", md.Out);
        Assert.Contains("## Fixed by an upgrade (", md.Out);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Compare_UnknownImageExits1_WrongArgumentsExit2(string provider)
    {
        var db = TestDatabases.New(provider);
        Assert.Equal(1, (await TriageCli.Run("compare", "--db", db, "nginx:1", "nginx:2")).Exit);
        var three = await TriageCli.Run("compare", "--db", db, "a", "b", "c");
        Assert.Equal(2, three.Exit);
        var twoWithDates = await TriageCli.Run("compare", "--db", db, "a", "b", "--from", "2026-01-01");
        Assert.Equal(2, twoWithDates.Exit);
        Assert.Contains("one REPOSITORY", twoWithDates.Err);
        Assert.Equal(2, (await TriageCli.Run("compare", "--db", db, "a", "--from", "yesterday-ish")).Exit);
        Assert.Equal(2, (await TriageCli.Run("compare", "--db", db, "a", "b", "--format", "html")).Exit);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Lineage_ReplaceShowsTheChain_RefusesACycle_AndUnlinks(string provider)
    {
        var db = await SeedAsync(provider);
        var replaced = await TriageCli.Run("lineage", "replace", "--db", db, "nginx", Distroless);
        Assert.True(replaced.Exit == 0, replaced.ToString());
        Assert.Contains($"{Distroless} replaces docker.io/library/nginx.", replaced.Out);

        var cycle = await TriageCli.Run("lineage", "replace", "--db", db, Distroless, "nginx");
        Assert.Equal(1, cycle.Exit);
        Assert.Contains("cycle", cycle.Err);
        Assert.Equal(1, (await TriageCli.Run("lineage", "replace", "--db", db, "nginx", "registry.example/nothing")).Exit);

        var show = await TriageCli.Run("lineage", "show", "--db", db, Distroless, "--json");
        Assert.True(show.Exit == 0, show.ToString());
        using var doc = JsonDocument.Parse(show.Out);
        Assert.Equal(["docker.io/library/nginx", Distroless], doc.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var images = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal([false, true], images.Select(i => i.GetProperty("current").GetBoolean()));
        Assert.Equal("debian 9.9", images[1].GetProperty("os").GetString());

        var text = await TriageCli.Run("lineage", "show", "--db", db, "nginx");
        Assert.Contains("docker.io/library/nginx → " + Distroless, text.Out);

        Assert.Equal(0, (await TriageCli.Run("lineage", "unlink", "--db", db, Distroless)).Exit);
        using var alone = JsonDocument.Parse((await TriageCli.Run("lineage", "show", "--db", db, Distroless, "--json")).Out);
        Assert.Single(alone.RootElement.GetProperty("repositories").EnumerateArray());
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Metrics_SnapshotThenWeekly_InJsonCsvAndMarkdown(string provider)
    {
        var db = await SeedAsync(provider);
        Assert.Equal(0, (await TriageCli.Run("lineage", "replace", "--db", db, "nginx", Distroless)).Exit);
        var snapshot = await TriageCli.Run("metrics", "snapshot", "--db", db, "--json");
        Assert.True(snapshot.Exit == 0, snapshot.ToString());
        using (var run = JsonDocument.Parse(snapshot.Out))
        {
            Assert.Equal(JsonValueKind.Null, run.RootElement.GetProperty("skipped").ValueKind);
            Assert.True(run.RootElement.GetProperty("rows").GetInt32() >= 3); // two repositories, the unowned part, all
        }

        var json = await TriageCli.Run("metrics", "weekly", "--db", db, "--weeks", "4", "--format", "json");
        Assert.True(json.Exit == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var week = doc.RootElement.GetProperty("weeks").EnumerateArray().Last();
        Assert.Equal(4, week.GetProperty("open").GetProperty("total").GetInt32());
        // No KEV catalog is stored: unknown, not 0. `triage ingest` scores what it imports, so the week counts priorities.
        Assert.Equal(JsonValueKind.Null, week.GetProperty("kev").ValueKind);
        Assert.Equal(4, week.GetProperty("openByPriority").EnumerateObject().Sum(p => p.Value.GetInt32()));
        var change = week.GetProperty("change");
        Assert.Equal(4, change.GetProperty("after").GetInt32());
        var win = Assert.Single(doc.RootElement.GetProperty("slimmingWins").EnumerateArray());
        Assert.Equal(18_503_680, win.GetProperty("sizeBytesAfter").GetInt64());

        var csv = await TriageCli.Run("metrics", "weekly", "--db", db, "--weeks", "4", "--format", "csv");
        var lines = csv.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', WeeklyReportExport.CsvColumns), lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Equal(WeeklyReportExport.CsvColumns.Length, lines[1].Split(',').Length);

        var md = await TriageCli.Run("metrics", "weekly", "--db", db);
        Assert.Contains("# Weekly review", md.Out);
        Assert.Contains("## Why the number moved", md.Out);
        Assert.Contains("## Slimming wins", md.Out);

        Assert.Equal(1, (await TriageCli.Run("metrics", "weekly", "--db", db, "--team", "nobody")).Exit);
        Assert.Equal(2, (await TriageCli.Run("metrics", "weekly", "--db", db, "--week", "2026-W99")).Exit);
        Assert.Equal(2, (await TriageCli.Run("metrics", "weekly", "--db", db, "--format", "xml")).Exit);
    }
}
