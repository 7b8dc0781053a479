using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Configuration;

// VEX decisions and imported documents (docs/decisions/024-vex-persistence.md). Each index says which query needs it.

internal sealed class DecisionConfiguration : IEntityTypeConfiguration<Decision>
{
    public void Configure(EntityTypeBuilder<Decision> b)
    {
        b.HasIndex(x => x.StatementId).IsUnique();                    // a statement is recorded once
        b.HasIndex(x => new { x.SlotKey, x.Timestamp });              // the current statement of a slot (re-review, history)
        b.HasIndex(x => x.DocumentId);                                // what an imported document decided
        b.HasIndex(x => x.SubcomponentName);                          // decisions about an imported image's packages (re-review)
        b.Property(x => x.VulnerabilityId).HasMaxLength(200);
        b.Property(x => x.SlotKey).HasMaxLength(64);
        b.HasOne<VexDocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Decision>().WithMany().HasForeignKey(x => x.SupersedesId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DecisionVulnerabilityIdConfiguration : IEntityTypeConfiguration<DecisionVulnerabilityId>
{
    public void Configure(EntityTypeBuilder<DecisionVulnerabilityId> b)
    {
        b.HasKey(x => new { x.DecisionId, x.VulnKey });
        b.HasIndex(x => x.VulnKey);                                   // decisions about any id of a finding's alias group
        b.Property(x => x.VulnKey).HasMaxLength(200);
        b.HasOne<Decision>().WithMany().HasForeignKey(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DecisionReviewConfiguration : IEntityTypeConfiguration<DecisionReview>
{
    public void Configure(EntityTypeBuilder<DecisionReview> b)
    {
        b.HasIndex(x => new { x.DecisionId, x.Reason }).IsUnique();   // one flag per reason; raising again changes nothing
        b.HasOne<Decision>().WithMany().HasForeignKey(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VexDocumentRecordConfiguration : IEntityTypeConfiguration<VexDocumentRecord>
{
    public void Configure(EntityTypeBuilder<VexDocumentRecord> b)
    {
        b.ToTable("VexDocuments");
        b.HasIndex(x => x.Sha256).IsUnique();                         // the same bytes are one document
        b.HasIndex(x => x.Author);                                    // an author's documents (trust changes)
        b.HasIndex(x => x.ImportedAt);                                // latest imports
    }
}

internal sealed class VexDocumentIssueConfiguration : IEntityTypeConfiguration<VexDocumentIssue>
{
    public void Configure(EntityTypeBuilder<VexDocumentIssue> b)
    {
        b.ToTable("VexDocumentIssues");
        b.HasIndex(x => new { x.DocumentId, x.Kind });                // a document's unmatched / rejected statements
        b.HasOne<VexDocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VexAuthorConfiguration : IEntityTypeConfiguration<VexAuthor>
{
    public void Configure(EntityTypeBuilder<VexAuthor> b)
    {
        b.ToTable("VexAuthors");
        b.HasKey(x => x.AuthorKey);
    }
}

internal sealed class VexExportRecordConfiguration : IEntityTypeConfiguration<VexExportRecord>
{
    public void Configure(EntityTypeBuilder<VexExportRecord> b)
    {
        b.ToTable("VexExports");
        b.HasIndex(x => x.Key).IsUnique();                            // the previous export of a scope
    }
}
