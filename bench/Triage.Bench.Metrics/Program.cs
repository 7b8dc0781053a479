// Triage.Bench.Metrics: 52 weeks of weekly snapshots for 1,000 images (issue 8).
//
//   dotnet run -c Release --project bench/Triage.Bench.Metrics -- [--db CONN] [--images 1000] [--runs 3] [--no-seed] [--with-risk]
//
// Seeding writes a year of history through the real import path (HistoryWriter: ReportImporter.StoreAsync, then each
// import moved to its moment): --images digests over --images/5 repositories in 20 teams, one rebuild every ten weeks per
// repository (packages upgraded, removed and added; vulnerabilities disclosed during the year), every tenth repository
// switching to a slim successor half-way through (a declared replacement), and 2,000 digest-scoped VEX decisions.
// --with-risk then stores, through the product's services, what the snapshot's priority, reachability, KEV and production
// columns read (once per database): every finding scored, a KEV catalog of 60 of the year's CVEs, a pod list running the
// newest image of every third repository in namespace prod, and a complete file-access profile of every tenth one.
// Timing: a full rebuild of all weeks (MetricsSnapshotter.RunAsync(rebuild: true)) --runs times, then the weekly
// incremental run, against a baseline measured in the same run: reading every finding's identity once (the least any
// computation over the history must do).
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Metrics;
using Triage.Data.Runtime;
using Triage.Testing.Metrics;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure;

var db = Arg("--db") ?? "Data Source=/tmp/triage-bench-metrics.db";
var images = int.Parse(Arg("--images") ?? "1000", CultureInfo.InvariantCulture);
var runs = int.Parse(Arg("--runs") ?? "3", CultureInfo.InvariantCulture);
var seed = !args.Contains("--no-seed");
var start = new DateTime(2025, 12, 1, 9, 0, 0, DateTimeKind.Utc); // a Monday; 52 weeks later is the clock
var now = start.AddDays(7 * 52 + 2);

Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {TriageDatabase.DetectProvider(db)}");
await TriageDatabase.EnsureMigratedAsync(db);
if (seed) await SeedAsync();
if (args.Contains("--with-risk")) await AddRiskAsync();

await using (var c = TriageDatabase.CreateContext(db))
    Console.WriteLine($"database: {await c.Repositories.CountAsync():N0} repositories, {await c.Artifacts.CountAsync():N0} images, " +
                      $"{await c.Scans.CountAsync():N0} scans, {await c.Findings.CountAsync():N0} findings, {await c.Decisions.CountAsync():N0} decisions");

var baseline = new List<double>();
var rebuilds = new List<SnapshotRun>();
var sla = SlaPolicy.Default;
for (var i = 0; i < runs; i++)
{
    var sw = Stopwatch.StartNew();
    await using (var c = TriageDatabase.CreateContext(db))
        _ = await c.Findings.AsNoTracking().Select(f => new { f.Id, f.ArtifactId, f.GroupId, f.PackageId, f.FirstSeen, f.LastSeen }).ToListAsync();
    baseline.Add(sw.Elapsed.TotalMilliseconds);
    rebuilds.Add(await new MetricsSnapshotter(db, sla, new FixedClock(now)).RunAsync(rebuild: true));
}
var weekly = await new MetricsSnapshotter(db, sla, new FixedClock(now.AddDays(7))).RunAsync();

// The load phase, split: the decision lookup (VEX statements resolved per finding) and the history itself.
await using (var c = TriageDatabase.CreateContext(db))
{
    var sw = Stopwatch.StartNew();
    var lookup = await DecisionsAsOf.LoadAsync(c);
    var decisionsMs = sw.Elapsed.TotalMilliseconds;
    sw.Restart();
    var history = await MetricsHistoryLoader.LoadAsync(c, IsoWeek.Of(start), now, [], lookup);
    Console.WriteLine($"load split: decisions {decisionsMs:0} ms, history {sw.Elapsed.TotalMilliseconds:0} ms ({history.Findings.Count:N0} findings, {history.Digests.Count:N0} images)");
}

var last = rebuilds[^1];
var b = Median(baseline);
var r = Median(rebuilds.Select(x => x.Elapsed.TotalMilliseconds));
Console.WriteLine($"baseline (read every finding once): {b:0} ms");
Console.WriteLine($"rebuild of {last.Weeks} weeks ({last.From} to {last.To}), {last.Rows:N0} snapshot rows, {last.OpenProblems:N0} open problems in the ledger: " +
                  $"median {r:0} ms of {runs} (load {Median(rebuilds.Select(x => x.LoadTime.TotalMilliseconds)):0}, compute {Median(rebuilds.Select(x => x.ComputeTime.TotalMilliseconds)):0}, " +
                  $"write {Median(rebuilds.Select(x => x.WriteTime.TotalMilliseconds)):0}); {r / b:0.0}× baseline; target < 10,000 ms: {(r < 10_000 ? "met" : "NOT met")}");
Console.WriteLine($"weekly incremental run ({weekly.Weeks} weeks from {weekly.From}): {weekly.Elapsed.TotalMilliseconds:0} ms (load {weekly.LoadTime.TotalMilliseconds:0}, " +
                  $"compute {weekly.ComputeTime.TotalMilliseconds:0}, write {weekly.WriteTime.TotalMilliseconds:0}), {weekly.Rows:N0} rows; {weekly.Elapsed.TotalMilliseconds / b:0.0}× baseline");
return r < 10_000 ? 0 : 1;

async Task SeedAsync()
{
    await using (var c = TriageDatabase.CreateContext(db))
        if (await c.Artifacts.AnyAsync()) { Console.WriteLine("database already seeded; use a new one to reseed"); return; }
    var sw = Stopwatch.StartNew();
    var history = new HistoryWriter(db);
    const int teams = 20, basePackages = 60, packagePool = 400;
    var repositories = Math.Max(1, images / 5);
    var random = new Random(42);
    var packageSets = Enumerable.Range(0, repositories).Select(_ =>
        Enumerable.Range(0, packagePool).OrderBy(_ => random.Next()).Take(basePackages).ToDictionary(p => p, _ => 1)).ToList();
    // Scans in time order, as real ones arrive: (week, repository, rebuild).
    var scans = Enumerable.Range(0, repositories).SelectMany(repo => Enumerable.Range(0, 5).Select(k => (Week: k * 10 + repo % 10, Repo: repo, Rebuild: k)))
        .OrderBy(s => s.Week).ThenBy(s => s.Repo).ToList();
    var switched = new HashSet<int>();
    foreach (var (week, repo, rebuild) in scans)
    {
        var packages = packageSets[repo];
        if (rebuild > 0)
        {
            foreach (var p in packages.Keys.Where((_, i) => (i + rebuild) % 10 == 0).ToList()) packages[p]++;                    // upgraded
            foreach (var p in packages.Keys.Where((_, i) => (i * 7 + rebuild) % 20 == 0).ToList()) packages.Remove(p);           // removed
            for (var n = 0; n < 3; n++) packages.TryAdd(random.Next(packagePool), 1);                                            // added
        }
        var slim = repo % 10 == 0 && rebuild >= 3;
        if (slim) foreach (var p in packages.Keys.Where((_, i) => i % 4 != 0).ToList()) packages.Remove(p);                       // slimmed
        var name = $"bench.example/team-{repo % teams:D2}/app-{repo:D3}{(slim ? "-distroless" : "")}";
        var at = start.AddDays(week * 7 + repo % 5).AddHours(repo % 8);
        var claims = packages.SelectMany(kv => Claims(kv.Key, kv.Value, week)).ToList();
        await history.ScanAsync(at, HistoryWriter.Image($"{name}:{rebuild + 1}", HistoryWriter.Digest($"{repo}/{rebuild}"),
            packages.Select(kv => ($"pkg{kv.Key:D3}", $"1.{kv.Value}")), claims, 80_000_000L + packages.Count * 1_000_000L));
        if (slim && switched.Add(repo))
            await using (var c = TriageDatabase.CreateContext(db))
                await LineageService.ReplaceAsync(c, $"bench.example/team-{repo % teams:D2}/app-{repo:D3}", name);
    }
    Console.WriteLine($"seeded {scans.Count:N0} scans in {sw.Elapsed.TotalSeconds:0} s");

    await using (var c = TriageDatabase.CreateContext(db))
    {
        for (var t = 0; t < teams; t++) c.Teams.Add(new Team { Name = $"team-{t:D2}", CreatedAt = start });
        await c.SaveChangesAsync();
        var teamIds = await c.Teams.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        foreach (var repo in await c.Repositories.ToListAsync())
            repo.TeamId = teamIds[int.Parse(repo.Name.Split('/')[1][5..], CultureInfo.InvariantCulture) % teams];
        await c.SaveChangesAsync();
        var findingIds = await c.Findings.OrderBy(f => f.Id).Select(f => f.Id).ToListAsync();
        var store = new VexDecisionStore(new TriageConnection(db), TimeProvider.System);
        var decided = Enumerable.Range(0, 2000).Select(k => findingIds[k * 37 % findingIds.Count]).Distinct().ToArray();
        foreach (var part in decided.Chunk(500))
            await store.DecideAsync(new FindingDecision
            {
                FindingIds = part, Status = DecisionStatus.NotAffected, AuthorId = "bench", AuthorName = "bench", AuthorSees = null,
                Justification = VexJustification.VulnerableCodeNotInExecutePath,
            });
    }
    Console.WriteLine($"seeded {images:N0} images, teams and decisions in {sw.Elapsed.TotalSeconds:0} s");
}

async Task AddRiskAsync()
{
    await using (var c = TriageDatabase.CreateContext(db))
        if (await c.FindingRisks.AnyAsync()) { Console.WriteLine("risk data already stored"); return; }
    var sw = Stopwatch.StartNew();
    var clock = new FixedClock(now.AddDays(-1));
    await new FindingRiskService(db, time: clock).RefreshEverythingAsync();

    var cves = Enumerable.Range(0, 60).Select(k => (Cve: $"CVE-2025-{10000 + k * 67 % 400 * 10 + k % 5}", Added: start.AddDays(k * 6)))
        .Select(x => $$$"""{"cveID":"{{{x.Cve}}}","vendorProject":"bench","product":"bench","vulnerabilityName":"bench","dateAdded":"{{{x.Added:yyyy-MM-dd}}}","dueDate":"{{{x.Added.AddDays(21):yyyy-MM-dd}}}","knownRansomwareCampaignUse":"Unknown"}""");
    var catalog = $$$"""{"title":"bench","catalogVersion":"{{{clock.Now:yyyy.MM.dd}}}","dateReleased":"{{{clock.Now:yyyy-MM-dd}}}T00:00:00Z","count":60,"vulnerabilities":[{{{string.Join(',', cves)}}}]}""";
    await new EnrichmentService(db, time: clock).ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(catalog)), "kev.json", new EnrichmentImportOptions());

    List<(string Repository, string Digest)> newest;
    await using (var c = TriageDatabase.CreateContext(db))
        newest = (await (from a in c.Artifacts join r in c.Repositories on a.RepositoryId equals r.Id select new { r.Id, r.Name, a.Digest, a.FirstSeen }).ToListAsync())
            .GroupBy(a => a.Id).OrderBy(g => g.Key).Select(g => g.MaxBy(a => a.FirstSeen)!).Select(a => (a.Name, a.Digest!)).ToList();
    var pods = newest.Where((_, i) => i % 3 == 0).Select((x, i) =>
        $$$"""{"metadata":{"name":"app-{{{i}}}-abcde","namespace":"prod","ownerReferences":[{"kind":"ReplicaSet","name":"app-{{{i}}}","controller":true}]},"status":{"phase":"Running","containerStatuses":[{"name":"app","image":"{{{x.Repository}}}","imageID":"docker-pullable://{{{x.Repository}}}@{{{x.Digest}}}"}]}}""");
    var runtime = new RuntimeIngestService(db, time: clock);
    await runtime.IngestAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$$"""{"kind":"PodList","apiVersion":"v1","items":[{{{string.Join(',', pods)}}}]}""")),
        "pods.json", new RuntimeIngestOptions { Cluster = "bench", ObservedAt = clock.Now.AddDays(-30) });
    foreach (var (repository, digest) in newest.Where((_, i) => i % 10 == 0))
    {
        var image = $"{repository}@{digest}";
        var profile = $$$"""{"profile":{"image":"{{{image}}}","complete":true,"source":"bench"}}""" + "\n" + $$$"""{"image":"{{{image}}}","path":"/usr/lib/x86_64-linux-gnu/libpkg001.so","op":"read"}""" + "\n";
        await runtime.IngestAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(profile)), "profile.jsonl", new RuntimeIngestOptions());
    }
    await using (var c = TriageDatabase.CreateContext(db))
        Console.WriteLine($"risk data in {sw.Elapsed.TotalSeconds:0} s: {await c.FindingRisks.CountAsync():N0} scores, {await c.FindingVerdicts.CountAsync():N0} verdicts, " +
                          $"{await c.KevListings.CountAsync()} KEV listings, {await c.RuntimeWorkloads.CountAsync()} workloads");
}

// Each package has five vulnerabilities, each disclosed in some week of the year and fixed from some version on: a
// package at a version below the fix reports the ones disclosed by the scan's week.
static IEnumerable<(string, string, Severity, string?)> Claims(int package, int version, int week)
{
    for (var j = 0; j < 5; j++)
    {
        var disclosed = (package * 7 + j * 13) % 60 - 8;
        var fixedIn = (package + j) % 4 + 1;
        if (disclosed > week || version >= fixedIn) continue;
        yield return ($"CVE-2025-{10000 + package * 10 + j}", $"pkg{package:D3}", (Severity)(1 + (package + j) % 4), (package + j) % 3 == 0 ? null : $"1.{fixedIn}");
    }
}

static double Median(IEnumerable<double> xs)
{
    var s = xs.OrderBy(x => x).ToList();
    return s[s.Count / 2];
}

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
