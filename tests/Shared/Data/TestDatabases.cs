using Microsoft.Data.Sqlite;
using Npgsql;

namespace Triage.Testing;

/// <summary>
/// Real databases for tests, never mocks: a fresh SQLite file, or a fresh database on the throwaway PostgreSQL server
/// that the test command starts (TRIAGE_TEST_POSTGRES). PostgreSQL tests fail when that server is missing.
/// </summary>
public static class TestDatabases
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Both providers, for [Theory] [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))].</summary>
    public static TheoryData<string> Providers => new() { Sqlite, Postgres };

    private static readonly string SqliteDir = Path.Combine(Path.GetTempPath(), "triage-tests");

    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("TRIAGE_TEST_POSTGRES")
        ?? throw new InvalidOperationException("TRIAGE_TEST_POSTGRES is not set: run the tests with .ci/test.sh, which starts a throwaway PostgreSQL.");

    public static string New(string provider) => provider switch
    {
        Sqlite => NewSqlite(),
        Postgres => NewPostgres(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    public static string NewSqlite()
    {
        Directory.CreateDirectory(SqliteDir);
        return $"Data Source={Path.Combine(SqliteDir, $"t-{Guid.NewGuid():N}.db")}";
    }

    public static string NewPostgres()
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgresAdmin);
        var name = $"t_{Guid.NewGuid():N}";
        using (var conn = new NpgsqlConnection(admin.ToString()))
        {
            conn.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            cmd.ExecuteNonQuery();
        }
        admin.Database = name;
        return admin.ToString();
    }

    /// <summary>Releases pooled SQLite connections so a test file can be deleted.</summary>
    public static void ClearPools()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }
}
