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
