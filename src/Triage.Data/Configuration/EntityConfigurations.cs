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
    public void Configure(EntityTypeBuilder<Finding> b)
    {
        b.HasIndex(x => new { x.ArtifactId, x.PackageId, x.GroupId }).IsUnique();   // one finding per real problem
        b.HasIndex(x => x.GroupId);                                                  // exposure of a vulnerability
        b.HasIndex(x => x.PackageId);
        // The grid's orders by package and vulnerability, walked from the first row on stored keys (ADR 090); the tail Id
        // is the tie-break every sort ends with. The default order (severity) has its index in FindingWebIndexConfiguration.
        b.HasIndex(x => new { x.Active, x.PackageName, x.Id });
        b.HasIndex(x => new { x.Active, x.VulnerabilityId, x.Id });
        // Grouping by vulnerability and the dashboard's top risks read only these columns (covering on both providers).
        b.HasIndex(x => new { x.Active, x.GroupId, x.Severity, x.FixAvailable, x.ArtifactId });
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
