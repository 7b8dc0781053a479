using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;
using Triage.Data.Signing;
using Triage.Data.Vex;

namespace Triage.Data.Configuration;

// Effective decisions, decision origins and signing (docs/decisions/025-effective-decisions.md, 043-signing-in-the-app.md).
// Each index says which query needs it.

internal sealed class EffectiveDecisionConfiguration : IEntityTypeConfiguration<EffectiveDecision>
{
    public void Configure(EntityTypeBuilder<EffectiveDecision> b)
    {
        b.ToTable("EffectiveDecisions");
        b.HasKey(x => x.FindingId);
        b.HasIndex(x => new { x.Status, x.FindingId });               // the grid's status filter, ranking's "drops out"
        b.HasIndex(x => x.DecisionId);                                // what a decision governs
        b.HasIndex(x => x.ExpiresAt);                                 // the expiry sweep
        b.Property(x => x.Justification).HasMaxLength(100);
        b.Property(x => x.Source).HasMaxLength(20);
        b.HasOne<Finding>().WithMany().HasForeignKey(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Decision>().WithMany().HasForeignKey(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DecisionOriginConfiguration : IEntityTypeConfiguration<DecisionOrigin>
{
    public void Configure(EntityTypeBuilder<DecisionOrigin> b)
    {
        b.ToTable("DecisionOrigins");
        b.HasKey(x => x.DecisionId);
        b.HasIndex(x => x.SessionId);                                 // a session's decisions
        b.HasIndex(x => x.FindingId);                                 // decisions made on a finding
        b.HasOne<Decision>().WithMany().HasForeignKey(x => x.DecisionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<TriageSession>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Finding>().WithMany().HasForeignKey(x => x.FindingId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class SigningKeyRecordConfiguration : IEntityTypeConfiguration<SigningKeyRecord>
{
    public void Configure(EntityTypeBuilder<SigningKeyRecord> b)
    {
        b.ToTable("SigningKeys");
        b.HasIndex(x => x.KeyId).IsUnique();
    }
}

internal sealed class SigningKeyRingEntryConfiguration : IEntityTypeConfiguration<SigningKeyRingEntry>
{
    public void Configure(EntityTypeBuilder<SigningKeyRingEntry> b) => b.ToTable("SigningKeyRing");
}

internal sealed class TrustedRootRecordConfiguration : IEntityTypeConfiguration<TrustedRootRecord>
{
    public void Configure(EntityTypeBuilder<TrustedRootRecord> b)
    {
        b.ToTable("TrustedRoots");
        b.HasIndex(x => x.Domain).IsUnique();                         // one root per trust domain
        b.Property(x => x.Domain).HasMaxLength(100);
    }
}

internal sealed class TrustedSignerConfiguration : IEntityTypeConfiguration<TrustedSigner>
{
    public void Configure(EntityTypeBuilder<TrustedSigner> b)
    {
        b.ToTable("TrustedSigners");
        b.HasIndex(x => x.AuthorKey);                                 // an author's signers
    }
}

internal sealed class VexDocumentSignatureConfiguration : IEntityTypeConfiguration<VexDocumentSignature>
{
    public void Configure(EntityTypeBuilder<VexDocumentSignature> b)
    {
        b.ToTable("VexDocumentSignatures");
        b.HasKey(x => x.DocumentId);
        b.HasOne<VexDocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AttestationRecordConfiguration : IEntityTypeConfiguration<AttestationRecord>
{
    public void Configure(EntityTypeBuilder<AttestationRecord> b)
    {
        b.ToTable("Attestations");
        b.HasIndex(x => x.Sha256).IsUnique();                         // the same bundle is one attestation
        b.HasIndex(x => x.ArtifactId);                                // an image page's attestations
        b.HasIndex(x => x.SubjectDigest);                             // attach when the image is imported later
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class AppSettingConfiguration : IEntityTypeConfiguration<AppSetting>
{
    public void Configure(EntityTypeBuilder<AppSetting> b)
    {
        b.ToTable("AppSettings");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(100);
    }
}
