using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Triage.Data.Import;

/// <summary>
/// The bulk path of an import: one connection, one transaction, provider-specific fast inserts behind one small
/// surface (STYLE.md habit 7). SQLite uses prepared statements (≈390k rows/s measured here vs ≈50k for EF);
/// PostgreSQL uses binary COPY (≈190k rows/s vs ≈30k). Ids are allocated up front so rows can reference each other.
/// Imports are serialised: SQLite by its single writer (BEGIN IMMEDIATE), PostgreSQL by an advisory lock, so lookups
/// made inside the transaction stay true until it commits.
/// </summary>
internal abstract class ImportStore : IAsyncDisposable
{
    protected ImportStore(DbConnection connection, DbTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    protected DbConnection Connection { get; }
    protected DbTransaction Transaction { get; }

    public abstract DatabaseProvider Provider { get; }

    /// <summary>The largest memory map SQLite allows (its compiled SQLITE_MAX_MMAP_SIZE): the whole file, up to 2 GiB.</summary>
    internal const long MmapBytes = 0x7FFF0000;

    /// <summary>The import connection's page cache (ADR 102): a quarter of the database file, at least 16 MiB (a new or
    /// small file: what a large first import writes is not held twice) and at most 256 MiB. The index pages a group of
    /// imports dirties in a large file are spread over all of it; a cache smaller than them spills them to the log in the
    /// middle of the transaction and reads them back.</summary>
    internal static long CacheKiB(long fileBytes) => Math.Clamp(fileBytes / 4 / 1024, MinCacheKiB, MaxCacheKiB);

    internal const long MinCacheKiB = 16 << 10;
    internal const long MaxCacheKiB = 256 << 10;

    /// <summary>The size of a SQLite connection's main database file, 0 for a new or in-memory one.</summary>
    private static long FileBytes(SqliteConnection conn)
    {
        var path = conn.DataSource;
        if (string.IsNullOrEmpty(path) || path == ":memory:") return 0;
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return 0;
        }
    }

    /// <summary>The import connections' PostgreSQL settings: statements an import runs again and again (the per-row updates
    /// of a rescan, sent in batches; the key lookups) are prepared on the server once per connection, after their second use,
    /// instead of parsed and planned per row. A connection string that sets <c>Max Auto Prepare</c> itself keeps its value.
    /// The import connections get a pool of their own (another connection string), so the web app's queries are unaffected.</summary>
    internal static string PreparedStatements(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (b.MaxAutoPrepare > 0) return connectionString;
        b.MaxAutoPrepare = AutoPrepared;
        b.AutoPrepareMinUsages = 2;
        return b.ToString();
    }

    /// <summary>How many statements an import connection keeps prepared: an import runs a few dozen distinct ones.</summary>
    internal const int AutoPrepared = 100;

    public static async Task<ImportStore> BeginAsync(string connectionString, CancellationToken ct)
    {
        var cs = TriageDatabase.Normalize(connectionString);
        switch (TriageDatabase.DetectProvider(cs))
        {
            case DatabaseProvider.Sqlite:
            {
                var conn = new SqliteConnection(cs);
                await conn.OpenAsync(ct);
                await using (var pragma = conn.CreateCommand())
                {
                    // synchronous=NORMAL: durable enough in WAL mode (a crash loses at most the last commit, never consistency).
                    // cache_size: a quarter of the file, 16 to 256 MiB (CacheKiB, ADR 102).
                    // foreign_keys=OFF on this connection only: the importer inserts parents before children with ids it
                    // allocated itself, so the per-row checks buy nothing here (PostgreSQL still enforces them on the same path).
                    // wal_autocheckpoint: the log is checkpointed after the commit on another thread (SqliteCheckpointer); this
                    // connection only does it itself past the backstop. journal_size_limit: the log file shrinks back after.
                    // mmap_size: a page this connection's cache does not hold is read from the operating system's cache through a
                    // memory map instead of one read() call per page. An import's lookups and index inserts land on pages all over
                    // a large file; at the end of the dedup benchmark (a 1 GB file) this took the whole run from 157 to 134 s and
                    // its system time from 49 to 35 s (docs/benchmarks.md, ADR 098). Writes still go through the journal. A
                    // mapped page counts in the process's resident set, but it is the OS's page cache: shared, and given back
                    // under memory pressure.
                    pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{CacheKiB(FileBytes(conn))}; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF; " +
                                         $"PRAGMA wal_autocheckpoint={SqliteCheckpointer.WriterBackstopPages}; PRAGMA journal_size_limit={64 << 20}; " +
                                         $"PRAGMA mmap_size={MmapBytes};";
                    await pragma.ExecuteNonQueryAsync(ct);
                }
                var tx = conn.BeginTransaction(deferred: false);
                SqlProfile.Attach(conn.Handle!); // TRIAGE_SQL_PROFILE=1: time per statement, printed at exit
                return new SqliteImportStore(conn, tx);
            }
            case DatabaseProvider.PostgreSql:
            {
                var conn = new NpgsqlConnection(PreparedStatements(cs));
                await conn.OpenAsync(ct);
                var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7425001)", conn, tx))
                    await cmd.ExecuteNonQueryAsync(ct);
                return new PostgresImportStore(conn, tx);
            }
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Reserves <paramref name="count"/> ids for <paramref name="table"/>.</summary>
    public abstract Task<long[]> AllocateIdsAsync(string table, int count, CancellationToken ct);

    /// <summary>Inserts rows with explicit ids. Values are in <paramref name="columns"/> order.</summary>
    public abstract Task InsertAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct);

    /// <summary>Runs a statement once per row (updates, upserts). Parameters are named @p0…@pN in row order.</summary>
    public virtual async Task ExecuteForEachAsync(string sql, int parameterCount, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var cmd = Connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = sql;
        var ps = new DbParameter[parameterCount];
        for (var i = 0; i < parameterCount; i++)
        {
            ps[i] = cmd.CreateParameter();
            ps[i].ParameterName = "@p" + i;
            cmd.Parameters.Add(ps[i]);
        }
        await PrepareAsync(cmd, rows[0], ps, ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < parameterCount; i++) ps[i].Value = ToDb(row[i]);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The placeholder of value <paramref name="n"/> (from 0) of <see cref="ExecuteValuesAsync"/>.</summary>
    public virtual string Placeholder(int n) => "@p" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs a statement with many values (a VALUES list of rows), written with <see cref="Placeholder"/>.</summary>
    public virtual Task ExecuteValuesAsync(string sql, object?[] values, CancellationToken ct) => ExecuteAsync(sql, ct, values);

    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(sql, args);
        var v = await cmd.ExecuteScalarAsync(ct);
        if (v is null or DBNull) return default;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(v, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct)) list.Add(map(r));
        return list;
    }

    /// <summary>Runs <paramref name="sqlWithKeys"/> (containing "{keys}" where an IN-list belongs) for all the keys in one
    /// statement with one parameter: SQLite reads a JSON array through json_each, PostgreSQL an array.</summary>
    public async Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct)
        where TKey : notnull
    {
        var result = new List<T>();
        if (keys.Count == 0) return result;
        await using var cmd = Connection.CreateCommand();
        cmd.Transaction = Transaction;
        var p = cmd.CreateParameter();
        p.ParameterName = "@keys";
        p.Value = KeysParameter(keys);
        cmd.Parameters.Add(p);
        cmd.CommandText = sqlWithKeys.Replace("{keys}", KeysExpression, StringComparison.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result.Add(map(r));
        return result;
    }

    /// <summary>Runs a <c>DELETE … WHERE "Id" IN ({keys}) … RETURNING "Id"</c> for all the keys in one statement (as
    /// <see cref="QueryByKeysAsync"/>), with further parameters @p0…; returns the ids it deleted.</summary>
    public async Task<List<long>> DeleteByKeysAsync(string sqlWithKeys, IReadOnlyCollection<long> keys, CancellationToken ct, params object?[] args)
    {
        var result = new List<long>();
        if (keys.Count == 0) return result;
        await using var cmd = Command(sqlWithKeys.Replace("{keys}", KeysExpression, StringComparison.Ordinal), args);
        var p = cmd.CreateParameter();
        p.ParameterName = "@keys";
        p.Value = KeysParameter(keys);
        cmd.Parameters.Add(p);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result.Add(r.GetInt64(0));
        return result;
    }

    /// <summary>The SQL that stands for the key list, given one parameter @keys.</summary>
    protected abstract string KeysExpression { get; }

    protected abstract object KeysParameter<TKey>(IReadOnlyCollection<TKey> keys) where TKey : notnull;

    public virtual Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <summary>The identity cache of this connection (<see cref="SqliteIdentityCache"/>), checked against the file on first
    /// use in this transaction; null where there is none (PostgreSQL, a store over someone else's transaction). A caller
    /// that uses it must keep it in step with every write it makes to the identity tables.</summary>
    internal virtual SqliteIdentityCache? UseIdentityCache() => null;

    /// <summary>Empties the identity cache after a rollback to a savepoint (rows it learnt may be gone).</summary>
    internal virtual void ForgetIdentities() { }

    protected DbCommand Command(string sql, object?[] args)
    {
        var cmd = Connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i;
            p.Value = ToDb(args[i]);
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    protected virtual Task PrepareAsync(DbCommand cmd, object?[] firstRow, DbParameter[] ps, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Values as both providers store them: enums as integers, lists as JSON text, nulls as DBNull; on PostgreSQL,
    /// text escaped so NUL survives (<see cref="Configuration.PostgresText"/>).</summary>
    internal object ToDb(object? v) => v switch
    {
        null => DBNull.Value,
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture),
        List<string> l => Text(Configuration.StringListJsonConverter.Serialize(l)),
        string s => Text(s),
        _ => v,
    };

    protected virtual string Text(string s) => s;

    /// <summary>Reads a text column as stored by <see cref="Text"/>.</summary>
    public virtual string Str(DbDataReader r, int ordinal) => r.GetString(ordinal);

    /// <summary>False for a store over a connection and transaction someone else owns (<see cref="Over"/>).</summary>
    protected bool OwnsConnection { get; init; } = true;

    /// <summary>A store that writes through an open connection and its transaction (an EF context's), and leaves both to
    /// their owner when disposed.</summary>
    public static ImportStore Over(DbConnection connection, DbTransaction transaction) => connection switch
    {
        SqliteConnection sqlite => new SqliteImportStore(sqlite, (SqliteTransaction)transaction) { OwnsConnection = false },
        NpgsqlConnection npgsql => new PostgresImportStore(npgsql, (NpgsqlTransaction)transaction) { OwnsConnection = false },
        _ => throw new ArgumentException($"unsupported connection {connection.GetType().Name}", nameof(connection)),
    };

    public async ValueTask DisposeAsync()
    {
        if (!OwnsConnection) return;
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

internal sealed class SqliteImportStore(SqliteConnection connection, SqliteTransaction transaction) : ImportStore(connection, transaction)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override string KeysExpression => "SELECT value FROM json_each(@keys)";

    private SqliteIdentityCache? _identities;

    internal override SqliteIdentityCache? UseIdentityCache()
    {
        if (!OwnsConnection) return null;
        if (_identities is null)
        {
            var db = ((SqliteConnection)Connection).Handle!;
            _identities = SqliteIdentityCache.For(db);
            _identities.Begin(db);
        }
        return _identities;
    }

    internal override void ForgetIdentities() => _identities?.Clear();

    public override async Task CommitAsync(CancellationToken ct)
    {
        await Transaction.CommitAsync(ct);
        _identities?.Committed(((SqliteConnection)Connection).Handle!);
    }

    protected override object KeysParameter<TKey>(IReadOnlyCollection<TKey> keys) =>
        keys is IReadOnlyCollection<string> strings
            ? System.Text.Json.JsonSerializer.Serialize(strings, Configuration.DataJson.Default.IReadOnlyCollectionString)
            : "[" + string.Join(',', keys.Select(k => Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture))) + "]";

    public override async Task<long[]> AllocateIdsAsync(string table, int count, CancellationToken ct)
    {
        // Safe under BEGIN IMMEDIATE: no other writer can insert until this transaction ends.
        var max = await ScalarAsync<long>($"SELECT COALESCE(MAX(\"Id\"), 0) FROM \"{table}\"", ct);
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = max + 1 + i;
        return ids;
    }

    /// <summary>Inserts through SQLite's C API with typed binds: Microsoft.Data.Sqlite's per-parameter binding dominated
    /// the import profile. Text is bound with its byte length, so strings with NUL characters are stored whole.</summary>
    public override Task InsertAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var db = ((SqliteConnection)Connection).Handle!;
        var sql = $"INSERT INTO \"{table}\" ({string.Join(',', columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(',', columns.Select(_ => "?"))})";
        Check(db, SQLitePCL.raw.sqlite3_prepare_v2(db, sql, out var stmt));
        using (stmt) StepEach(db, stmt, rows, index: null, ct);
        return Task.CompletedTask;
    }

    /// <summary>Binds each row (value i to parameter <paramref name="index"/>[i], or to i + 1) and steps the statement.</summary>
    private static void StepEach(SQLitePCL.sqlite3 db, SQLitePCL.sqlite3_stmt stmt, IReadOnlyList<object?[]> rows, int[]? index, CancellationToken ct)
    {
        var buffer = new byte[4096];
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < (index?.Length ?? row.Length); i++) Bind(db, stmt, index?[i] ?? i + 1, row[i], ref buffer);
            var rc = SQLitePCL.raw.sqlite3_step(stmt);
            if (rc != SQLitePCL.raw.SQLITE_DONE) Check(db, rc);
            SQLitePCL.raw.sqlite3_reset(stmt);
        }
    }

    /// <summary>Numbered placeholders bound by position through the C API: Microsoft.Data.Sqlite binds each named
    /// parameter by looking its name up among all of the statement's, which for a VALUES list of thousands of values
    /// cost more than the statement itself.</summary>
    public override string Placeholder(int n) => "?" + (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override Task ExecuteValuesAsync(string sql, object?[] values, CancellationToken ct)
    {
        var db = ((SqliteConnection)Connection).Handle!;
        Check(db, SQLitePCL.raw.sqlite3_prepare_v2(db, sql, out var stmt));
        using (stmt) StepEach(db, stmt, [values], index: null, ct);
        return Task.CompletedTask;
    }

    /// <summary>The same C-API path as <see cref="InsertAsync"/> for statements run once per row (a rescan's updates,
    /// alias assertions): Microsoft.Data.Sqlite's parameter binding cost more than SQLite's work per row.</summary>
    public override Task ExecuteForEachAsync(string sql, int parameterCount, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var db = ((SqliteConnection)Connection).Handle!;
        Check(db, SQLitePCL.raw.sqlite3_prepare_v2(db, sql, out var stmt));
        using (stmt)
        {
            var index = new int[parameterCount];
            for (var i = 0; i < parameterCount; i++)
            {
                index[i] = SQLitePCL.raw.sqlite3_bind_parameter_index(stmt, "@p" + i);
                if (index[i] == 0) throw new ArgumentException($"the statement has no parameter @p{i}: {sql}");
            }
            StepEach(db, stmt, rows, index, ct);
        }
        return Task.CompletedTask;
    }

    private static void Bind(SQLitePCL.sqlite3 db, SQLitePCL.sqlite3_stmt stmt, int index, object? value, ref byte[] buffer)
    {
        var rc = value switch
        {
            null => SQLitePCL.raw.sqlite3_bind_null(stmt, index),
            string s => BindText(stmt, index, s, ref buffer),
            long l => SQLitePCL.raw.sqlite3_bind_int64(stmt, index, l),
            int n => SQLitePCL.raw.sqlite3_bind_int64(stmt, index, n),
            bool b => SQLitePCL.raw.sqlite3_bind_int64(stmt, index, b ? 1 : 0),
            double d => SQLitePCL.raw.sqlite3_bind_double(stmt, index, d),
            // Same text form Microsoft.Data.Sqlite and EF Core use, so EF reads and compares these values.
            DateTime t => BindDateTime(stmt, index, t),
            byte[] bytes => SQLitePCL.raw.sqlite3_bind_blob(stmt, index, bytes),
            Enum e => SQLitePCL.raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture)),
            List<string> list => BindJsonList(stmt, index, list),
            _ => throw new ArgumentException($"cannot store a {value.GetType().Name}"),
        };
        Check(db, rc);
    }

    /// <summary>A date as the text Microsoft.Data.Sqlite and EF Core write ("yyyy-MM-dd HH:mm:ss.FFFFFFF"), straight to
    /// UTF-8: an import binds two or three dates per row, and formatting each through a string cost ~2 µs and 80 bytes.</summary>
    private static int BindDateTime(SQLitePCL.sqlite3_stmt stmt, int index, DateTime t)
    {
        Span<byte> text = stackalloc byte[SqliteDateText.MaxLength];
        return SQLitePCL.raw.sqlite3_bind_text(stmt, index, text[..SqliteDateText.Format(t, text)]);
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_json;
    [ThreadStatic] private static System.Text.Json.Utf8JsonWriter? t_jsonWriter;

    /// <summary>A string list as its JSON array text, written straight to UTF-8 (same text as the EF value converter).</summary>
    private static int BindJsonList(SQLitePCL.sqlite3_stmt stmt, int index, List<string> list)
    {
        if (list.Count == 0) return SQLitePCL.raw.sqlite3_bind_text(stmt, index, "[]");
        var buffer = t_json ??= new System.Buffers.ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var w = t_jsonWriter ??= new System.Text.Json.Utf8JsonWriter(buffer);
        w.Reset(buffer);
        w.WriteStartArray();
        foreach (var item in list) w.WriteStringValue(item);
        w.WriteEndArray();
        w.Flush();
        return SQLitePCL.raw.sqlite3_bind_text(stmt, index, buffer.WrittenSpan);
    }

    private static int BindText(SQLitePCL.sqlite3_stmt stmt, int index, string s, ref byte[] buffer)
    {
        if (s.Length == 0) return SQLitePCL.raw.sqlite3_bind_text(stmt, index, string.Empty);
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > buffer.Length) buffer = new byte[Math.Max(max, buffer.Length * 2)];
        var n = System.Text.Encoding.UTF8.GetBytes(s, buffer);
        // SQLITE_TRANSIENT (the default of this overload): SQLite copies the bytes, so the buffer can be reused.
        return SQLitePCL.raw.sqlite3_bind_text(stmt, index, buffer.AsSpan(0, n));
    }

    private static void Check(SQLitePCL.sqlite3 db, int rc)
    {
        if (rc is SQLitePCL.raw.SQLITE_OK or SQLitePCL.raw.SQLITE_DONE or SQLitePCL.raw.SQLITE_ROW) return;
        throw new SqliteException(SQLitePCL.raw.sqlite3_errmsg(db).utf8_to_string(), rc, SQLitePCL.raw.sqlite3_extended_errcode(db));
    }
}

internal sealed class PostgresImportStore(NpgsqlConnection connection, NpgsqlTransaction transaction) : ImportStore(connection, transaction)
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override string KeysExpression => "SELECT unnest(@keys)";

    protected override string Text(string s) => Configuration.PostgresText.Encode(s);

    protected override object KeysParameter<TKey>(IReadOnlyCollection<TKey> keys) =>
        keys is IReadOnlyCollection<string> strings ? strings.Select(Configuration.PostgresText.Encode).ToArray() : keys.ToArray();

    public override string Str(DbDataReader r, int ordinal) => Configuration.PostgresText.Decode(r.GetString(ordinal));

    private NpgsqlConnection Npgsql => (NpgsqlConnection)Connection;

    public override async Task<long[]> AllocateIdsAsync(string table, int count, CancellationToken ct)
    {
        if (count == 0) return [];
        var ids = await QueryAsync(
            $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'Id')) FROM generate_series(1, @p0)",
            r => r.GetInt64(0), ct, count);
        return [.. ids];
    }

    /// <summary>Statements run once per row go to the server in batches (one round trip per batch, not per row): a rescan
    /// of 500 findings made about 2,000 round trips here (finding and observation updates, alias assertions, packages
    /// seen again), which cost more than the work itself.</summary>
    public override async Task ExecuteForEachAsync(string sql, int parameterCount, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var positional = Positional(sql, parameterCount);
        for (var start = 0; start < rows.Count; start += BatchRows)
        {
            await using var batch = new NpgsqlBatch(Npgsql, (NpgsqlTransaction)Transaction);
            for (var r = start; r < Math.Min(rows.Count, start + BatchRows); r++)
            {
                var command = new NpgsqlBatchCommand(positional);
                for (var i = 0; i < parameterCount; i++) command.Parameters.Add(new NpgsqlParameter { Value = ToDb(rows[r][i]) });
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Rows per batch: large enough that round trips no longer count, small enough to keep the batch's
    /// parameters (a few MiB at most) out of the way of memory limits.</summary>
    internal const int BatchRows = 500;

    /// <summary><paramref name="sql"/> with @p0…@pN written as PostgreSQL's $1…$N+1 (batch commands take positional
    /// parameters only).</summary>
    internal static string Positional(string sql, int parameterCount)
    {
        var result = sql;
        // Highest first, so @p1 never rewrites the front of @p10.
        for (var i = parameterCount - 1; i >= 0; i--)
        {
            var name = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!result.Contains(name, StringComparison.Ordinal)) throw new ArgumentException($"the statement has no parameter {name}: {sql}");
            result = result.Replace(name, "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        return result;
    }

    /// <summary>Binary COPY with each column's type fixed once (from its first non-null value) and synchronous writes:
    /// resolving the type of every boxed value, and an await per value, dominated the PostgreSQL import profile.</summary>
    public override Task InsertAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var types = new NpgsqlTypes.NpgsqlDbType[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            var sample = rows.Select(r => r[c]).FirstOrDefault(v => v is not null);
            types[c] = sample switch
            {
                null => NpgsqlTypes.NpgsqlDbType.Text,
                long => NpgsqlTypes.NpgsqlDbType.Bigint,
                int or Enum => NpgsqlTypes.NpgsqlDbType.Integer,
                bool => NpgsqlTypes.NpgsqlDbType.Boolean,
                double => NpgsqlTypes.NpgsqlDbType.Double,
                DateTime => NpgsqlTypes.NpgsqlDbType.TimestampTz,
                byte[] => NpgsqlTypes.NpgsqlDbType.Bytea,
                _ => NpgsqlTypes.NpgsqlDbType.Text,
            };
        }
        var copy = $"COPY \"{table}\" ({string.Join(',', columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)";
        using var writer = Npgsql.BeginBinaryImport(copy);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            writer.StartRow();
            for (var c = 0; c < row.Length; c++)
            {
                switch (row[c])
                {
                    case null: writer.WriteNull(); break;
                    case string s: writer.Write(Configuration.PostgresText.Encode(s), types[c]); break;
                    case long l: writer.Write(l, types[c]); break;
                    case int i: writer.Write(i, types[c]); break;
                    case bool b: writer.Write(b, types[c]); break;
                    case double d: writer.Write(d, types[c]); break;
                    case DateTime t: writer.Write(t, types[c]); break;
                    case byte[] bytes: writer.Write(bytes, types[c]); break;
                    case Enum e: writer.Write(Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture), types[c]); break;
                    case List<string> list: writer.Write(Configuration.PostgresText.Encode(Configuration.StringListJsonConverter.Serialize(list)), types[c]); break;
                    default: throw new ArgumentException($"cannot store a {row[c]!.GetType().Name}");
                }
            }
        }
        writer.Complete();
        return Task.CompletedTask;
    }
}
