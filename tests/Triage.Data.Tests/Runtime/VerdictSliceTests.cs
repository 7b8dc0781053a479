using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Data.Runtime;
using Triage.Data.Vex;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// A full refresh (`triage runtime refresh`, the start-up refresh after a policy change) judges verdicts a slice of
/// artifacts at a time, as it scores (ADR 108): one artifact per slice gives what one pass gives, on a world where
/// evidence reaches across artifacts (a running image's own package list judges another artifact), where some evidence
/// no longer applies (verdicts replaced and withdrawn, with their periods) and where a verdict contradicts a decision.
/// </summary>
public sealed class VerdictSliceTests
{
    private static readonly DateTime T0 = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);
    private const string Image = RuntimeVerdictTests.NginxImage;
    private const string CopyImage = "registry.example/nginx-copy";
    private const string GoneImage = "registry.example/nginx-gone";

    /// <summary>The nginx scan under another name and digest (12 findings).</summary>
    private static JsonNode ScanOf(string image, string digest)
    {
        var scan = RuntimeVerdictTests.NginxScan();
        scan["ArtifactName"] = image + ":1";
        scan["Metadata"]!["RepoDigests"] = new JsonArray(image + "@" + digest);
        scan["Metadata"]!["RepoTags"] = new JsonArray(image + ":1");
        return scan;
    }

    private static string Profile(string image, bool complete, params string[] execs) =>
        (complete ? $$$"""{"profile":{"image":"{{{image}}}","complete":true,"source":"strace"}}""" + "\n" : "") +
        string.Join("\n", execs.Select(p => $$"""{"image":"{{image}}","path":"{{p}}","op":"exec"}"""));

    /// <summary>
    /// Five artifacts, in this id order: the nginx image's old digest (a complete profile, and the newer digest that runs
    /// under its tag judges it by that digest's own Trivy package list), that running digest (a partial profile), a copy
    /// with a complete and a partial profile, another copy with a complete profile, and a Grype scan with no evidence. A
    /// not_affected decision says libssl is not present where the profile shows it loaded. Then the copies' complete
    /// profiles go (as a purge or a deletion would take them): their verdicts change or are withdrawn at the refresh.
    /// </summary>
    private static async Task<(RuntimeWorld World, FixedClock Clock)> WorldAsync(string provider)
    {
        var clock = new FixedClock(T0);
        var w = new RuntimeWorld(provider, time: clock);
        var old = $"{Image}@{RuntimeVerdictTests.NginxDigest}";
        var running = $"{Image}@{RunningImagePackagesTests.RunningDigest}";
        var copy = $"{CopyImage}@{ReportBuilder.Digest('c')}";
        var gone = $"{GoneImage}@{ReportBuilder.Digest('e')}";

        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-old.json");
        await w.IngestTextAsync(RunningImagePackagesTests.Pods(RunningImagePackagesTests.RunningDigest), "pods.json",
            new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });
        await w.ImportJsonAsync(RunningImagePackagesTests.RunningScan(), "nginx-running.json");
        await w.ImportJsonAsync(ScanOf(CopyImage, ReportBuilder.Digest('c')), "copy.json");
        await w.ImportJsonAsync(ScanOf(GoneImage, ReportBuilder.Digest('e')), "gone.json");
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype).Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical));

        await w.IngestTextAsync(Profile(old, complete: true, "/usr/sbin/nginx", "/usr/lib/x86_64-linux-gnu/libssl.so.1.1"), "old.jsonl");
        await w.IngestTextAsync(Profile(running, complete: false, "/usr/sbin/nginx"), "running.jsonl", new RuntimeIngestOptions { Source = "tetragon" });
        await w.IngestTextAsync(Profile(copy, complete: true, "/usr/sbin/nginx"), "copy-complete.jsonl");
        await w.IngestTextAsync(Profile(copy, complete: false, "/usr/lib/x86_64-linux-gnu/libssl.so.1.1"), "copy-partial.jsonl",
            new RuntimeIngestOptions { Source = "tetragon" });
        await w.IngestTextAsync(Profile(gone, complete: true, "/usr/sbin/nginx"), "gone.jsonl");

        var libssl = (await w.FindingsAsync()).Single(f => f.Package.Name == "libssl1.1" && f.Digest == RuntimeVerdictTests.NginxDigest);
        await new DecisionService(w.Conn, clock).RecordAsync(new DecisionRequest
        {
            Vulnerability = libssl.Vulnerability.Id,
            Target = new DecisionTarget.Image(old),
            Status = VexStatus.NotAffected,
            Justification = VexJustification.ComponentNotPresent,
            Author = "alice",
        });

        clock.Now = T0.AddHours(6);
        await using (var db = w.Db())
        {
            var purged = await db.RuntimeEvidenceFiles.Where(f => f.FileName == "copy-complete.jsonl" || f.FileName == "gone.jsonl").Select(f => f.Id).ToListAsync();
            Assert.Equal(2, purged.Count);
            Assert.Equal(2, await db.RuntimeImageEvidence.Where(e => purged.Contains(e.EvidenceFileId)).ExecuteDeleteAsync());
        }
        return (w, clock);
    }

    /// <summary>Everything a refresh writes: verdicts, scores, periods (without their ids) and the counts by priority.</summary>
    private static async Task<string> StateAsync(RuntimeWorld w)
    {
        await using var db = w.Db();
        var verdicts = (await db.FindingVerdicts.AsNoTracking().ToListAsync())
            .Select(v => (v.FindingId, v.Verdict, v.Confidence, v.ProposedJustification, v.SourcesJson, v.NotesJson, v.ComputedAt, v.VerdictSince)).Order();
        var risks = (await db.FindingRisks.AsNoTracking().ToListAsync())
            .Select(r => (r.FindingId, r.ScoreTenths, r.Priority, r.Excluded, r.RankKey, r.CvssScore, r.ComputedAt, r.PrioritySince)).Order();
        var periods = (await db.FindingRiskPeriods.AsNoTracking().ToListAsync()).Select(p => (p.FindingId, p.Priority, p.Verdict, p.Since, p.Until)).Order();
        var rollups = (await db.PriorityRollups.AsNoTracking().ToListAsync()).Select(r => (r.ArtifactId, r.Priority, r.Count)).Order();
        return string.Join("\n", new[] { verdicts.Cast<object>(), risks.Cast<object>(), periods.Cast<object>(), rollups.Cast<object>() }
            .Select(rows => string.Join(";", rows)));
    }

    private static IQueryable<Finding> FindingsOf(TriageDbContext db, string digest) =>
        db.Findings.Where(f => db.Artifacts.Any(a => a.Id == f.ArtifactId && a.Digest == digest));

    private static string Result(RiskRefreshResult r) =>
        $"{r.ArtifactsJudged} {r.FindingsJudged} {r.FindingsScored} {r.ReReviewFlagged} {string.Join(",", r.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal))}";

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RefreshingEverything_InSlicesOfOneArtifact_GivesWhatOnePassGives(string provider)
    {
        var (one, _) = await WorldAsync(provider);
        var (sliced, _) = await WorldAsync(provider);
        Assert.Equal(await StateAsync(one), await StateAsync(sliced)); // the same world twice, ids and all

        var onePass = await new FindingRiskService(one.Conn, one.Policy, one.Settings, one.Time) { SliceFindings = int.MaxValue }.RefreshEverythingAsync();
        var slices = await new FindingRiskService(sliced.Conn, sliced.Policy, sliced.Settings, sliced.Time) { SliceFindings = 1 }.RefreshEverythingAsync();

        // The world shows what it should: the old digest, the running digest (10 findings) and the copy judged, the other
        // copy's verdicts withdrawn and the copy's replaced (periods), the contradicted decision flagged.
        Assert.Equal((3, 12 + 10 + 12, 12 + 10 + 12 + 12 + 1, 1), (onePass.ArtifactsJudged, onePass.FindingsJudged, onePass.FindingsScored, onePass.ReReviewFlagged));
        Assert.True(onePass.Verdicts.Count >= 3, string.Join(",", onePass.Verdicts));
        await using (var db = one.Db())
        {
            var refreshed = T0.AddHours(6);
            var ended = await db.FindingRiskPeriods.AsNoTracking().Where(p => p.Verdict != null && p.Until == refreshed).Select(p => p.FindingId).ToListAsync();
            var gone = await FindingsOf(db, ReportBuilder.Digest('e')).Select(f => f.Id).ToListAsync();
            var copy = await FindingsOf(db, ReportBuilder.Digest('c')).Select(f => f.Id).ToListAsync();
            Assert.Superset(gone.ToHashSet(), ended.ToHashSet()); // withdrawn: no evidence applies any more
            Assert.Contains(ended, copy.Contains);               // replaced: the complete profile went, the partial one stays
            Assert.False(await db.FindingVerdicts.AnyAsync(v => gone.Contains(v.FindingId)));
            Assert.True(await db.FindingVerdicts.AnyAsync(v => v.SourcesJson.Contains("running-image-packages:")));
        }

        Assert.Equal(Result(onePass), Result(slices));
        Assert.Equal(await StateAsync(one), await StateAsync(sliced));
    }
}
