using System.Data.Common;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Where the risk-input queries run: inside a write transaction (<see cref="ImportStore"/>, while scores are stored) or
/// on a page's own connection (explanations for the findings shown). One loader, two places, the same SQL.
/// On PostgreSQL every text value is read back through <see cref="Configuration.PostgresText.Decode"/>: the import path
/// and EF store strings NUL-escaped there, so what runtime code reads compares equal to what the files said.
/// </summary>
internal abstract class SqlSource
{
    public abstract DatabaseProvider Provider { get; }

    public abstract Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args);

    /// <summary>Runs <paramref name="sqlWithKeys"/> with "{keys}" replaced by an IN-list, in chunks.</summary>
    public abstract Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct)
        where TKey : notnull;

    public static SqlSource Of(ImportStore store) => new StoreSource(store);

    /// <summary>An open connection (EF's, for reads outside any import); the caller owns it. Statements run in the
    /// transaction given (a context's current one: a listing's snapshot, <see cref="TriageDatabase.BeginSnapshotAsync"/>).</summary>
    public static SqlSource Of(DbConnection connection, DatabaseProvider provider, DbTransaction? transaction = null) =>
        new ConnectionSource(connection, provider, transaction);

    /// <summary>The reader maps see: decoding on PostgreSQL, the reader itself on SQLite (which stores strings as they are).</summary>
    protected Func<DbDataReader, T> Decoded<T>(Func<DbDataReader, T> map)
    {
        if (Provider != DatabaseProvider.PostgreSql) return map;
        var reader = new PostgresTextReader();
        return r => map(reader.Over(r));
    }

    private sealed class StoreSource(ImportStore store) : SqlSource
    {
        public override DatabaseProvider Provider => store.Provider;

        public override Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args) =>
            store.QueryAsync(sql, Decoded(map), ct, args);

        public override Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct) =>
            store.QueryByKeysAsync(sqlWithKeys, keys, Decoded(map), ct);
    }

    private sealed class ConnectionSource(DbConnection connection, DatabaseProvider provider, DbTransaction? transaction) : SqlSource
    {
        public override DatabaseProvider Provider => provider;

        /// <summary>Values as <see cref="ImportStore"/> stores them (enums as integers, lists as JSON, PostgreSQL text
        /// NUL-escaped), so parameters compare equal to what the import wrote.</summary>
        private object ToDb(object? v) => v switch
        {
            null => DBNull.Value,
            Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture),
            List<string> l => Text(Configuration.StringListJsonConverter.Serialize(l)),
            string s => Text(s),
            _ => v,
        };

        private string Text(string s) => provider == DatabaseProvider.PostgreSql ? Configuration.PostgresText.Encode(s) : s;

        public override async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args)
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = sql;
            for (var i = 0; i < args.Length; i++)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + i;
                p.Value = ToDb(args[i]);
                cmd.Parameters.Add(p);
            }
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var list = new List<T>();
            var decoded = Decoded(map);
            while (await r.ReadAsync(ct)) list.Add(decoded(r));
            return list;
        }

        public override async Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct)
        {
            var result = new List<T>();
            var decoded = Decoded(map);
            const int chunk = 900;
            var all = keys as IList<TKey> ?? keys.ToList();
            for (var start = 0; start < all.Count; start += chunk)
            {
                var n = Math.Min(chunk, all.Count - start);
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = transaction;
                var names = new string[n];
                for (var i = 0; i < n; i++)
                {
                    names[i] = "@k" + i;
                    var p = cmd.CreateParameter();
                    p.ParameterName = names[i];
                    p.Value = ToDb(all[start + i]);
                    cmd.Parameters.Add(p);
                }
                cmd.CommandText = sqlWithKeys.Replace("{keys}", string.Join(',', names), StringComparison.Ordinal);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) result.Add(decoded(r));
            }
            return result;
        }
    }
}

/// <summary>
/// A row of a PostgreSQL reader with its text decoded (<see cref="Configuration.PostgresText"/>); everything else passes
/// through. One instance per query, pointed at the current reader before each map call.
/// </summary>
internal sealed class PostgresTextReader : DbDataReader
{
    private DbDataReader _inner = null!;

    public DbDataReader Over(DbDataReader inner)
    {
        _inner = inner;
        return this;
    }

    public override string GetString(int ordinal) => Configuration.PostgresText.Decode(_inner.GetString(ordinal));
    public override object GetValue(int ordinal) => _inner.GetValue(ordinal) is string s ? Configuration.PostgresText.Decode(s) : _inner.GetValue(ordinal);

    public override T GetFieldValue<T>(int ordinal) =>
        typeof(T) == typeof(string) ? (T)(object)GetString(ordinal) : _inner.GetFieldValue<T>(ordinal);

    public override int GetValues(object[] values)
    {
        var n = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));
    public override int Depth => _inner.Depth;
    public override int FieldCount => _inner.FieldCount;
    public override bool HasRows => _inner.HasRows;
    public override bool IsClosed => _inner.IsClosed;
    public override int RecordsAffected => _inner.RecordsAffected;
    public override bool GetBoolean(int ordinal) => _inner.GetBoolean(ordinal);
    public override byte GetByte(int ordinal) => _inner.GetByte(ordinal);
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => _inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);
    public override char GetChar(int ordinal) => _inner.GetChar(ordinal);
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("read text with GetString: escaped text cannot be decoded in pieces");
    public override string GetDataTypeName(int ordinal) => _inner.GetDataTypeName(ordinal);
    public override DateTime GetDateTime(int ordinal) => _inner.GetDateTime(ordinal);
    public override decimal GetDecimal(int ordinal) => _inner.GetDecimal(ordinal);
    public override double GetDouble(int ordinal) => _inner.GetDouble(ordinal);
    public override Type GetFieldType(int ordinal) => _inner.GetFieldType(ordinal);
    public override float GetFloat(int ordinal) => _inner.GetFloat(ordinal);
    public override Guid GetGuid(int ordinal) => _inner.GetGuid(ordinal);
    public override short GetInt16(int ordinal) => _inner.GetInt16(ordinal);
    public override int GetInt32(int ordinal) => _inner.GetInt32(ordinal);
    public override long GetInt64(int ordinal) => _inner.GetInt64(ordinal);
    public override string GetName(int ordinal) => _inner.GetName(ordinal);
    public override int GetOrdinal(string name) => _inner.GetOrdinal(name);
    public override bool IsDBNull(int ordinal) => _inner.IsDBNull(ordinal);
    public override bool NextResult() => throw new NotSupportedException("a row of a query, not a reader to advance");
    public override bool Read() => throw new NotSupportedException("a row of a query, not a reader to advance");
    public override System.Collections.IEnumerator GetEnumerator() => throw new NotSupportedException("a row of a query, not a reader to enumerate");
}
