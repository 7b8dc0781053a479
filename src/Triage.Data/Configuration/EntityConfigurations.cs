using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Configuration;

// Each index says which query needs it.

internal sealed class ImageRepositoryConfiguration : IEntityTypeConfiguration<ImageRepository>
{
    public void Configure(EntityTypeBuilder<ImageRepository> b)
    {
        b.ToTable("Repositories");
        b.HasIndex(x => x.Name).IsUnique();           // resolve a reference to its repository
        b.HasIndex(x => x.TeamId);                    // a team's images
    }
}

internal sealed class ArtifactConfiguration : IEntityTypeConfiguration<Artifact>
{
    public void Configure(EntityTypeBuilder<Artifact> b)
    {
        b.HasIndex(x => new { x.RepositoryId, x.Digest });   // import: find the digest in its repository
        b.HasIndex(x => x.Digest);                             // exposure, VEX products by digest
        b.HasIndex(x => x.ImageId);
        b.HasOne<ImageRepository>().WithMany().HasForeignKey(x => x.RepositoryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScanConfiguration : IEntityTypeConfiguration<Scan>
{
    public void Configure(EntityTypeBuilder<Scan> b)
    {
        b.HasIndex(x => new { x.ArtifactId, x.Scanner });     // rescans replace one scanner's observations
        b.HasIndex(x => x.RawReportId);
        b.HasIndex(x => x.ImportedAt);                        // latest imports
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<RawReport>().WithMany().HasForeignKey(x => x.RawReportId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RawReportConfiguration : IEntityTypeConfiguration<RawReport>
{
    public void Configure(EntityTypeBuilder<RawReport> b)
    {
        b.HasIndex(x => x.Sha256).IsUnique();                 // the same bytes import once
    }
}

internal sealed class PackageConfiguration : IEntityTypeConfiguration<Package>
{
    public void Configure(EntityTypeBuilder<Package> b)
    {
        b.HasIndex(x => x.Key).IsUnique();
        b.HasIndex(x => new { x.Type, x.Name });              // search by package name
        b.HasIndex(x => x.SourceName);                        // group by source package
    }
}

internal sealed class ArtifactPackageConfiguration : IEntityTypeConfiguration<ArtifactPackage>
{
    public void Configure(EntityTypeBuilder<ArtifactPackage> b)
    {
        b.HasKey(x => new { x.ArtifactId, x.PackageId });
        b.HasIndex(x => x.PackageId);                         // which images contain a package
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Package>().WithMany().HasForeignKey(x => x.PackageId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AliasGroupConfiguration : IEntityTypeConfiguration<AliasGroup>
{
    public void Configure(EntityTypeBuilder<AliasGroup> b)
    {
        b.HasIndex(x => x.CanonicalId);
    }
}

internal sealed class VulnerabilityConfiguration : IEntityTypeConfiguration<Vulnerability>
{
    public void Configure(EntityTypeBuilder<Vulnerability> b)
    {
        b.HasIndex(x => x.VulnId).IsUnique();                 // resolve ids at import, search by id or alias
        b.HasIndex(x => x.GroupId);                           // the members of a group
        b.HasOne<AliasGroup>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AliasAssertionConfiguration : IEntityTypeConfiguration<AliasAssertion>
{
    public void Configure(EntityTypeBuilder<AliasAssertion> b)
    {
        b.HasIndex(x => new { x.FromId, x.ToId, x.Relation, x.Source }).IsUnique();
        b.HasIndex(x => x.ToId);
    }
}

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    /// <summary>The filter of the partial indexes over open findings, the same SQL on both providers.</summary>
    private const string OpenOnly = "\"Active\"";

    public void Configure(EntityTypeBuilder<Finding> b)
    {
        b.HasIndex(x => new { x.ArtifactId, x.PackageId, x.GroupId }).IsUnique();   // one finding per real problem
        b.HasIndex(x => x.GroupId);                                                  // exposure of a vulnerability
        b.HasIndex(x => x.PackageId);
        // Open findings (ADR 090), as partial indexes: EF writes the filter as a bare `WHERE "Active"`, which SQLite cannot
        // match to a leading Active column but matches to an index with the same WHERE (PostgreSQL uses either). The grid's
        // default order and its orders on stored keys are walked from the first row, the tail Id being every sort's tie-break;
        // grouping by vulnerability and the dashboard's top risks read the last one without touching the table (it ends
        // with Active because SQLite counts an index as covering only when it holds every column the query names, WHERE included).
        b.HasIndex(x => new { x.Severity, x.Id }, "IX_Findings_Open_Severity_Id").IsDescending(true, false).HasFilter(OpenOnly);
        b.HasIndex(x => new { x.PackageName, x.Id }, "IX_Findings_Open_PackageName_Id").HasFilter(OpenOnly);
        b.HasIndex(x => new { x.VulnerabilityId, x.Id }, "IX_Findings_Open_VulnerabilityId_Id").HasFilter(OpenOnly);
        b.HasIndex(x => new { x.GroupId, x.Severity, x.FixAvailable, x.ArtifactId, x.Active }, "IX_Findings_Open_GroupId_Severity_FixAvailable_ArtifactId")
            .HasFilter(OpenOnly);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Package>().WithMany().HasForeignKey(x => x.PackageId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AliasGroup>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ObservationConfiguration : IEntityTypeConfiguration<Observation>
{
    public void Configure(EntityTypeBuilder<Observation> b)
    {
        b.HasIndex(x => new { x.FindingId, x.Scanner, x.RawVulnId }).IsUnique();    // a rescan updates, never duplicates
        b.HasIndex(x => x.ScanId);
        b.HasOne<Finding>().WithMany().HasForeignKey(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Scan>().WithMany().HasForeignKey(x => x.ScanId).OnDelete(DeleteBehavior.Cascade);
    }
}
