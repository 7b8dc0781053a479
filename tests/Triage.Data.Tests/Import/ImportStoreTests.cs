using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>The import connections' settings (ADR 098, ADR 099 and the comments in <see cref="ImportStore.BeginAsync"/>).</summary>
public class ImportStoreTests
{
    [Fact]
    public async Task SqliteImportConnection_ReadsThroughAMemoryMap_AndKeepsASmallCacheOnANewFile()
    {
        var conn = TestDatabases.NewSqlite();
        await TriageDatabase.MigrateAsync(conn);
        await using var store = await ImportStore.BeginAsync(conn, CancellationToken.None);
        // SQLite answers with the size in force, capped by its compiled maximum: a build without memory maps would say 0.
        Assert.Equal(ImportStore.MmapBytes, await store.ScalarAsync<long>("PRAGMA mmap_size", CancellationToken.None));
        Assert.Equal(-16384, await store.ScalarAsync<long>("PRAGMA cache_size", CancellationToken.None));
        Assert.Equal(1, await store.ScalarAsync<long>("PRAGMA synchronous", CancellationToken.None)); // NORMAL
        Assert.Equal(0, await store.ScalarAsync<long>("PRAGMA foreign_keys", CancellationToken.None));
    }

    [Fact]
    public async Task SqliteImportConnection_GrowsItsCacheWithTheFile()
    {
        var conn = TestDatabases.NewSqlite();
        await TriageDatabase.MigrateAsync(conn);
        await using (var c = new Microsoft.Data.Sqlite.SqliteConnection(conn))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE \"Filler\" (\"Bytes\" BLOB); INSERT INTO \"Filler\" VALUES (zeroblob(96 * 1024 * 1024));";
            await cmd.ExecuteNonQueryAsync();
        }
        var file = new FileInfo(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(conn).DataSource).Length;
        Assert.True(file > 96L << 20, $"the file is {file} bytes");
        await using var store = await ImportStore.BeginAsync(conn, CancellationToken.None);
        // A quarter of the file (a negative cache_size is in KiB).
        Assert.Equal(-(file / 4 / 1024), await store.ScalarAsync<long>("PRAGMA cache_size", CancellationToken.None));
    }

    [Theory]
    [InlineData(0L, 16L << 10)]                  // a new file: the floor
    [InlineData(64L << 20, 16L << 10)]           // 64 MiB: a quarter is the floor itself
    [InlineData(400L << 20, 100L << 10)]         // 400 MiB: 100 MiB
    [InlineData(1L << 30, 256L << 10)]           // 1 GiB: the ceiling
    [InlineData(8L << 30, 256L << 10)]           // past it
    public void ImportCache_IsAQuarterOfTheFile_Within16And256MiB(long fileBytes, long expectedKiB) =>
        Assert.Equal(expectedKiB, ImportStore.CacheKiB(fileBytes));

    [Fact]
    public async Task PostgresImportConnection_PreparesARepeatedStatementOnTheServer()
    {
        var conn = TestDatabases.NewPostgres();
        await TriageDatabase.MigrateAsync(conn);
        await using var store = await ImportStore.BeginAsync(conn, CancellationToken.None);
        // A per-row statement as a rescan sends it, in two batches: from its second use on it runs as a server-side prepared
        // statement, which pg_prepared_statements lists for this session.
        const string update = "UPDATE \"Repositories\" SET \"Name\" = @p0 WHERE \"Id\" = @p1";
        await store.ExecuteForEachAsync(update, 2, [["a", -1L], ["b", -2L]], CancellationToken.None);
        await store.ExecuteForEachAsync(update, 2, [["c", -3L]], CancellationToken.None);
        var prepared = await store.QueryAsync("SELECT statement FROM pg_prepared_statements", r => r.GetString(0), CancellationToken.None);
        Assert.Contains(prepared, s => s.Contains("UPDATE \"Repositories\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostgresImportStatements_AreCancelledWithTheImport()
    {
        var conn = TestDatabases.NewPostgres();
        await TriageDatabase.MigrateAsync(conn);
        // A statement and a batch that would run for 30 s (each in an import of its own: a cancelled statement ends its
        // transaction): the token cancels them on the server within moments.
        foreach (var run in new Func<ImportStore, CancellationToken, Task>[]
                 {
                     (store, t) => store.ExecuteAsync("SELECT pg_sleep(30)", t),
                     (store, t) => store.ExecuteForEachAsync("SELECT pg_sleep(@p0)", 1, [[30.0]], t),
                 })
        {
            await using var store = await ImportStore.BeginAsync(conn, CancellationToken.None);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run(store, cts.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"cancelled after {clock.Elapsed}");
        }
        // An already cancelled token runs nothing, and the import's connection still answers afterwards.
        await using (var store = await ImportStore.BeginAsync(conn, CancellationToken.None))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.QueryAsync("SELECT 1", r => r.GetInt32(0), new CancellationToken(true)));
            Assert.Equal([1], await store.QueryAsync("SELECT 1", r => r.GetInt32(0), CancellationToken.None));
        }
    }

    [Fact]
    public void PostgresImportConnectionString_TurnsOnAutoPrepare_UnlessTheOperatorChoseAValue()
    {
        var plain = new Npgsql.NpgsqlConnectionStringBuilder(ImportStore.PreparedStatements("Host=db;Database=triage;Username=t"));
        Assert.Equal(ImportStore.AutoPrepared, plain.MaxAutoPrepare);
        Assert.Equal(2, plain.AutoPrepareMinUsages);
        Assert.Equal("db", plain.Host);
        const string chosen = "Host=db;Database=triage;Username=t;Max Auto Prepare=5";
        Assert.Equal(chosen, ImportStore.PreparedStatements(chosen));
    }
}
