using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Configuration;
using Triage.Data.Queue;

namespace Triage.Data;

/// <summary>
/// The one DbContext (with the ASP.NET Core Identity tables). Provider-specific subclasses (<see cref="SqliteTriageDbContext"/>, <see cref="PostgresTriageDbContext"/>)
/// exist only so each provider has its own migration set (STYLE.md habit 8); the model is the same.
/// Use it directly (no repository layer); in Blazor Server through IDbContextFactory, one context per operation.
/// </summary>
public abstract class TriageDbContext(DbContextOptions options) : IdentityDbContext<TriageUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<ImageRepository> Repositories => Set<ImageRepository>();
    public DbSet<Artifact> Artifacts => Set<Artifact>();
    public DbSet<Scan> Scans => Set<Scan>();
    public DbSet<RawReport> RawReports => Set<RawReport>();
    public DbSet<Package> Packages => Set<Package>();
    public DbSet<ArtifactPackage> ArtifactPackages => Set<ArtifactPackage>();
    public DbSet<AliasGroup> AliasGroups => Set<AliasGroup>();
    public DbSet<Vulnerability> Vulnerabilities => Set<Vulnerability>();
    public DbSet<AliasAssertion> AliasAssertions => Set<AliasAssertion>();
    public DbSet<Finding> Findings => Set<Finding>();
    public DbSet<Observation> Observations => Set<Observation>();

    // Access and live triage (users, roles and their links are the Identity sets of the base class).
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<SavedFilter> SavedFilters => Set<SavedFilter>();
    public DbSet<TriageSession> TriageSessions => Set<TriageSession>();
    public DbSet<SessionItem> SessionItems => Set<SessionItem>();
    public DbSet<SessionProposal> SessionProposals => Set<SessionProposal>();
    // VEX decisions and imported documents (docs/decisions/024-vex-persistence.md).
    public DbSet<Decision> Decisions => Set<Decision>();
    public DbSet<DecisionVulnerabilityId> DecisionVulnerabilityIds => Set<DecisionVulnerabilityId>();
    public DbSet<DecisionReview> DecisionReviews => Set<DecisionReview>();
    public DbSet<VexDocumentRecord> VexDocuments => Set<VexDocumentRecord>();
    public DbSet<VexDocumentIssue> VexDocumentIssues => Set<VexDocumentIssue>();
    public DbSet<VexAuthor> VexAuthors => Set<VexAuthor>();
    public DbSet<VexExportRecord> VexExports => Set<VexExportRecord>();
    // The append-only audit log (docs/decisions/080-security-and-audit.md).
    public DbSet<Core.Audit.AuditEvent> AuditEvents => Set<Core.Audit.AuditEvent>();
    // Counts of active findings per artifact, kept by the importer (docs/decisions/090-query-scale.md).
    public DbSet<Rollups.FindingRollup> FindingRollups => Set<Rollups.FindingRollup>();
    // Open findings per vulnerability and per source package, summed from per-image parts (the same ADR).
    public DbSet<Rollups.VulnerabilityRollup> VulnerabilityRollups => Set<Rollups.VulnerabilityRollup>();
    public DbSet<Rollups.VulnerabilityRollupPart> VulnerabilityRollupParts => Set<Rollups.VulnerabilityRollupPart>();
    public DbSet<Rollups.SourcePackageRollup> SourcePackageRollups => Set<Rollups.SourcePackageRollup>();
    public DbSet<Rollups.SourcePackageRollupPart> SourcePackageRollupParts => Set<Rollups.SourcePackageRollupPart>();
    public DbSet<Rollups.PackageRollupKey> PackageRollupKeys => Set<Rollups.PackageRollupKey>();
    public DbSet<Rollups.DecidedFindingRollup> DecidedFindingRollups => Set<Rollups.DecidedFindingRollup>();
    // Open, ranked findings per artifact and priority, kept where scores are written and by the importer (the same ADR).
    public DbSet<Rollups.PriorityRollup> PriorityRollups => Set<Rollups.PriorityRollup>();
    // Scale-out and operations (docs/decisions/070-scale-out-and-queue.md): the durable import queue, and the Data
    // Protection key ring every instance shares (cookies and antiforgery tokens made by one are read by the others).
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    // Runtime evidence, enrichment, verdicts and scores (docs/decisions/033-runtime-persistence-and-scores.md).
    public DbSet<RuntimeEvidenceFile> RuntimeEvidenceFiles => Set<RuntimeEvidenceFile>();
    public DbSet<RuntimeImageEvidence> RuntimeImageEvidence => Set<RuntimeImageEvidence>();
    public DbSet<RuntimeSnapshot> RuntimeSnapshots => Set<RuntimeSnapshot>();
    public DbSet<RuntimeWorkload> RuntimeWorkloads => Set<RuntimeWorkload>();
    public DbSet<KevListing> KevListings => Set<KevListing>();
    public DbSet<EpssEntry> EpssEntries => Set<EpssEntry>();
    public DbSet<EnrichmentImport> EnrichmentImports => Set<EnrichmentImport>();
    public DbSet<FindingVerdict> FindingVerdicts => Set<FindingVerdict>();
    public DbSet<FindingRisk> FindingRisks => Set<FindingRisk>();
    public DbSet<FindingRiskPeriod> FindingRiskPeriods => Set<FindingRiskPeriod>();
    public DbSet<StoredRankingPolicy> RankingPolicies => Set<StoredRankingPolicy>();

    // Effective decisions and signing (docs/decisions/025-effective-decisions.md, 043-signing-in-the-app.md).
    public DbSet<Vex.EffectiveDecision> EffectiveDecisions => Set<Vex.EffectiveDecision>();
    public DbSet<Vex.DecisionOrigin> DecisionOrigins => Set<Vex.DecisionOrigin>();
    public DbSet<Signing.SigningKeyRecord> SigningKeys => Set<Signing.SigningKeyRecord>();
    public DbSet<Signing.SigningKeyRingEntry> SigningKeyRing => Set<Signing.SigningKeyRingEntry>();
    public DbSet<Signing.TrustedRootRecord> TrustedRoots => Set<Signing.TrustedRootRecord>();
    public DbSet<Signing.TrustedSigner> TrustedSigners => Set<Signing.TrustedSigner>();
    public DbSet<Signing.VexDocumentSignature> VexDocumentSignatures => Set<Signing.VexDocumentSignature>();
    public DbSet<Signing.AttestationRecord> Attestations => Set<Signing.AttestationRecord>();
    public DbSet<Signing.AppSetting> AppSettings => Set<Signing.AppSetting>();

    // Weekly metrics and the problem ledger (docs/decisions/060-reduction-and-weekly-metrics.md).
    public DbSet<WeeklySnapshot> WeeklySnapshots => Set<WeeklySnapshot>();
    public DbSet<MetricsProblem> MetricsProblems => Set<MetricsProblem>();
    public DbSet<MetricsState> MetricsStates => Set<MetricsState>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TriageDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Lists are stored as JSON text on both providers, so the bulk import writes one format everywhere.
        configurationBuilder.Properties<List<string>>().HaveConversion<StringListJsonConverter, StringListComparer>();
    }
}

public sealed class SqliteTriageDbContext(DbContextOptions<SqliteTriageDbContext> options) : TriageDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresTriageDbContext(DbContextOptions<PostgresTriageDbContext> options) : TriageDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // PostgreSQL text cannot hold NUL: strings are escaped reversibly (Configuration/PostgresText.cs).
        configurationBuilder.Properties<string>().HaveConversion<PostgresTextConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Half of each page left free: the daily EPSS file rewrites every score, and with room on the page (and only the
        // never-updated CVE indexed) each update is a HOT update in place instead of a new row version elsewhere plus an
        // index entry (ADR 035: the all-moved MERGE took 2.3 s instead of 6.2 s).
        modelBuilder.Entity<Triage.Core.Domain.EpssEntry>().HasStorageParameter("fillfactor", 50);
        // The same for an image's findings and packages: every scan of an image (a rescan, or another scanner on it) sets
        // LastSeen, Version and the scanner mask of all its findings and LastSeen of all its packages, columns no index
        // holds. An image's rows sit together on the pages its first import wrote; with half of each page free those
        // updates are HOT (no new entry in any of the findings' nine indexes) instead of new row versions elsewhere.
        modelBuilder.Entity<Triage.Core.Domain.Finding>().HasStorageParameter("fillfactor", 50);
        modelBuilder.Entity<Triage.Core.Domain.ArtifactPackage>().HasStorageParameter("fillfactor", 50);
    }
}
