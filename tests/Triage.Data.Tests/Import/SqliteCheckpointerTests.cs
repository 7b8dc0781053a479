using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>ADR 095: an import into a SQLite database in WAL mode has its log copied back into the database file on
/// another thread after it commits; a request never creates a database that is not there.</summary>
public class SqliteCheckpointerTests
{
    private static async Task<int> FindingsIn(string connectionString)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await db.Findings.CountAsync();
    }

    [Fact]
    public async Task ImportIntoAnExistingDatabase_ItsLogIsCopiedBackIntoTheDatabaseFile()
    {
        var conn = TestDatabases.NewSqlite();
        await TriageDatabase.MigrateAsync(conn);
        var file = new SqliteConnectionStringBuilder(conn).DataSource;
        var before = SqliteCheckpointer.Status(conn).Completed;

        var report = new ReportBuilder(ScannerKind.Trivy, "registry.example/team/app:1", "sha256:" + new string('c', 64))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low)
            .Build();
        await new ReportImporter(conn).StoreAsync(ImportPlan.Build(report, null, "r.json"), "r.json", Guid.NewGuid().ToString("N"), [1], 1, new ImportOptions());
        await SqliteCheckpointer.DrainAsync();

        var (completed, error) = SqliteCheckpointer.Status(conn);
        Assert.Null(error);
        Assert.True(completed > before);
        // The database file alone, without its log, holds the import: the checkpoint copied it back (the import's own
        // connection checkpoints only past 64 MiB of log).
        var copy = Path.Combine(Path.GetDirectoryName(file)!, $"copy-{Guid.NewGuid():N}.db");
        File.Copy(file, copy);
        try
        {
            Assert.Equal(2, await FindingsIn($"Data Source={copy};Pooling=False"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public async Task Request_ForADatabaseThatIsNotThere_DoesNotCreateIt_AndRecordsWhy()
    {
        var conn = TestDatabases.NewSqlite();
        var file = new SqliteConnectionStringBuilder(conn).DataSource;

        SqliteCheckpointer.Request(conn);
        await SqliteCheckpointer.DrainAsync();

        Assert.False(File.Exists(file));
        Assert.NotNull(SqliteCheckpointer.Status(conn).LastError);
    }
}
