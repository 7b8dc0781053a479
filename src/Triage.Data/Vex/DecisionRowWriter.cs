using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Triage.Core.Domain;

namespace Triage.Data.Vex;

/// <summary>Which way a decision write stores its rows.</summary>
internal enum DecisionWritePath
{
    /// <summary>Entities for a few rows, the bulk path from <see cref="DecisionRowWriter.BulkFrom"/> rows.</summary>
    Auto,
    /// <summary>EF Core's change tracker, one entity at a time.</summary>
    Entities,
    /// <summary>SQLite: one prepared command per table, reused for every row; PostgreSQL: binary COPY.</summary>
    Bulk,
}

/// <summary>
/// Appends the rows of a decision write (<see cref="Decision"/>, its <see cref="DecisionVulnerabilityId"/>s and
/// <see cref="DecisionOrigin"/>s, rewritten <see cref="EffectiveDecision"/>s) on the caller's context, connection and
/// transaction, so the write stays one transaction under <see cref="DecisionWriteLock"/> whatever the path. Two
/// implementations (STYLE.md habit 7): entities through EF Core, and the bulk path, which writes the same values because it
/// takes the columns, value converters and parameter types from the same EF model (a test compares the rows of both).
/// </summary>
internal abstract class DecisionRowWriter
{
    /// <summary>From this many rows the bulk path pays for itself: one decision on one finding (the finding page, a live
    /// session) stays a single EF insert.</summary>
    public const int BulkFrom = 16;

    public static DecisionRowWriter For(TriageDbContext db, DecisionWritePath path, int rows) =>
        path == DecisionWritePath.Bulk || (path == DecisionWritePath.Auto && rows >= BulkFrom)
            ? new BulkDecisionRowWriter(db)
            : new EntityDecisionRowWriter(db);

    /// <summary>Inserts decisions in list order; each gets its id as the database would have given it.</summary>
    public abstract Task AddDecisionsAsync(IReadOnlyList<Decision> rows, CancellationToken ct);

    /// <summary>Inserts rows whose keys are set (vulnerability ids, origins, effective decisions).</summary>
    public abstract Task AddAsync<T>(IReadOnlyList<T> rows, CancellationToken ct) where T : class;
}

/// <summary>The single path: EF Core's change tracker. Cleared after each write, so the rows are not compared again by a
/// later SaveChanges of the same context.</summary>
internal sealed class EntityDecisionRowWriter(TriageDbContext db) : DecisionRowWriter
{
    public override Task AddDecisionsAsync(IReadOnlyList<Decision> rows, CancellationToken ct) => AddAsync(rows, ct);

    public override async Task AddAsync<T>(IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        db.Set<T>().AddRange(rows);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }
}

/// <summary>
/// The bulk path, as the importer writes (docs/decisions/002-storage-and-import.md): SQLite one prepared INSERT per table
/// reused for every row; PostgreSQL binary COPY. Decision ids are reserved up front the way the database would give them
/// (SQLite: after the AUTOINCREMENT high-water mark, safe under the write lock's BEGIN IMMEDIATE; PostgreSQL: the identity
/// sequence), so dependent rows reference them without a round trip per row.
/// </summary>
internal sealed class BulkDecisionRowWriter(TriageDbContext db) : DecisionRowWriter
{
    public override async Task AddDecisionsAsync(IReadOnlyList<Decision> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var ids = await ReserveIdsAsync(TableOf<Decision>().Name, rows.Count, ct);
        for (var i = 0; i < rows.Count; i++) rows[i].Id = ids[i];
        await AddAsync(rows, ct);
    }

    public override async Task AddAsync<T>(IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        // As the entity path's SaveChanges would: the caller's pending changes are saved first, and nothing stays tracked.
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var table = TableOf<T>();
        var opened = await OpenAsync(ct);
        try
        {
            switch (db.Provider)
            {
                case DatabaseProvider.Sqlite:
                    InsertSqlite(table, rows, ct);
                    break;
                case DatabaseProvider.PostgreSql:
                    await CopyPostgresAsync(table, rows, ct);
                    break;
            }
        }
        catch (DbException e)
        {
            // As SaveChanges reports it, so callers that catch a failed write (the pages) and classify its cause (the
            // storage-fault handling searches the inner exceptions) see the same thing whichever path wrote.
            throw new DbUpdateException($"An error occurred while saving {table.Name}: {e.Message}", e);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<long[]> ReserveIdsAsync(string table, int count, CancellationToken ct)
    {
        var opened = await OpenAsync(ct);
        try
        {
            await using var cmd = Command();
            if (db.Provider == DatabaseProvider.Sqlite)
            {
                // EF lets SQLite's AUTOINCREMENT pick: above the largest id ever used (sqlite_sequence), even if deleted.
                cmd.CommandText = $"SELECT MAX(x) FROM (SELECT COALESCE(MAX(\"Id\"), 0) AS x FROM \"{table}\" " +
                                  $"UNION ALL SELECT seq FROM sqlite_sequence WHERE name = '{table}')";
                var max = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
                return Enumerable.Range(1, count).Select(i => max + i).ToArray();
            }
            cmd.CommandText = $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'Id')) FROM generate_series(1, {count})";
            var ids = new List<long>(count);
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
            ids.Sort();
            return [.. ids];
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>One INSERT prepared once and run per row: parameters are made by the columns' EF type mappings, so each
    /// value is bound exactly as SaveChanges binds it (enums as numbers, lists as JSON text, GUIDs and times as EF's text).</summary>
    private void InsertSqlite<T>(Table table, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        using var cmd = Command();
        cmd.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""))}) " +
                          $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"@p{i}"))})";
        var ps = new DbParameter[table.Columns.Length];
        for (var i = 0; i < ps.Length; i++)
        {
            var c = table.Columns[i];
            ps[i] = c.Mapping.CreateParameter(cmd, $"@p{i}", c.Read(rows[0]), c.Property.IsNullable);
            cmd.Parameters.Add(ps[i]);
        }
        cmd.Prepare();
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < ps.Length; i++) ps[i].Value = table.Columns[i].ToProvider(row) ?? DBNull.Value;
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Binary COPY with each column's wire type fixed from its EF mapping. Values go through the same converters
    /// as SaveChanges (on PostgreSQL every string is escaped by <see cref="Configuration.PostgresTextConverter"/>).
    /// A failure leaves the COPY unfinished, which fails the caller's transaction: nothing of the write is kept.</summary>
    private async Task CopyPostgresAsync<T>(Table table, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var types = table.Columns.Select(c => c.PostgresType).ToArray();
        await using var writer = await conn.BeginBinaryImportAsync(
            $"COPY \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            // Synchronous writes into the COPY buffer: an await per value cost more than the rows (as in the importer).
            writer.StartRow();
            for (var i = 0; i < types.Length; i++)
            {
                if (table.Columns[i].ToProvider(row) is { } v) writer.Write(v, types[i]);
                else writer.WriteNull();
            }
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Opens the context's connection when no transaction holds it open; true when the caller must close it.</summary>
    private async Task<bool> OpenAsync(CancellationToken ct)
    {
        if (db.Database.GetDbConnection().State == System.Data.ConnectionState.Open) return false;
        await db.Database.OpenConnectionAsync(ct);
        return true;
    }

    private DbCommand Command()
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return cmd;
    }

    private Table TableOf<T>() where T : class => Tables.GetOrAdd((db.Model, typeof(T)), static k => Table.Of(k.Model, k.Type));

    private static readonly ConcurrentDictionary<(IModel Model, Type Type), Table> Tables = new();

    /// <summary>A mapped table's columns in model order, each with its EF type mapping.</summary>
    private sealed record Table(string Name, Column[] Columns)
    {
        public static Table Of(IModel model, Type type)
        {
            var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped");
            var name = entity.GetTableName() ?? throw new InvalidOperationException($"{type.Name} has no table");
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var columns = entity.GetProperties()
                .Select(p => new Column(p, p.GetColumnName(store) ?? p.Name, (RelationalTypeMapping)p.GetRelationalTypeMapping(), p.GetGetter()))
                .ToArray();
            return new Table(name, columns);
        }
    }

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping, IClrPropertyGetter Getter)
    {
        public object? Read(object entity) => Getter.GetClrValue(entity);

        public object? ToProvider(object entity) =>
            Read(entity) is { } v ? Mapping.Converter is { } c ? c.ConvertToProvider(v) : v : null;

        /// <summary>The COPY wire type of the column's provider values.</summary>
        public NpgsqlDbType PostgresType
        {
            get
            {
                var clr = Mapping.Converter?.ProviderClrType ?? Nullable.GetUnderlyingType(Mapping.ClrType) ?? Mapping.ClrType;
                clr = Nullable.GetUnderlyingType(clr) ?? clr;
                if (clr == typeof(string)) return NpgsqlDbType.Text;
                if (clr == typeof(long)) return NpgsqlDbType.Bigint;
                if (clr == typeof(int)) return NpgsqlDbType.Integer;
                if (clr == typeof(short)) return NpgsqlDbType.Smallint;
                if (clr == typeof(bool)) return NpgsqlDbType.Boolean;
                if (clr == typeof(double)) return NpgsqlDbType.Double;
                if (clr == typeof(Guid)) return NpgsqlDbType.Uuid;
                if (clr == typeof(byte[])) return NpgsqlDbType.Bytea;
                if (clr == typeof(DateTime))
                    return Mapping.StoreType.StartsWith("timestamp with", StringComparison.OrdinalIgnoreCase) ? NpgsqlDbType.TimestampTz : NpgsqlDbType.Timestamp;
                throw new NotSupportedException($"column {Name} ({Mapping.StoreType}, {clr.Name}) has no COPY type here");
            }
        }
    }
}
