using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;
using Triage.Data.Import;
using Triage.Data.Vex;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>ADR 035: a rescan that merges alias groups gives findings a decision in force. Findings of other images whose
/// status changed are scored again in the import's decision hook; findings of the imported image are left to the import's
/// own refresh (<see cref="FindingRiskService.AfterImportAsync"/>), so none is scored twice.</summary>
public class DecisionRescoringAfterImportTests
{
    private const string Two = "registry.example/team/two:1", Four = "registry.example/team/four:1", Five = "registry.example/team/five:1";
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static async Task<(bool Excluded, DateTime ComputedAt, VexStatus? Status)> StateAsync(RuntimeWorld w, string digest)
    {
        await using var db = w.Db();
        var artifact = await db.Artifacts.AsNoTracking().Where(a => a.Digest == digest).Select(a => a.Id).SingleAsync();
        var finding = await db.Findings.AsNoTracking().Where(f => f.ArtifactId == artifact && f.PackageName == "zlib1g" && f.Active).Select(f => f.Id).SingleAsync();
        var risk = await db.FindingRisks.AsNoTracking().SingleAsync(r => r.FindingId == finding);
        var status = await db.EffectiveDecisions.AsNoTracking().Where(e => e.FindingId == finding).Select(e => (VexStatus?)e.Status).SingleOrDefaultAsync();
        return (risk.Excluded, risk.ComputedAt, status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task MergingRescan_ScoresOtherImagesInTheHook_AndTheImportedImageOnlyInItsRefresh(string provider)
    {
        var w = new RuntimeWorld(provider);
        // Images two and five know the zlib problem as a GHSA, image four as a CVE; nothing says they are the same yet.
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, Two, Digest('2')).Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, Five, Digest('5')).Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, Four, Digest('4')).Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High));
        await new DecisionService(w.Conn).RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-7777", Target = DecisionTarget.Everywhere.Instance, Status = VexStatus.NotAffected,
            Justification = VexJustification.VulnerableCodeNotInExecutePath, Author = "alice",
        });
        var four = await StateAsync(w, Digest('4'));
        Assert.Equal((true, (VexStatus?)VexStatus.NotAffected), (four.Excluded, four.Status));
        var two0 = await StateAsync(w, Digest('2'));
        var five0 = await StateAsync(w, Digest('5'));
        Assert.Equal((false, (VexStatus?)null), (two0.Excluded, two0.Status));
        Assert.Equal((false, (VexStatus?)null), (five0.Excluded, five0.Status));
        await Task.Delay(20);

        // Grype rescans image two and says the GHSA is CVE-2024-7777: the groups merge and the decision reaches images two
        // and five. A decision exists, so the import does not score inside its transaction.
        var rescan = new ReportBuilder(ScannerKind.Grype, Two, Digest('2')).Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High, aliases: ["CVE-2024-7777"]);
        var summary = await new ReportImporter(w.Conn, w.Risk).StoreAsync(ImportPlan.Build(rescan.Build(), null, "g.json"), "g.json",
            Guid.NewGuid().ToString("N"), [1], 1, new ImportOptions());
        Assert.False(summary.RiskScored);

        // Image five's finding changed status in another image: the hook scores it, out of the ranking at once.
        var five1 = await StateAsync(w, Digest('5'));
        Assert.Equal((true, (VexStatus?)VexStatus.NotAffected), (five1.Excluded, five1.Status));
        Assert.True(five1.ComputedAt > five0.ComputedAt);
        // Image two's finding has its decision but the hook left its score to the import's refresh, which scores it once.
        var two1 = await StateAsync(w, Digest('2'));
        Assert.Equal((VexStatus?)VexStatus.NotAffected, two1.Status);
        Assert.Equal(two0.ComputedAt, two1.ComputedAt);
        await w.Risk.AfterImportAsync(summary);
        var two2 = await StateAsync(w, Digest('2'));
        Assert.True(two2.Excluded);
        Assert.True(two2.ComputedAt > two0.ComputedAt);
    }
}
