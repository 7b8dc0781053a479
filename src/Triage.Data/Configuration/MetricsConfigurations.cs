using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;

namespace Triage.Data.Configuration;

// Weekly metrics (docs/decisions/060-reduction-and-weekly-metrics.md). No foreign keys to repositories, teams or findings:
// snapshots and the problem ledger outlive the raw data they were computed from.

internal sealed class WeeklySnapshotConfiguration : IEntityTypeConfiguration<WeeklySnapshot>
{
    public void Configure(EntityTypeBuilder<WeeklySnapshot> b)
    {
        b.Property(x => x.ScopeName).HasMaxLength(500);
        b.HasIndex(x => new { x.Scope, x.ScopeId, x.Year, x.Week }).IsUnique();   // one row per scope and week; a scope's trend
        b.HasIndex(x => new { x.Year, x.Week, x.Scope });                         // one week across scopes (top movers)
    }
}

internal sealed class MetricsProblemConfiguration : IEntityTypeConfiguration<MetricsProblem>
{
    public void Configure(EntityTypeBuilder<MetricsProblem> b)
    {
        b.Property(x => x.VulnerabilityId).HasMaxLength(200);
        b.Property(x => x.PackageType).HasMaxLength(50);
        b.Property(x => x.PackageNamespace).HasMaxLength(500);
        b.Property(x => x.PackageName).HasMaxLength(500);
    }
}

internal sealed class MetricsStateConfiguration : IEntityTypeConfiguration<MetricsState>
{
    public void Configure(EntityTypeBuilder<MetricsState> b)
    {
        b.ToTable("MetricsState");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Ignore(x => x.Ledger);
    }
}
