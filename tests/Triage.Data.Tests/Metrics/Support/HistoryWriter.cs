using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ingest;
using Triage.Data;
using Triage.Data.Import;
using Triage.Data.Runtime;

namespace Triage.Testing.Metrics;

/// <summary>
/// Writes a history through the real import path (ReportImporter.StoreAsync) and then moves each import to a chosen
/// moment: every time the import wrote (the scan, its raw report, the image, its packages, findings and observations it
/// created or touched) becomes <c>at</c>. Imports must be written in time order, like real ones. With
/// <paramref name="score"/>, each import's images are judged and scored as the product's import paths do, as of <c>at</c>
/// (ADR 108 keeps what each rescoring replaced), and scores count from the first of them.
/// </summary>
public sealed class HistoryWriter
{
    private readonly string _connectionString;
    private readonly FixedClock _clock = new(DateTime.UnixEpoch);
    private readonly FindingRiskService? _risk;
    private readonly ReportImporter _importer;
    private int _sequence;

    public HistoryWriter(string connectionString, bool score = false)
    {
        _connectionString = connectionString;
        _risk = score ? new FindingRiskService(connectionString, time: _clock) : null;
        _importer = new ReportImporter(connectionString, _risk);
    }

    public string ConnectionString => _connectionString;

    /// <summary>Imports a parsed report as if it arrived at <paramref name="at"/>.</summary>
    public async Task<ImportSummary> ScanAsync(DateTime at, ParsedReport report, string? image = null)
    {
        var name = $"history-{++_sequence}.json";
        var plan = ImportPlan.Build(report, image, name);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{name}|{at:O}|{Guid.NewGuid()}")));
        _clock.Now = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        var summary = await _importer.StoreAsync(plan, name, sha, [], 0, new ImportOptions { ImportedBy = "history" });
        await ScoreAndRetimeAsync(summary, at);
        return summary;
    }

    /// <summary>Imports a report file (a real fixture) as if it arrived at <paramref name="at"/>.</summary>
    public async Task<ImportSummary> ImportFileAsync(DateTime at, string path, string? image = null)
    {
        await using var file = File.OpenRead(path);
        _clock.Now = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        var summary = await _importer.ImportAsync(file, Path.GetFileName(path), new ImportOptions { Image = image, ImportedBy = "history" });
        await ScoreAndRetimeAsync(summary, at);
        return summary;
    }

    private async Task ScoreAndRetimeAsync(ImportSummary summary, DateTime at)
    {
        at = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        // Scored in the import's transaction when no decision exists, else after it, as the import paths do.
        if (_risk is not null) await _risk.AfterImportAsync(summary);
        await using var db = TriageDatabase.CreateContext(_connectionString);
        await using var tx = await db.Database.BeginTransactionAsync();
        // Scores began no later than this one (a configuration stored at the real time by someone else moves back).
        if (_risk is not null) await db.RankingPolicies.Where(p => p.CreatedAt > at).ExecuteUpdateAsync(u => u.SetProperty(p => p.CreatedAt, at));
        foreach (var a in summary.Artifacts)
        {
            var scan = await db.Scans.AsNoTracking().SingleAsync(s => s.Id == a.ScanId);
            var now = scan.ImportedAt;
            await db.Scans.Where(s => s.Id == a.ScanId).ExecuteUpdateAsync(u => u.SetProperty(s => s.ImportedAt, at));
            await db.RawReports.Where(r => r.Id == scan.RawReportId).ExecuteUpdateAsync(u => u.SetProperty(r => r.ImportedAt, at));
            await db.Repositories.Where(r => r.CreatedAt == now).ExecuteUpdateAsync(u => u.SetProperty(r => r.CreatedAt, at));
            await db.AliasAssertions.Where(r => r.CreatedAt == now).ExecuteUpdateAsync(u => u.SetProperty(r => r.CreatedAt, at));
            var id = a.ArtifactId;
            await db.Artifacts.Where(x => x.Id == id && x.FirstSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.FirstSeen, at));
            await db.Artifacts.Where(x => x.Id == id && x.LastSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeen, at));
            await db.ArtifactPackages.Where(x => x.ArtifactId == id && x.FirstSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.FirstSeen, at));
            await db.ArtifactPackages.Where(x => x.ArtifactId == id && x.LastSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeen, at));
            await db.Findings.Where(x => x.ArtifactId == id && x.FirstSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.FirstSeen, at));
            await db.Findings.Where(x => x.ArtifactId == id && x.LastSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeen, at));
            var findings = db.Findings.Where(f => f.ArtifactId == id).Select(f => f.Id);
            await db.Observations.Where(x => findings.Contains(x.FindingId) && x.FirstSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.FirstSeen, at));
            await db.Observations.Where(x => findings.Contains(x.FindingId) && x.LastSeen == now).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeen, at));
        }
        await tx.CommitAsync();
    }

    /// <summary>A one-image report: its packages (name, version) and claims on them (vulnerability, package name, severity, fixed in).</summary>
    public static ParsedReport Image(string reference, string digest, IEnumerable<(string Name, string Version)> packages,
        IEnumerable<(string Vulnerability, string Package, Severity Severity, string? FixedIn)> claims, long? sizeBytes = null,
        ScannerKind scanner = ScannerKind.Trivy, string os = "debian", string osVersion = "12")
    {
        var report = new ParsedReport(scanner) { ScannerVersion = "test" };
        var target = report.AddTarget(new ParsedTarget { Name = reference, Kind = "container_image", OsFamily = os, OsName = osVersion, SizeBytes = sizeBytes });
        target.RepoDigests.Add($"{reference.Split(':')[0]}@{digest}");
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, version) in packages)
            keys[name] = target.AddPackage(new ParsedPackage { Type = "deb", Name = name, Version = version, Purl = $"pkg:deb/debian/{name}@{version}" });
        foreach (var (vuln, package, severity, fixedIn) in claims)
        {
            var o = new ParsedObservation { VulnerabilityId = vuln, PackageKey = keys[package], Severity = severity, FixState = fixedIn is null ? FixState.NotFixed : FixState.Fixed };
            if (fixedIn is not null) o.FixedVersions.Add(fixedIn);
            target.AddObservation(o);
            report.AddVulnerability(new ParsedVulnerability { Id = vuln, Title = $"{vuln} in {package}" });
        }
        return report;
    }

    /// <summary>"sha256:" and 64 hex digits made from a short name.</summary>
    public static string Digest(string name) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}

/// <summary>A clock the snapshot runs read.</summary>
public sealed class FixedClock(DateTime now) : TimeProvider
{
    public DateTime Now { get; set; } = DateTime.SpecifyKind(now, DateTimeKind.Utc);

    public override DateTimeOffset GetUtcNow() => new(Now);
}
