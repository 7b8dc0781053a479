// Triage.Bench.Load: the load run of issue 9, from a second process on loopback.
//
//   dotnet run -c Release --project bench/Triage.Bench.Load -- --postgres "Host=127.0.0.1;Port=5432;Username=triage;Database=postgres" \
//       --redis 127.0.0.1:6379 [--images 2000] [--per-image 500] [--uploads 50] [--upload-findings 2000] [--queries 100] [--query-requests 1000]
//   [--seed-minutes N] stops seeding after N minutes (the output says how many findings there are); --uploads 0 skips the uploads
//   (--postgres defaults to TRIAGE_TEST_POSTGRES, --redis to TRIAGE_TEST_REDIS; --db CONN reuses a seeded database)
//
// 1. Creates a database on that server and seeds --images × --per-image findings through ReportImporter.StoreAsync (the
//    bulk import path; 2,000 × 500 = 1 M findings by default).
// 2. Starts two Triage.Web instances (src/Triage.Web/bin/<Configuration>/net10.0, Production environment) on loopback
//    ports, on that database and Redis, and an API token for the first admin.
// 3. Runs, alternating requests between the two instances:
//    baseline  GET /health/live at --queries concurrency (the server's floor on this machine, this minute);
//    queries   GET /api/v1/findings (paged, with filters) at --queries concurrency;
//    upload-1  one report of --upload-findings findings on its own (the upload baseline);
//    uploads   --uploads distinct reports of --upload-findings findings posted at once.
//    Prints throughput, p50/p95/p99 latency and errors per phase, and the ratios to the baselines, as Markdown.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ingest;
using Triage.Data;
using Triage.Data.Import;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;

var adminConn = Arg("--postgres") ?? Environment.GetEnvironmentVariable("TRIAGE_TEST_POSTGRES")
    ?? throw new InvalidOperationException("--postgres CONN (or TRIAGE_TEST_POSTGRES) is required");
var redis = Arg("--redis") ?? Environment.GetEnvironmentVariable("TRIAGE_TEST_REDIS")
    ?? throw new InvalidOperationException("--redis HOST:PORT (or TRIAGE_TEST_REDIS) is required");
var images = Int("--images", 2000);
var perImage = Int("--per-image", 500);
var uploads = Int("--uploads", 50);
var uploadFindings = Int("--upload-findings", 2000);
var queries = Int("--queries", 100);
var queryRequests = Int("--query-requests", 1000);
var seedMinutes = Int("--seed-minutes", 0);   // 0: seed everything; else stop seeding after this long (the figures say how many findings)
const string AdminEmail = "load@example.test", AdminPassword = "load-bench-password-1";

var db = Arg("--db") ?? await CreateDatabaseAsync();
await TriageDatabase.EnsureMigratedAsync(db);
var seedClock = Stopwatch.StartNew();
await SeedAsync();
long findingCount;
await using (var c = TriageDatabase.CreateContext(db)) findingCount = await c.Findings.LongCountAsync();
Console.WriteLine($"database ready: {findingCount:N0} findings (seeding {seedClock.Elapsed.TotalSeconds:0} s)");

var instances = new List<Process>();
try
{
    var urls = new List<string>();
    for (var i = 0; i < 2; i++)
    {
        var (p, url) = StartInstance();
        instances.Add(p);
        await WaitReadyAsync(p, url);   // one after the other: the first migrates and creates the admin
        urls.Add(url);
    }
    var token = await CreateTokenAsync();
    int reportsBefore;
    await using (var c = TriageDatabase.CreateContext(db)) reportsBefore = await c.RawReports.CountAsync(r => !r.FileName.StartsWith("bench-"));
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    string[] filters = ["", "severity=critical,high", "fixAvailable=true", "scanner=trivy", "page=50", "severity=critical&page=3",
        "package=pkg0042", "vuln=CVE-2021-10021", "image=bench.example/team-03/app-0003"];
    // Warm both instances (JIT, EF model, pools) so the phases measure steady state.
    foreach (var u in urls)
        foreach (var f in filters)
            (await http.GetAsync($"{u}/api/v1/findings?pageSize=50&{f}")).EnsureSuccessStatusCode();

    // Each filter mix alone, one request at a time (the floor the concurrent phase queues behind).
    var solo = new List<Phase>();
    foreach (var f in filters)
        solo.Add(await RunAsync($"alone: `{(f.Length == 0 ? "(no filter)" : f)}`", 1, 6, i => http.GetAsync($"{urls[i % 2]}/api/v1/findings?pageSize=50&{f}")));

    var results = new List<Phase>
    {
        await RunAsync("baseline: GET /health/live", queries, queryRequests, i => http.GetAsync($"{urls[i % 2]}/health/live")),
        await RunAsync($"GET /api/v1/findings ({findingCount:N0} findings, paged, filters)", queries, queryRequests,
            i => http.GetAsync($"{urls[i % 2]}/api/v1/findings?pageSize=50&{filters[i % filters.Length]}")),
    };
    if (uploads > 0)
    {
        // New reports every run (a re-posted report is an idempotent duplicate and costs nothing): seeds from the clock.
        var seed = 1_000_000 + (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 100_000) * 100;
        results.Add(await RunAsync($"upload baseline: 1 report of {uploadFindings:N0} findings alone", 1, 1,
            i => http.PostAsync($"{urls[0]}/api/v1/scans", Json(SyntheticReports.Trivy(seed + i, uploadFindings)))));
        results.Add(await RunAsync($"POST /api/v1/scans: {uploads} reports of {uploadFindings:N0} findings at once", uploads, uploads,
            i => http.PostAsync($"{urls[i % 2]}/api/v1/scans", Json(SyntheticReports.Trivy(seed + 1 + i, uploadFindings)))));
    }

    await using (var c = TriageDatabase.CreateContext(db))
    {
        var landed = await c.RawReports.CountAsync(r => !r.FileName.StartsWith("bench-")) - reportsBefore;
        Console.WriteLine($"uploads landed: {landed} of {uploads + 1} (findings now {await c.Findings.LongCountAsync():N0})");
    }
    Console.WriteLine();
    Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} ({Environment.ProcessorCount} CPUs), two instances, PostgreSQL, Redis");
    Console.WriteLine();
    Console.WriteLine("| phase | concurrency | requests | errors | throughput (req/s) | p50 ms | p95 ms | p99 ms | p50 ÷ baseline |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var r in solo)
        Console.WriteLine($"| {r.Name} | 1 | {r.Requests} | {r.Errors} | {r.Throughput:0.0} | {r.P(0.50):0} | {r.P(0.95):0} | {r.P(0.99):0} | |");
    foreach (var r in results)
    {
        var baseline = r.Name.StartsWith("POST", StringComparison.Ordinal) ? results[2] : results[0];
        Console.WriteLine($"| {r.Name} | {r.Concurrency} | {r.Requests} | {r.Errors} | {r.Throughput:0.0} | {r.P(0.50):0} | {r.P(0.95):0} | {r.P(0.99):0} | " +
                          $"{(ReferenceEquals(r, baseline) ? "1" : (r.P(0.50) / baseline.P(0.50)).ToString("0.0", CultureInfo.InvariantCulture))} |");
    }
}
finally
{
    foreach (var p in instances)
    {
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        p.Dispose();
    }
}

async Task<Phase> RunAsync(string name, int concurrency, int requests, Func<int, Task<HttpResponseMessage>> send)
{
    var latencies = new ConcurrentBag<double>();
    var errors = 0;
    var next = -1;
    var firstError = "";
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < requests)
        {
            var t = Stopwatch.GetTimestamp();
            try
            {
                using var response = await send(i);
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    if (Interlocked.Increment(ref errors) == 1) firstError = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (Interlocked.Increment(ref errors) == 1) firstError = e.Message;
            }
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    })));
    var phase = new Phase(name, concurrency, requests, errors, requests / clock.Elapsed.TotalSeconds, [.. latencies.Order()]);
    Console.WriteLine($"{name}: {phase.Throughput:0.0} req/s, p50 {phase.P(0.5):0} ms, p99 {phase.P(0.99):0} ms, {errors} errors {firstError}");
    return phase;
}

async Task<string> CreateDatabaseAsync()
{
    var b = new NpgsqlConnectionStringBuilder(adminConn);
    var name = $"load_{DateTime.UtcNow:yyyyMMddHHmmss}";
    await using (var conn = new NpgsqlConnection(b.ToString()))
    {
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
    }
    b.Database = name;
    b.MaxPoolSize = 50;
    Console.WriteLine($"database {name}");
    return b.ToString();
}

async Task SeedAsync()
{
    await using (var c = TriageDatabase.CreateContext(db))
        if (await c.Artifacts.AnyAsync()) return;
    var importer = new ReportImporter(db);
    var random = new Random(42);
    const int teams = 20, packagePool = 3000, vulnPool = 40_000;
    for (var i = 0; i < images; i++)
    {
        if (seedMinutes > 0 && seedClock.Elapsed > TimeSpan.FromMinutes(seedMinutes))
        {
            Console.WriteLine($"seeding stopped after {seedMinutes} minutes at {i} images");
            break;
        }
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
            var o = new ParsedObservation
            {
                VulnerabilityId = id, PackageKey = key, Severity = (Severity)(1 + (v * 7 + p) % 4), SeveritySource = "nvd",
                FixState = v % 3 == 0 ? FixState.NotFixed : FixState.Fixed, Status = v % 3 == 0 ? "affected" : "fixed",
            };
            if (v % 3 != 0) o.FixedVersions.Add($"1.{p % 13}.{p % 5 + 1}");
            target.AddObservation(o);
            report.AddVulnerability(new ParsedVulnerability { Id = id, Title = $"Load vulnerability {v}", Description = $"Generated vulnerability {v} for the load bench." });
        }
        var plan = ImportPlan.Build(report, null, $"bench-{i}.json");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"load-bench-{i}")));
        await importer.StoreAsync(plan, $"bench-{i}.json", sha, [], 0, new ImportOptions { ImportedBy = "bench" });
        if ((i + 1) % 100 == 0) Console.WriteLine($"seeded {i + 1} images ({(i + 1L) * perImage:N0} findings) in {seedClock.Elapsed.TotalSeconds:0} s");
    }
}

(Process, string) StartInstance()
{
    var port = FreePort();
    var url = $"http://127.0.0.1:{port}";
    var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot() };
    psi.ArgumentList.Add(WebDll());
    psi.Environment["ASPNETCORE_URLS"] = url;
    psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    psi.Environment["ConnectionStrings__Triage"] = db;
    psi.Environment["ConnectionStrings__Redis"] = redis;
    psi.Environment["Triage__Admin__Email"] = AdminEmail;
    psi.Environment["Triage__Admin__Password"] = AdminPassword;
    psi.Environment.Remove("TRIAGE_DB");
    // One API token stands for 100 clients here: its per-token rate limit (shared by the instances through Redis) would
    // measure the limiter, not the app.
    psi.Environment["Triage__RateLimits__ApiPerMinute"] = "1000000";
    psi.Environment["Triage__RateLimits__UploadsPerMinute"] = "1000000";
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, e) => { if (e.Data is { } l && (l.Contains("fail", StringComparison.Ordinal) || l.Contains("crit", StringComparison.Ordinal))) Console.Error.WriteLine($"[{port}] {l}"); };
    p.ErrorDataReceived += (_, e) => { if (e.Data is { } l) Console.Error.WriteLine($"[{port}] {l}"); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return (p, url);
}

async Task WaitReadyAsync(Process p, string url)
{
    using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    var until = DateTime.UtcNow.AddMinutes(3);
    while (DateTime.UtcNow < until)
    {
        if (p.HasExited) throw new InvalidOperationException($"the instance at {url} exited ({p.ExitCode})");
        try { if ((await probe.GetAsync(url + "/health/ready")).StatusCode == HttpStatusCode.OK) return; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        await Task.Delay(300);
    }
    throw new TimeoutException($"the instance at {url} was not ready in 3 minutes");
}

async Task<string> CreateTokenAsync()
{
    await using var c = TriageDatabase.CreateContext(db);
    var user = await c.Users.SingleAsync(u => u.Email == AdminEmail);
    var (secret, prefix, hash) = ApiTokens.Create();
    c.ApiTokens.Add(new ApiToken { UserId = user.Id, Name = "load bench", Prefix = prefix, Hash = hash, Scopes = TokenScopes.Read | TokenScopes.Upload, CreatedAt = DateTime.UtcNow });
    await c.SaveChangesAsync();
    return secret;
}

static ByteArrayContent Json(byte[] bytes)
{
    var content = new ByteArrayContent(bytes);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    return content;
}

static string RepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Triage.sln"))) return d.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

static string WebDll()
{
    // …/bench/Triage.Bench.Load/bin/<Configuration>/net10.0/ → src/Triage.Web/bin/<Configuration>/net10.0/Triage.Web.dll
    var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
    var dll = Path.Combine(RepoRoot(), "src", "Triage.Web", "bin", tfm.Parent!.Name, tfm.Name, "Triage.Web.dll");
    return File.Exists(dll) ? dll : throw new FileNotFoundException(dll);
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

internal sealed record Phase(string Name, int Concurrency, int Requests, int Errors, double Throughput, double[] Latencies)
{
    public double P(double q) => Latencies.Length == 0 ? 0 : Latencies[Math.Clamp((int)Math.Ceiling(q * Latencies.Length) - 1, 0, Latencies.Length - 1)];
}
