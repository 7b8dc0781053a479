using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Rollups;

/// <summary>How many active findings one artifact has at one severity, fix availability and set of scanners
/// (docs/decisions/090-query-scale.md). The dashboard and the findings counts add these rows up instead of counting
/// findings; the importer rewrites an artifact's rows in the transaction that changes its findings.</summary>
public sealed class FindingRollup : IArtifactCountRow
{
    public long ArtifactId { get; set; }
    public Severity Severity { get; set; }
    public bool FixAvailable { get; set; }
    public int ScannerMask { get; set; }
    public int Count { get; set; }
}

/// <summary>FindingRollups: one row per (artifact, severity, fix, scanners); removed with the artifact.</summary>
internal sealed class FindingRollupConfiguration : IEntityTypeConfiguration<FindingRollup>
{
    public void Configure(EntityTypeBuilder<FindingRollup> b)
    {
        b.ToTable("FindingRollups");
        b.HasKey(x => new { x.ArtifactId, x.Severity, x.FixAvailable, x.ScannerMask });
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Of the active findings a <see cref="FindingRollup"/> row counts, how many have an effective decision row
/// (docs/decisions/090-query-scale.md): "open and undecided" is the difference, corrected by the few rows that expired
/// since the last sweep. Rewritten per artifact by the importer's hook and whenever effective decisions are recomputed.</summary>
public sealed class DecidedFindingRollup : IArtifactCountRow
{
    public long ArtifactId { get; set; }
    public Severity Severity { get; set; }
    public bool FixAvailable { get; set; }
    public int ScannerMask { get; set; }
    public int Count { get; set; }
}

/// <summary>DecidedFindingRollups: one row per (artifact, severity, fix, scanners) with a decided open finding.</summary>
internal sealed class DecidedFindingRollupConfiguration : IEntityTypeConfiguration<DecidedFindingRollup>
{
    public void Configure(EntityTypeBuilder<DecidedFindingRollup> b)
    {
        b.ToTable("DecidedFindingRollups");
        b.HasKey(x => new { x.ArtifactId, x.Severity, x.FixAvailable, x.ScannerMask });
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}
