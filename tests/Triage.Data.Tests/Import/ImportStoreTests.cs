using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>The SQLite import connection's settings (ADR 098 and the comments in <see cref="ImportStore.BeginAsync"/>).</summary>
public class ImportStoreTests
{
    [Fact]
    public async Task SqliteImportConnection_ReadsThroughAMemoryMap_AndKeepsItsSmallCacheAndWriteSettings()
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
}
