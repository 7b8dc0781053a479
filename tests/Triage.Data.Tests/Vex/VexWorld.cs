using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Core.Identity;
using Triage.Testing;

namespace Triage.Data.Tests.Vex;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// One fresh database with the services under test and a clock. The clock starts 30 days before the real time, because
/// the importer stamps images with the real time and a decision must be older than a digest imported after it.
/// </summary>
internal sealed class VexWorld
{
    public const string App = "docker.io/library/app";
    public static readonly string D1 = "sha256:" + new string('1', 64);
    public static readonly string D2 = "sha256:" + new string('2', 64);
    public static readonly string D3 = "sha256:" + new string('3', 64);

    public VexWorld(string provider)
    {
        Connection = TestDatabases.New(provider);
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        Clock = new ManualClock(new DateTimeOffset(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }

    public string Connection { get; }
    public ManualClock Clock { get; }
    public DecisionService Decisions => new(Connection, Clock);
    public VexImportService Imports => new(Connection, Clock);
    public VexExportService Exports => new(Connection, Clock);

    public async Task<ImportSummary> Scan(ReportBuilder report, string? image = null)
    {
        var plan = ImportPlan.Build(report.Build(), image, "report.json");
        return await new ReportImporter(Connection).StoreAsync(plan, "report.json", Guid.NewGuid().ToString("N"), [1, 2, 3], 3, new ImportOptions());
    }

    /// <summary>A Trivy report of one image with apk packages; each claim is (vulnerability, package, version).</summary>
    public static ReportBuilder Image(string image, string digest, params (string Vuln, string Package, string Version)[] claims)
    {
        var b = new ReportBuilder(ScannerKind.Trivy, image, digest);
        foreach (var (v, p, ver) in claims) b.Claim(v, "apk", p, ver, purl: $"pkg:apk/alpine/{p}@{ver}?arch=x86_64&distro=3.19.9");
        return b;
    }

    public async Task<List<FindingView>> Findings()
    {
        await using var db = TriageDatabase.CreateContext(Connection);
        return await FindingQueries.ToViewsAsync(db, FindingQueries.Filtered(db, new FindingFilter()).OrderBy(f => f.Id));
    }

    public async Task<FindingView> Finding(string digest, string vuln, string package)
    {
        var all = await Findings();
        return Assert.Single(all, f => f.Digest == digest && f.Vulnerability.Id == vuln && f.Package.Name == package);
    }

    public static DecisionRequest NotAffected(string vuln, DecisionTarget target, string author = "alice", string? package = null) => new()
    {
        Vulnerability = vuln,
        Target = target,
        Package = package,
        Status = VexStatus.NotAffected,
        Justification = VexJustification.VulnerableCodeNotInExecutePath,
        Author = author,
    };

    public static DecisionRequest Affected(string vuln, DecisionTarget target, string author = "alice") => new()
    {
        Vulnerability = vuln,
        Target = target,
        Status = VexStatus.Affected,
        ActionStatement = "Update to the fixed version.",
        Author = author,
    };

    public static DecisionRequest Status(string vuln, DecisionTarget target, VexStatus status, string author = "alice") => new()
    {
        Vulnerability = vuln,
        Target = target,
        Status = status,
        Author = author,
    };

    public static DecisionTarget AtImage(string digest) => new DecisionTarget.Image($"{App}@{digest}");
    public static DecisionTarget AtRepository => new DecisionTarget.Repository(App);
}
