using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Configuration;

// Runtime evidence, enrichment, verdicts and scores (docs/decisions/033-runtime-persistence-and-scores.md).
// Each index says which query needs it.

internal sealed class RuntimeEvidenceFileConfiguration : IEntityTypeConfiguration<RuntimeEvidenceFile>
{
    public void Configure(EntityTypeBuilder<RuntimeEvidenceFile> b)
    {
        b.HasIndex(x => x.Sha256);                            // the same bytes with the same options ingest once
        b.HasIndex(x => x.ImportedAt);                        // latest evidence on the Runtime page
    }
}

internal sealed class RuntimeImageEvidenceConfiguration : IEntityTypeConfiguration<RuntimeImageEvidence>
{
    public void Configure(EntityTypeBuilder<RuntimeImageEvidence> b)
    {
        b.ToTable("RuntimeImageEvidence");
        b.HasIndex(x => x.Digest);                            // evidence of an artifact, by manifest digest
        b.HasIndex(x => x.ImageId);                           // … by image config digest
        b.HasIndex(x => new { x.Repository, x.Tag });         // … by tag when the evidence names no digest
        b.HasIndex(x => x.EvidenceFileId);
        b.HasOne<RuntimeEvidenceFile>().WithMany().HasForeignKey(x => x.EvidenceFileId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RuntimeSnapshotConfiguration : IEntityTypeConfiguration<RuntimeSnapshot>
{
    public void Configure(EntityTypeBuilder<RuntimeSnapshot> b)
    {
        b.HasIndex(x => new { x.Cluster, x.Source, x.ObservedAt });   // newest snapshot per cluster (running window)
        b.HasIndex(x => x.EvidenceFileId);
        b.HasOne<RuntimeEvidenceFile>().WithMany().HasForeignKey(x => x.EvidenceFileId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RuntimeWorkloadConfiguration : IEntityTypeConfiguration<RuntimeWorkload>
{
    public void Configure(EntityTypeBuilder<RuntimeWorkload> b)
    {
        // A later snapshot updates the row of the same container and image instead of adding one.
        b.HasIndex(x => new { x.Cluster, x.Namespace, x.WorkloadKind, x.WorkloadName, x.Container, x.InitContainer, x.ImageKey }).IsUnique();
        b.HasIndex(x => x.Digest);                            // presence of an artifact, by manifest digest
        b.HasIndex(x => x.ImageId);
        b.HasIndex(x => new { x.Repository, x.Tag });
        b.HasIndex(x => x.LastSnapshotId);
        b.HasOne<RuntimeSnapshot>().WithMany().HasForeignKey(x => x.LastSnapshotId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class KevListingConfiguration : IEntityTypeConfiguration<KevListing>
{
    public void Configure(EntityTypeBuilder<KevListing> b)
    {
        b.HasKey(x => x.CveId);                               // looked up by the CVE ids of alias groups
    }
}

internal sealed class EpssEntryConfiguration : IEntityTypeConfiguration<EpssEntry>
{
    public void Configure(EntityTypeBuilder<EpssEntry> b)
    {
        b.HasKey(x => x.Cve);                                 // joined to Vulnerabilities.VulnId; upserted by CVE
    }
}

internal sealed class EnrichmentImportConfiguration : IEntityTypeConfiguration<EnrichmentImport>
{
    public void Configure(EntityTypeBuilder<EnrichmentImport> b)
    {
        b.HasIndex(x => new { x.Feed, x.ImportedAt });        // latest import per feed
        b.HasIndex(x => x.Sha256);                            // the same file twice changes nothing
    }
}

internal sealed class FindingVerdictConfiguration : IEntityTypeConfiguration<FindingVerdict>
{
    public void Configure(EntityTypeBuilder<FindingVerdict> b)
    {
        b.HasKey(x => x.FindingId);
        b.Property(x => x.FindingId).ValueGeneratedNever();
        b.HasIndex(x => x.Verdict);                           // filter findings by reachability
        // The refresh after an inventory judges these again (ADR 112): a few rows, found without reading the others. Both
        // columns are keys so the lookup reads the index alone (SQLite does not count a column named only in the filter).
        b.HasIndex(x => new { x.FindingId, x.FromRunningImage }, "IX_FindingVerdicts_FromRunningImage").HasFilter("\"FromRunningImage\"");
        b.HasOne<Finding>().WithOne().HasForeignKey<FindingVerdict>(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FindingRiskConfiguration : IEntityTypeConfiguration<FindingRisk>
{
    public void Configure(EntityTypeBuilder<FindingRisk> b)
    {
        b.HasKey(x => x.FindingId);
        b.Property(x => x.FindingId).ValueGeneratedNever();
        // Priority order: walked from the top so the first page reads a page of rows, not the table.
        b.HasIndex(x => new { x.RankKey, x.FindingId }).IsDescending(true, false);
        b.HasIndex(x => x.Priority);                          // filter and count by priority
        b.HasIndex(x => x.PolicyId);
        b.HasOne<Finding>().WithOne().HasForeignKey<FindingRisk>(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StoredRankingPolicy>().WithMany().HasForeignKey(x => x.PolicyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FindingRiskPeriodConfiguration : IEntityTypeConfiguration<FindingRiskPeriod>
{
    public void Configure(EntityTypeBuilder<FindingRiskPeriod> b)
    {
        // Rows are appended in bulk without ids (identity on PostgreSQL, rowid on SQLite), so a clock set back never
        // collides with an earlier period.
        b.HasKey(x => x.Id);
        b.HasIndex(x => x.FindingId);                         // the weekly history reads the periods of the period's findings
        b.HasOne<Finding>().WithMany().HasForeignKey(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.ToTable(t => t.HasCheckConstraint("CK_FindingRiskPeriods_OneValue", "(\"Priority\" IS NULL) <> (\"Verdict\" IS NULL)"));
    }
}

internal sealed class StoredRankingPolicyConfiguration : IEntityTypeConfiguration<StoredRankingPolicy>
{
    public void Configure(EntityTypeBuilder<StoredRankingPolicy> b)
    {
        b.ToTable("RankingPolicies");
        b.HasIndex(x => x.Hash).IsUnique();                   // one row per distinct policy
    }
}
