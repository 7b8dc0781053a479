using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Rollups;

/// <summary>What the findings grid shows for one group of open findings (a vulnerability or a source package), kept as
/// sums so that an import can add and subtract its images' parts without reading the rest of the group
/// (docs/decisions/090-query-scale.md). An image is counted once, in the <c>Worst…</c> column of its worst finding of
/// the group, so <see cref="MaxSeverity"/> stays exact when that image leaves.</summary>
public abstract class GroupRollupCounts
{
    /// <summary>The worst severity of the group's open findings: the highest <c>Worst…</c> column above zero.</summary>
    public Severity MaxSeverity { get; set; }
    /// <summary>Open findings.</summary>
    public int Findings { get; set; }
    /// <summary>Images with an open finding of the group.</summary>
    public int Images { get; set; }
    /// <summary>Open findings with a fixed version.</summary>
    public int Fixable { get; set; }
    public int WorstCritical { get; set; }
    public int WorstHigh { get; set; }
    public int WorstMedium { get; set; }
    public int WorstLow { get; set; }
    public int WorstUnknown { get; set; }
}

/// <summary>One vulnerability (alias group) across every image: the grid grouped by vulnerability, for an admin.</summary>
public sealed class VulnerabilityRollup : GroupRollupCounts
{
    public long GroupId { get; set; }
}

/// <summary>One source package (type and source name, else name) across every image: the grid grouped by package.</summary>
public sealed class SourcePackageRollup : GroupRollupCounts
{
    public string PackageType { get; set; } = "";
    public string SourceName { get; set; } = "";
}

/// <summary>What one image adds to a <see cref="VulnerabilityRollup"/>: subtracted and rewritten whenever that image's
/// findings change, so the sums never need a recount of the group.</summary>
public sealed class VulnerabilityRollupPart
{
    public long ArtifactId { get; set; }
    public long GroupId { get; set; }
    public Severity MaxSeverity { get; set; }
    public int Findings { get; set; }
    public int Fixable { get; set; }
}

/// <summary>What one image adds to a <see cref="SourcePackageRollup"/>.</summary>
public sealed class SourcePackageRollupPart
{
    public long ArtifactId { get; set; }
    public string PackageType { get; set; } = "";
    public string SourceName { get; set; } = "";
    public Severity MaxSeverity { get; set; }
    public int Findings { get; set; }
    public int Fixable { get; set; }
}

/// <summary>The source name a package's findings are counted under. An import may give a package its source name later
/// (Trivy names it only with --list-all-pkgs); this row tells which images' parts must then move to the new name.</summary>
public sealed class PackageRollupKey
{
    public long PackageId { get; set; }
    public string SourceName { get; set; } = "";
}

internal sealed class VulnerabilityRollupConfiguration : IEntityTypeConfiguration<VulnerabilityRollup>
{
    public void Configure(EntityTypeBuilder<VulnerabilityRollup> b)
    {
        b.ToTable("VulnerabilityRollups");
        b.HasKey(x => x.GroupId);
        b.Property(x => x.GroupId).ValueGeneratedNever();
        // The grouped grid's order, walked from the top for a page.
        b.HasIndex(x => new { x.MaxSeverity, x.Findings, x.GroupId }).IsDescending(true, true, false);
    }
}

internal sealed class SourcePackageRollupConfiguration : IEntityTypeConfiguration<SourcePackageRollup>
{
    public void Configure(EntityTypeBuilder<SourcePackageRollup> b)
    {
        b.ToTable("SourcePackageRollups");
        b.HasKey(x => new { x.PackageType, x.SourceName });
        b.HasIndex(x => new { x.MaxSeverity, x.Findings, x.SourceName, x.PackageType }).IsDescending(true, true, false, false);
    }
}

internal sealed class VulnerabilityRollupPartConfiguration : IEntityTypeConfiguration<VulnerabilityRollupPart>
{
    public void Configure(EntityTypeBuilder<VulnerabilityRollupPart> b)
    {
        b.ToTable("VulnerabilityRollupParts");
        b.HasKey(x => new { x.ArtifactId, x.GroupId });
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SourcePackageRollupPartConfiguration : IEntityTypeConfiguration<SourcePackageRollupPart>
{
    public void Configure(EntityTypeBuilder<SourcePackageRollupPart> b)
    {
        b.ToTable("SourcePackageRollupParts");
        b.HasKey(x => new { x.ArtifactId, x.PackageType, x.SourceName });
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PackageRollupKeyConfiguration : IEntityTypeConfiguration<PackageRollupKey>
{
    public void Configure(EntityTypeBuilder<PackageRollupKey> b)
    {
        b.ToTable("PackageRollupKeys");
        b.HasKey(x => x.PackageId);
        b.Property(x => x.PackageId).ValueGeneratedNever();
        b.HasOne<Package>().WithMany().HasForeignKey(x => x.PackageId).OnDelete(DeleteBehavior.Cascade);
    }
}
