// Triage.Bench.Web: page server times on a large database.
//
//   dotnet run -c Release --project bench/Triage.Bench.Web -- --db "Data Source=/tmp/bench-web.db" [--images 1000] [--per-image 500] [--rounds 5] [--no-seed] [--score]
//   dotnet run -c Release --project bench/Triage.Bench.Web -- --db "Host=127.0.0.1;Port=55432;Username=triage;Database=bench_web" …
//
// Seeding goes through ReportImporter.StoreAsync (the bulk import path) with generated reports: each image has
// --per-image findings over a shared pool of packages and CVEs, images belong to 20 teams, and 5,000 decisions exist.
// Timing runs the same code the pages run (DashboardModel.LoadAsync, FindingsQuery.Apply + FindingQueries, ImageQueries,
// FindingDetailQueries) as an admin and as a member of one team, and prints median and worst of --rounds runs in ms.
// --score scores every finding first, as the web app does at start (FindingRiskService.EnsureCurrentAsync), so the
// dashboard's priorities and top risks and the priority sort have their production data.
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ingest;
using Triage.Data;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Web.Features.Dashboard;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;

var db = Arg("--db") ?? "Data Source=/tmp/triage-bench-web.db";
var images = int.Parse(Arg("--images") ?? "1000", CultureInfo.InvariantCulture);
var perImage = int.Parse(Arg("--per-image") ?? "500", CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds") ?? "5", CultureInfo.InvariantCulture);
var seed = !args.Contains("--no-seed");

await TriageDatabase.EnsureMigratedAsync(db);
var factory = new TriageDbContextFactory(db);
if (seed) await SeedAsync();
if (args.Contains("--score"))
{
    var scoring = Stopwatch.StartNew();
    await new Triage.Data.Runtime.FindingRiskService(db).EnsureCurrentAsync();
    Console.WriteLine($"scored in {scoring.Elapsed.TotalSeconds:0} s");
}

await using (var c = factory.CreateDbContext())
    Console.WriteLine($"database: {TriageDatabase.DetectProvider(db)}, {await c.Artifacts.CountAsync():N0} images, {await c.Findings.CountAsync():N0} findings, " +
                      $"{await c.Observations.CountAsync():N0} observations, {await c.Decisions.CountAsync():N0} decisions");

var decisions = new VexDecisionStore(new TriageConnection(db), TimeProvider.System, new Triage.Data.Audit.AuditLog(db));
var admin = new UserAccess("bench-admin", "admin", TriageRole.Admin, []);
long memberTeam;
await using (var c = factory.CreateDbContext()) memberTeam = await c.Teams.OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
var member = new UserAccess("bench-member", "member", TriageRole.Triager, [memberTeam]);

long someFinding, someArtifact;
string someVuln, somePackage, someImage;
await using (var c = factory.CreateDbContext())
{
    var f = await c.Findings.OrderBy(x => x.Id).Skip(12345 % Math.Max(1, await c.Findings.CountAsync())).FirstAsync();
    someFinding = f.Id;
    someArtifact = f.ArtifactId;
    someVuln = await c.AliasGroups.Where(g => g.Id == f.GroupId).Select(g => g.CanonicalId).FirstAsync();
    somePackage = await c.Packages.Where(p => p.Id == f.PackageId).Select(p => p.Name).FirstAsync();
    var a = await c.Artifacts.FirstAsync(x => x.Id == f.ArtifactId);
    someImage = await c.Repositories.Where(r => r.Id == a.RepositoryId).Select(r => r.Name).FirstAsync();
}

var results = new List<(string Name, double Median, double Max, string Budget)>();
foreach (var (who, user) in new[] { ("admin", admin), ("member", member) })
{
    await Time($"Dashboard ({who})", "300", () => DashboardModel.LoadAsync(factory, decisions, user, DateTime.UtcNow, 200));
    await Time($"Images page 1 ({who})", "300", async () =>
    {
        await using var c = factory.CreateDbContext();
        await ImageQueries.RepositoriesAsync(c, user.VisibleRepositoryIds(c), null, null, 0, 25);
    });
    await Time($"Findings grid page 1 ({who})", "150", () => Grid(user, ""));
    await Time($"Findings grid page 200 ({who})", "150", () => Grid(user, "page=200"));
    await Time($"Findings grid next page, total reused ({who})", "150", () => Grid(user, "page=2", count: false));
    await Time($"Findings severity=critical,high ({who})", "150", () => Grid(user, "severity=critical,high"));
    await Time($"Findings vuln=id ({who})", "150", () => Grid(user, "vuln=" + someVuln));
    await Time($"Findings package=name ({who})", "150", () => Grid(user, "package=" + somePackage));
    await Time($"Findings image=repo ({who})", "150", () => Grid(user, "image=" + someImage));
    await Time($"Findings fix=yes, scanner=trivy ({who})", "150", () => Grid(user, "fix=yes&scanner=trivy"));
    await Time($"Findings status=undecided ({who})", "150", () => Grid(user, "status=undecided"));
    await Time($"Findings status=affected ({who})", "150", () => Grid(user, "status=affected"));
    await Time($"Findings team=1 ({who})", "150", () => Grid(user, "team=" + memberTeam));
    await Time($"Findings sort=package ({who})", "150", () => Grid(user, "sort=package&dir=asc"));
    await Time($"Findings sort=vulnerability ({who})", "150", () => Grid(user, "sort=vulnerability&dir=asc"));
    await Time($"Findings sort=priority ({who})", "150", () => Grid(user, "sort=priority"));
    await Time($"Findings group=vulnerability ({who})", "150", () => Groups(user, "group=vulnerability"));
    await Time($"Findings group=package ({who})", "150", () => Groups(user, "group=package"));
    await Time($"Finding page ({who})", "300", () => FindingPage(user));
    await Time($"Image page ({who})", "300", () => ImagePage(user));
}

Console.WriteLine();
Console.WriteLine($"| Page or grid action ({TriageDatabase.DetectProvider(db)}) | median ms | worst ms | budget ms |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var r in results) Console.WriteLine($"| {r.Name} | {r.Median:0.0} | {r.Max:0.0} | {r.Budget} |");
var over = results.Where(r => r.Median > double.Parse(r.Budget, CultureInfo.InvariantCulture)).ToList();
Console.WriteLine(over.Count == 0 ? "all within budget" : $"{over.Count} over budget: {string.Join(", ", over.Select(o => o.Name))}");
return 0;

async Task Grid(UserAccess user, string query, bool count = true)
{
    var q = FindingsQuery.Parse(query);
    await using var c = factory.CreateDbContext();
    var filtered = q.Apply(c, user, decisions);
    var total = count ? await q.CountAsync(c, user, decisions) : 0;
    var page = FindingQueries.Sort(filtered, c, q.Sort, q.Descending).Skip((q.Page - 1) * q.PageSize).Take(q.PageSize);
    var views = await FindingQueries.ToViewsAsync(c, page);
    await decisions.CurrentAsync(views.Select(v => v.Id).ToList());
    if (total < 0) throw new InvalidOperationException();
}

async Task Groups(UserAccess user, string query)
{
    var q = FindingsQuery.Parse(query);
    await using var c = factory.CreateDbContext();
    await q.GroupsAsync(c, user, decisions, 0, q.PageSize);
}

async Task FindingPage(UserAccess user)
{
    await using var c = factory.CreateDbContext();
    var view = (await FindingQueries.ToViewsAsync(c, user.Visible(c, c.Findings.AsNoTracking().Where(f => f.Id == someFinding)))).FirstOrDefault();
    if (view is null) return;
    await FindingDetailQueries.AdvisoriesAsync(c, view.GroupId);
    var visible = user.VisibleArtifactIds(c);
    await FindingDetailQueries.SameProblemAsync(c, someFinding, view.GroupId, visible, 25);
    await FindingDetailQueries.SameProblemCountAsync(c, someFinding, view.GroupId, visible);
    await FindingDetailQueries.ObservationHistoryAsync(c, someFinding);
    await decisions.HistoryAsync(someFinding);
}

async Task ImagePage(UserAccess user)
{
    await using var c = factory.CreateDbContext();
    var visible = user.VisibleArtifactIds(c);
    if (visible is not null && !await visible.AnyAsync(a => a == someArtifact)) return;
    var image = await ImageQueries.ArtifactAsync(c, someArtifact);
    await ImageQueries.ScansAsync(c, someArtifact);
    await ImageQueries.TrendAsync(c, image!.RepositoryId);
    await ImageQueries.PackagesAsync(c, someArtifact, null, 0, 25);
}

async Task Time(string name, string budget, Func<Task> action)
{
    await action(); // warm-up: JIT, plan caches
    var samples = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        var sw = Stopwatch.StartNew();
        await action();
        samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    results.Add((name, samples[samples.Count / 2], samples[^1], budget));
    Console.WriteLine($"{name}: {samples[samples.Count / 2]:0.0} ms (worst {samples[^1]:0.0})");
}

async Task SeedAsync()
{
    var importer = new ReportImporter(db);
    var random = new Random(42);
    const int teams = 20, packagePool = 3000, vulnPool = 40_000;
    var sw = Stopwatch.StartNew();
    await using (var c = factory.CreateDbContext())
    {
        if (await c.Artifacts.AnyAsync()) { Console.WriteLine("database already seeded; use a new one to reseed"); return; }
        for (var t = 0; t < teams; t++) c.Teams.Add(new Team { Name = $"team-{t:D2}", CreatedAt = DateTime.UtcNow });
        await c.SaveChangesAsync();
    }
    for (var i = 0; i < images; i++)
    {
        var report = new ParsedReport(ScannerKind.Trivy) { ScannerVersion = "0.69.3", CreatedAt = DateTimeOffset.UtcNow };
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
        var target = report.AddTarget(new ParsedTarget { Name = $"bench.example/team-{i % teams:D2}/app-{i:D4}:1.{i % 7}", Kind = "container_image", OsFamily = "debian", OsName = "12" });
        target.RepoDigests.Add($"bench.example/team-{i % teams:D2}/app-{i:D4}@{digest}");
        var used = new HashSet<(int, int)>();
        while (used.Count < perImage)
        {
            var p = random.Next(packagePool);
            var v = random.Next(vulnPool);
            if (!used.Add((p, v))) continue;
            var pkg = new ParsedPackage { Type = "deb", Namespace = "debian", Name = $"pkg{p:D4}", Version = $"1.{p % 13}.{p % 5}", SourceName = $"src{p / 3:D4}", SourceVersion = "1" };
            pkg.Purl = $"pkg:deb/debian/{pkg.Name}@{pkg.Version}";
            var key = target.AddPackage(pkg);
            var id = $"CVE-20{20 + v % 6}-{10000 + v}";
            var sev = (Severity)(1 + (v * 7 + p) % 4);
            var o = new ParsedObservation { VulnerabilityId = id, PackageKey = key, Severity = sev, SeveritySource = "nvd", FixState = v % 3 == 0 ? FixState.NotFixed : FixState.Fixed, Status = v % 3 == 0 ? "affected" : "fixed" };
            if (v % 3 != 0) o.FixedVersions.Add($"1.{p % 13}.{p % 5 + 1}");
            target.AddObservation(o);
            report.AddVulnerability(new ParsedVulnerability { Id = id, Title = $"Bench vulnerability {v}", Description = $"Generated vulnerability {v} for the web bench." });
        }
        var plan = ImportPlan.Build(report, null, $"bench-{i}.json");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"bench-{i}")));
        await importer.StoreAsync(plan, $"bench-{i}.json", sha, [], 0, new ImportOptions { ImportedBy = "bench" });
        if ((i + 1) % 100 == 0) Console.WriteLine($"seeded {i + 1} images in {sw.Elapsed.TotalSeconds:0} s");
    }
    await using (var c = factory.CreateDbContext())
    {
        var teamIds = await c.Teams.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        var repos = await c.Repositories.OrderBy(r => r.Id).ToListAsync();
        foreach (var r in repos) r.TeamId = teamIds[int.Parse(r.Name.Split('/')[1][5..], CultureInfo.InvariantCulture) % teams];
        await c.SaveChangesAsync();
        var findingIds = await c.Findings.OrderBy(f => f.Id).Select(f => f.Id).Take(200_000).ToListAsync();
        // 5,000 digest-scoped VEX decisions (through the store the pages use, so effective decisions are materialised).
        var seeder = new VexDecisionStore(new TriageConnection(db), TimeProvider.System);
        foreach (var chunk in Enumerable.Range(0, 5000).Select(k => (Finding: findingIds[(k * 37) % findingIds.Count], Status: (DecisionStatus)(k % 4)))
                     .DistinctBy(d => d.Finding).GroupBy(d => d.Status))
            foreach (var part in chunk.Select(d => d.Finding).Chunk(500))
                await seeder.DecideAsync(new FindingDecision
                {
                    FindingIds = part, Status = chunk.Key, AuthorId = "bench", AuthorName = "bench", AuthorSees = null,
                    Justification = chunk.Key == DecisionStatus.NotAffected ? Triage.Core.Vex.VexJustification.ComponentNotPresent : null,
                    ActionStatement = chunk.Key == DecisionStatus.Affected ? "upgrade" : null,
                });
        await c.SaveChangesAsync();
    }
    Console.WriteLine($"seeded {images} images in {sw.Elapsed.TotalSeconds:0} s");
}

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
