using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Data.Audit;
using Triage.Testing;

namespace Triage.Data.Tests.Audit;

/// <summary>The audit log is append-only in the database itself, on both providers: whatever client tries, no row changes.</summary>
public class AuditLogTests
{
    private static readonly AuditActor Alice = new("alice@example.test", "u-1", AuditChannels.Web, "127.0.0.1");

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Append_ThenUpdateOrDelete_IsRefusedByTheDatabase(string provider)
    {
        var cs = TestDatabases.New(provider);
        var log = new AuditLog(cs);
        var e = await log.AppendAsync(Alice, AuditActions.TokenCreated, "token", "trg_abcdefgh", "scopes: read");

        await using (var db = TriageDatabase.CreateContext(cs))
        {
            var row = await db.AuditEvents.SingleAsync(x => x.Id == e.Id);
            row.Actor = "mallory@example.test";
            var update = await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Contains(AuditTriggers.Message, update.ToString());
        }
        await using (var db = TriageDatabase.CreateContext(cs))
        {
            var delete = await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEvents.ExecuteDeleteAsync());
            Assert.Contains(AuditTriggers.Message, delete.ToString());
            var raw = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvents\" SET \"Details\" = 'x'"));
            Assert.Contains(AuditTriggers.Message, raw.ToString());
        }
        if (provider == TestDatabases.Postgres)
        {
            await using var db = TriageDatabase.CreateContext(cs);
            var truncate = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE \"AuditEvents\""));
            Assert.Contains(AuditTriggers.Message, truncate.ToString());
        }

        var rows = await log.QueryAsync(new AuditQuery());
        var only = Assert.Single(rows);
        Assert.Equal("alice@example.test", only.Actor);
        Assert.Equal(DateTimeKind.Utc, only.At.Kind);
    }

    /// <summary>Append writes with plain SQL (no EF model), and the EF-based reads see exactly what was written, on both
    /// providers: private-use characters that PostgreSQL's text escaping uses survive, the time keeps its milliseconds.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Append_WrittenWithoutEf_ReadsBackThroughTheModel(string provider)
    {
        var log = new AuditLog(TestDatabases.New(provider));
        var first = await log.AppendAsync(Alice, AuditActions.ReportImported, "scan", "registry.example/a:1", "x\uE000y\uE001z", succeeded: false);
        var second = await log.AppendAsync(AuditActor.Cli(), AuditActions.ReportRejected, null, null);

        Assert.True(second.Id > first.Id);
        var rows = await log.QueryAsync(new AuditQuery());
        Assert.Equal([second.Id, first.Id], rows.Select(r => r.Id));
        var read = rows[1];
        Assert.Equal(("x\uE000y\uE001z", "registry.example/a:1", "scan", "u-1", "127.0.0.1", false),
            (read.Details, read.Target, read.TargetType, read.ActorId, read.Address, read.Succeeded));
        Assert.Equal(first.At, read.At);
        Assert.Null(rows[0].Target);
    }

    [Fact]
    public void AuditLog_HasNoUpdateOrDeleteMethod()
    {
        var verbs = new[] { "Update", "Delete", "Remove", "Clear", "Truncate", "Purge", "Edit" };
        var methods = typeof(AuditLog).GetMethods().Select(m => m.Name).ToList();
        Assert.DoesNotContain(methods, m => verbs.Any(v => m.Contains(v, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Query_FiltersByActionPrefixAndActor_NewestFirst_ControlCharactersCut()
    {
        var log = new AuditLog(TestDatabases.NewSqlite());
        await log.AppendAsync(Alice, AuditActions.VexImported, "vex-document", "a.json");
        await log.AppendAsync(Alice, AuditActions.VexExported, "vex-export", "b.json");
        await log.AppendAsync(Alice with { Name = "bob\r\nforged line" }, AuditActions.ReportImported, "scan", new string('x', 5000));

        var vex = await log.QueryAsync(new AuditQuery { Action = "vex." });
        Assert.Equal([AuditActions.VexExported, AuditActions.VexImported], vex.Select(v => v.Action));
        var bob = Assert.Single(await log.QueryAsync(new AuditQuery { Actor = "bob" }));
        Assert.DoesNotContain('\n', bob.Actor);
        Assert.Equal(AuditEvent.MaxFieldLength, bob.Target!.Length);
        Assert.StartsWith("'=", AuditLog.Csv("=cmd|' /C calc'!A0"));
    }
}
