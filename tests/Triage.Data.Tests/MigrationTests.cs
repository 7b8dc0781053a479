using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Triage.Testing;

namespace Triage.Data.Tests;

public class MigrationTests
{
    [Fact]
    public void SqliteSchemaScript_IsWhatEfGeneratesForTheMigrations()
    {
        using var db = TriageDatabase.CreateContext(TestDatabases.NewSqlite());
        var generated = db.GetService<IMigrator>().GenerateScript();
        Assert.True(Normalize(generated) == Normalize(TriageDatabase.SqliteSchemaScript()),
            "src/Triage.Data/Migrations/Sqlite/schema.sql is out of date. Regenerate it: cd src/Triage.Data && " +
            "dotnet ef migrations script --context SqliteTriageDbContext -o Migrations/Sqlite/schema.sql");
    }

    [Fact]
    public async Task NewSqliteFile_FromTheScript_HasTheSchemaEfMigrationsCreate()
    {
        var viaScript = TestDatabases.NewSqlite();
        await TriageDatabase.EnsureMigratedAsync(viaScript);
        var viaEf = TestDatabases.NewSqlite();
        await TriageDatabase.MigrateAsync(viaEf);

        Assert.Equal(Schema(viaEf), Schema(viaScript));
        await using var db = TriageDatabase.CreateContext(viaScript);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task NewSqliteFile_TakesItsFirstImportWithoutWal_ThenIsInWalMode()
    {
        var cs = TestDatabases.NewSqlite();
        Assert.True(await TriageDatabase.EnsureMigratedForBulkLoadAsync(cs));
        Assert.Equal("delete", JournalMode(cs));

        var summary = await new Triage.Data.Import.ReportImporter(cs).StoreAsync(
            Core.Identity.ImportPlan.Build(new ReportBuilder(Core.Domain.ScannerKind.Trivy).Claim("CVE-2024-0001", "deb", "zlib1g", "1.2.13", Core.Domain.Severity.High).Build(), null, "r.json"),
            "r.json", new string('a', 64), [1], 1, new Triage.Data.Import.ImportOptions());

        Assert.Equal(1, summary.Findings);
        Assert.Equal("wal", JournalMode(cs));
        Assert.False(await TriageDatabase.EnsureMigratedForBulkLoadAsync(cs));
    }

    [Fact]
    public async Task AFileLeftInRollbackMode_ByAnImportThatStopped_IsSwitchedToWal()
    {
        var cs = TestDatabases.NewSqlite();
        Assert.True(await TriageDatabase.EnsureMigratedForBulkLoadAsync(cs));
        // The import stopped before switching; later another process (the web app) opens the file. The same file under
        // another spelling of its connection string stands for that process here: this one remembers the first spelling.
        Assert.Equal("delete", JournalMode(cs));
        SqliteConnection.ClearAllPools(); // this process's connections end as a process's would
        await TriageDatabase.EnsureMigratedAsync(cs + ";Default Timeout=31");
        Assert.Equal("wal", JournalMode(cs));
    }

    private static string JournalMode(string cs)
    {
        // Not pooled: an idle pooled connection would keep the file open, and SQLite then keeps the journal mode.
        using var conn = new SqliteConnection(cs + ";Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        return (string)cmd.ExecuteScalar()!;
    }

    private static List<string> Schema(string cs)
    {
        using var conn = new SqliteConnection(cs);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name <> '__EFMigrationsLock' ORDER BY type, name";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add($"{r.GetString(0)} {r.GetString(1)} {(r.IsDBNull(2) ? "" : r.GetString(2))}");
        return rows;
    }

    private static string Normalize(string s) => s.Replace("\uFEFF", "", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
