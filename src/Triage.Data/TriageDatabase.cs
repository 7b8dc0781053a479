using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Triage.Data;

/// <summary>Connection strings, providers and migrations: one place that knows "Data Source=…" is SQLite and
/// "Host=…" is PostgreSQL.</summary>
public static class TriageDatabase
{
    /// <summary>The embedded default: SQLite in data/triage.db under the working directory.</summary>
    public const string DefaultConnectionString = "Data Source=data/triage.db";

    public static DatabaseProvider DetectProvider(string connectionString)
    {
        var s = connectionString.TrimStart();
        if (s.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || s.StartsWith("Server=", StringComparison.OrdinalIgnoreCase)
            || s.Contains(";Host=", StringComparison.OrdinalIgnoreCase) || s.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return DatabaseProvider.PostgreSql;
        if (s.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase) || s.StartsWith("DataSource=", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("Filename=", StringComparison.OrdinalIgnoreCase))
            return DatabaseProvider.Sqlite;
        throw new ArgumentException("The connection string must start with 'Data Source=' (SQLite) or 'Host=' (PostgreSQL).");
    }

    /// <summary>Normalises a connection string for its provider: SQLite gets foreign keys on and a busy timeout,
    /// and the folder of its file is created; PostgreSQL URLs become keyword strings.</summary>
    public static string Normalize(string connectionString)
    {
        switch (DetectProvider(connectionString))
        {
            case DatabaseProvider.Sqlite:
                var b = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, Pooling = true };
                if (b.DefaultTimeout < 30) b.DefaultTimeout = 30;
                if (b.DataSource is { Length: > 0 } file && file != ":memory:" && !file.StartsWith("file:", StringComparison.Ordinal))
                {
                    var dir = Path.GetDirectoryName(Path.GetFullPath(file));
                    if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                }
                return b.ToString();
            case DatabaseProvider.PostgreSql:
                if (connectionString.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
                {
                    var uri = new Uri(connectionString);
                    var userInfo = uri.UserInfo.Split(':', 2);
                    var nb = new NpgsqlConnectionStringBuilder
                    {
                        Host = uri.Host,
                        Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                        Database = uri.AbsolutePath.Trim('/'),
                        Username = Uri.UnescapeDataString(userInfo[0]),
                        Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
                    };
                    return nb.ToString();
                }
                return connectionString;
        }
        return connectionString;
    }

    /// <summary>Opens a plain ADO.NET connection of the provider the connection string names (normalised as EF's would be),
    /// for short statements that should not build the EF model.</summary>
    public static async Task<System.Data.Common.DbConnection> OpenConnectionAsync(string connectionString, CancellationToken ct = default)
    {
        var cs = Normalize(connectionString);
        System.Data.Common.DbConnection conn = DetectProvider(cs) switch
        {
            DatabaseProvider.Sqlite => new SqliteConnection(cs),
            DatabaseProvider.PostgreSql => new NpgsqlConnection(cs),
        };
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One state of the database for a read made of many queries (a listing read page by page): on SQLite a deferred
    /// transaction, whose snapshot is taken by its first read and does not hold the write lock (WAL: imports go on and
    /// commit beside it); on PostgreSQL a read-only REPEATABLE READ transaction. Dispose it to end the snapshot (it is
    /// rolled back: it wrote nothing).
    /// </summary>
    public static async Task<IAsyncDisposable> BeginSnapshotAsync(TriageDbContext db, CancellationToken ct = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(ct);
            var tx = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            await db.Database.UseTransactionAsync(tx, ct);
            return new SqliteSnapshot(db, tx);
        }
        var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await db.Database.ExecuteSqlRawAsync("SET TRANSACTION READ ONLY", ct);
        return snapshot;
    }

    /// <summary>EF does not own a transaction it was handed: this ends it and gives the connection back.</summary>
    private sealed class SqliteSnapshot(TriageDbContext db, SqliteTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.UseTransactionAsync(null);
            await tx.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    public static void Configure(DbContextOptionsBuilder builder, string connectionString)
    {
        var cs = Normalize(connectionString);
        switch (DetectProvider(cs))
        {
            case DatabaseProvider.Sqlite:
                // A list a query filters on (ids.Contains(x.Id)) goes as one JSON parameter (json_each), not EF Core 10's
                // default of one parameter per value: SQLite allows 32,766 and Microsoft.Data.Sqlite binds each by name in
                // a linear search, quadratic in the list (docs/decisions/103-sqlite-list-parameters.md).
                builder.UseSqlite(cs, o => o.MigrationsHistoryTable("__EFMigrationsHistory")
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
                break;
            case DatabaseProvider.PostgreSql:
                builder.UseNpgsql(cs);
                break;
        }
    }

    /// <summary>Creates a context of the provider the connection string names.</summary>
    public static TriageDbContext CreateContext(string connectionString) => DetectProvider(connectionString) switch
    {
        DatabaseProvider.Sqlite => new SqliteTriageDbContext(SqliteOptions(connectionString)),
        DatabaseProvider.PostgreSql => new PostgresTriageDbContext(PostgresOptions(connectionString)),
    };

    public static DbContextOptions<SqliteTriageDbContext> SqliteOptions(string connectionString)
    {
        var b = new DbContextOptionsBuilder<SqliteTriageDbContext>();
        Configure(b, connectionString);
        return b.Options;
    }

    public static DbContextOptions<PostgresTriageDbContext> PostgresOptions(string connectionString)
    {
        var b = new DbContextOptionsBuilder<PostgresTriageDbContext>();
        Configure(b, connectionString);
        return b.Options;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Migrated = new(StringComparer.Ordinal);

    /// <summary>Makes sure the database exists and is migrated. Cheap when it already is: the migration history is read
    /// with one plain query, so short CLI runs do not pay for building the EF model.</summary>
    public static async Task EnsureMigratedAsync(string connectionString, CancellationToken ct = default)
    {
        if (Migrated.ContainsKey(connectionString))
        {
            if (PendingWal.ContainsKey(connectionString)) await EnableWalAsync(connectionString, ct);
            return;
        }
        if (!await TryCreateSqliteFromScriptAsync(connectionString, ct) && !await IsUpToDateAsync(connectionString, ct))
            await MigrateAsync(connectionString, ct);
        // Also a file left in rollback-journal mode by a bulk import that stopped before it could switch (no-op otherwise).
        await EnableWalAsync(connectionString, ct);
        Migrated[connectionString] = true;
    }

    /// <summary>As <see cref="EnsureMigratedAsync"/>, for a bulk import that is about to write: a SQLite file that does not
    /// exist yet is created in rollback-journal mode, so its first (large) transaction is written once into the file instead
    /// of into the WAL and then again by the checkpoint; the importer calls <see cref="EnableWalAsync"/> after it commits.
    /// The first import is atomic either way; WAL only matters once readers (the web app) share the file.</summary>
    /// <returns>True when the file was created just now (and is not in WAL mode yet).</returns>
    public static async Task<bool> EnsureMigratedForBulkLoadAsync(string connectionString, CancellationToken ct = default)
    {
        if (Migrated.ContainsKey(connectionString)) return PendingWal.ContainsKey(connectionString);
        var created = await TryCreateSqliteFromScriptAsync(connectionString, ct);
        if (created) PendingWal[connectionString] = true;
        else if (!await IsUpToDateAsync(connectionString, ct)) await MigrateAsync(connectionString, ct);
        Migrated[connectionString] = true;
        return created;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> PendingWal = new(StringComparer.Ordinal);

    /// <summary>Switches a SQLite file to WAL so readers (the web app) and one writer (an import) do not block each other.
    /// Persistent in the file; a no-op when it is in WAL mode already.</summary>
    public static async Task EnableWalAsync(string connectionString, CancellationToken ct = default)
    {
        var cs = Normalize(connectionString);
        if (DetectProvider(cs) != DatabaseProvider.Sqlite) return;
        await using var conn = new SqliteConnection(cs);
        // SQLite leaves the mode as it is while another connection has the file open, and this process's pool keeps the
        // import's connection open: close the idle ones first.
        SqliteConnection.ClearPool(conn);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        // The mode in force is returned; if another process holds the file, the next EnsureMigratedAsync tries again.
        if (await cmd.ExecuteScalarAsync(ct) is string mode && mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
            PendingWal.TryRemove(connectionString, out _);
    }

    /// <summary>EF's generated script of every SQLite migration (Migrations/Sqlite/schema.sql), embedded.</summary>
    public static string SqliteSchemaScript()
    {
        using var s = typeof(TriageDatabase).Assembly.GetManifestResourceStream("Triage.Data.SqliteSchema.sql")
            ?? throw new InvalidOperationException("schema.sql is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>A brand-new SQLite file gets EF's own migration script in one transaction: the same schema and history rows
    /// as Migrate(), without paying for the EF model in a short CLI run. Anything else (an existing file, PostgreSQL, a
    /// race with another process) goes through EF migrations.</summary>
    private static async Task<bool> TryCreateSqliteFromScriptAsync(string connectionString, CancellationToken ct)
    {
        var cs = Normalize(connectionString);
        if (DetectProvider(cs) != DatabaseProvider.Sqlite) return false;
        var file = new SqliteConnectionStringBuilder(cs).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || File.Exists(file)) return false;
        try
        {
            await using var conn = new SqliteConnection(cs);
            await conn.OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = SqliteSchemaScript().TrimStart('\uFEFF');
            await cmd.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (SqliteException)
        {
            return false; // another process created it first: verify through the normal path
        }
    }

    /// <summary>The ids of the migrations of one provider, from the migration attributes in this assembly.</summary>
    public static IReadOnlyList<string> MigrationIds(DatabaseProvider provider)
    {
        var context = provider switch
        {
            DatabaseProvider.Sqlite => typeof(SqliteTriageDbContext),
            DatabaseProvider.PostgreSql => typeof(PostgresTriageDbContext),
        };
        return typeof(TriageDatabase).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                .OfType<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Any(a => a.ContextType == context))
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false)
                .OfType<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().FirstOrDefault()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<bool> IsUpToDateAsync(string connectionString, CancellationToken ct)
    {
        var cs = Normalize(connectionString);
        var provider = DetectProvider(cs);
        var expected = MigrationIds(provider);
        try
        {
            await using System.Data.Common.DbConnection conn = provider == DatabaseProvider.Sqlite ? new SqliteConnection(cs) : new NpgsqlConnection(cs);
            if (provider == DatabaseProvider.Sqlite)
            {
                var file = new SqliteConnectionStringBuilder(cs).DataSource;
                if (!File.Exists(file)) return false;
            }
            await conn.OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"";
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) applied.Add(r.GetString(0));
            return expected.All(applied.Contains);
        }
        catch (System.Data.Common.DbException)
        {
            return false; // no history table yet, or no database: migrate
        }
    }

    /// <summary>How long one migration statement may run.</summary>
    public static readonly TimeSpan MigrationTimeout = TimeSpan.FromHours(1);

    /// <summary>Creates the database if needed and applies pending migrations. SQLite is switched to WAL so readers
    /// (the web app) and one writer (an import) do not block each other.</summary>
    public static async Task MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        await using var db = CreateContext(connectionString);
        // A migration may backfill every finding (QueryScale does): minutes on a big database, not the 30 s of a query.
        db.Database.SetCommandTimeout(MigrationTimeout);
        await db.Database.MigrateAsync(ct);
        if (db.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
