using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Audit;

namespace Triage.Data.Audit;

/// <summary>AuditEvents: no foreign keys (deleting a user or a team must not touch the log), indexes for the page's filters.</summary>
internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.ToTable("AuditEvents");
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.Actor).HasMaxLength(AuditEvent.MaxFieldLength);
        b.Property(x => x.ActorId).HasMaxLength(64);
        b.Property(x => x.Channel).HasMaxLength(16);
        b.Property(x => x.Address).HasMaxLength(64);
        b.Property(x => x.TargetType).HasMaxLength(32);
        b.Property(x => x.Target).HasMaxLength(AuditEvent.MaxFieldLength);
        b.Property(x => x.Details).HasMaxLength(AuditEvent.MaxDetailsLength);
        b.HasIndex(x => x.At);                              // newest first, time range
        b.HasIndex(x => new { x.Action, x.At });            // one kind of action
        b.HasIndex(x => x.ActorId);                         // what one person did
    }
}

/// <summary>The triggers that make AuditEvents append-only in the database itself, whatever client writes to it.</summary>
public static class AuditTriggers
{
    public const string Message = "audit events are append-only";

    public static readonly string[] Sqlite =
    [
        $"CREATE TRIGGER \"AuditEvents_NoUpdate\" BEFORE UPDATE ON \"AuditEvents\" BEGIN SELECT RAISE(ABORT, '{Message}'); END;",
        $"CREATE TRIGGER \"AuditEvents_NoDelete\" BEFORE DELETE ON \"AuditEvents\" BEGIN SELECT RAISE(ABORT, '{Message}'); END;",
    ];

    public static readonly string[] SqliteDown =
    [
        "DROP TRIGGER IF EXISTS \"AuditEvents_NoUpdate\";",
        "DROP TRIGGER IF EXISTS \"AuditEvents_NoDelete\";",
    ];

    public static readonly string[] Postgres =
    [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
        $"RAISE EXCEPTION '{Message}' USING ERRCODE = 'insufficient_privilege'; END $$;",
        "CREATE TRIGGER \"AuditEvents_NoUpdateDelete\" BEFORE UPDATE OR DELETE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();",
        "CREATE TRIGGER \"AuditEvents_NoTruncate\" BEFORE TRUNCATE ON \"AuditEvents\" FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();",
    ];

    public static readonly string[] PostgresDown =
    [
        "DROP TRIGGER IF EXISTS \"AuditEvents_NoTruncate\" ON \"AuditEvents\";",
        "DROP TRIGGER IF EXISTS \"AuditEvents_NoUpdateDelete\" ON \"AuditEvents\";",
        "DROP FUNCTION IF EXISTS audit_events_append_only();",
    ];
}
