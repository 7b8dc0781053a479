using System.Data.Common;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Where the risk-input queries run: inside a write transaction (<see cref="ImportStore"/>, while scores are stored) or
/// on a page's own connection (explanations for the findings shown). One loader, two places, the same SQL.
/// </summary>
internal abstract class SqlSource
{
    public abstract DatabaseProvider Provider { get; }

    public abstract Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args);

    /// <summary>Runs <paramref name="sqlWithKeys"/> with "{keys}" replaced by an IN-list, in chunks.</summary>
    public abstract Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct)
        where TKey : notnull;

    public static SqlSource Of(ImportStore store) => new StoreSource(store);

    /// <summary>An open connection (EF's, for reads outside any import); the caller owns it.</summary>
    public static SqlSource Of(DbConnection connection, DatabaseProvider provider) => new ConnectionSource(connection, provider);

    private sealed class StoreSource(ImportStore store) : SqlSource
    {
        public override DatabaseProvider Provider => store.Provider;

        public override Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args) =>
            store.QueryAsync(sql, map, ct, args);

        public override Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct) =>
            store.QueryByKeysAsync(sqlWithKeys, keys, map, ct);
    }

    private sealed class ConnectionSource(DbConnection connection, DatabaseProvider provider) : SqlSource
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
            while (await r.ReadAsync(ct)) list.Add(map(r));
            return list;
        }

        public override async Task<List<T>> QueryByKeysAsync<T, TKey>(string sqlWithKeys, IReadOnlyCollection<TKey> keys, Func<DbDataReader, T> map, CancellationToken ct)
        {
            var result = new List<T>();
            const int chunk = 900;
            var all = keys as IList<TKey> ?? keys.ToList();
            for (var start = 0; start < all.Count; start += chunk)
            {
                var n = Math.Min(chunk, all.Count - start);
                await using var cmd = connection.CreateCommand();
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
                while (await r.ReadAsync(ct)) result.Add(map(r));
            }
            return result;
        }
    }
}
