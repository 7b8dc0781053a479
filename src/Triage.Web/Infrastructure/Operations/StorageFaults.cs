using Microsoft.Data.Sqlite;
using Npgsql;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>What went wrong with the database, as far as an operator and a retry loop care.</summary>
public enum StorageFault
{
    None,
    /// <summary>Worth trying again shortly: the connection broke, the server is restarting, a lock or serialization conflict.</summary>
    Transient,
    /// <summary>The database refuses writes (a read-only SQLite file, PostgreSQL <c>default_transaction_read_only</c>, a standby).</summary>
    ReadOnly,
    /// <summary>The disk holding the database is full.</summary>
    Full,
}

/// <summary>Classifies database exceptions of both providers (EF wraps them; the chain is searched).</summary>
public static class StorageFaults
{
    public static StorageFault Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case PostgresException pg:
                    return pg.SqlState switch
                    {
                        "25006" => StorageFault.ReadOnly,                      // read_only_sql_transaction
                        "53100" => StorageFault.Full,                          // disk_full
                        "57P01" or "57P02" or "57P03" => StorageFault.Transient, // admin/crash shutdown, cannot connect now
                        "40001" or "40P01" or "55P03" or "53300" => StorageFault.Transient, // serialization, deadlock, lock, too many connections
                        _ when pg.SqlState.StartsWith("08", StringComparison.Ordinal) => StorageFault.Transient, // connection exceptions
                        _ => StorageFault.None,
                    };
                case NpgsqlException n when n.IsTransient:
                    return StorageFault.Transient;                             // socket closed, timeout, connection refused
                case SqliteException s:
                    return s.SqliteErrorCode switch
                    {
                        8 => StorageFault.ReadOnly,                            // SQLITE_READONLY (and its extended codes)
                        13 => StorageFault.Full,                               // SQLITE_FULL
                        5 or 6 => StorageFault.Transient,                      // SQLITE_BUSY, SQLITE_LOCKED
                        _ => StorageFault.None,
                    };
                case TimeoutException:
                    return StorageFault.Transient;
            }
        }
        return StorageFault.None;
    }

    public static bool IsTransient(Exception e) => Classify(e) == StorageFault.Transient;

    /// <summary>True when the connection itself was lost (a server restart): pooled connections are dead too.</summary>
    public static bool IsConnectionLoss(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is PostgresException pg) return pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
            if (x is NpgsqlException { IsTransient: true }) return true;
        }
        return false;
    }

    /// <summary>The sentence a person or API client reads.</summary>
    public static string Describe(StorageFault fault) => fault switch
    {
        StorageFault.ReadOnly => "the database is read-only: imports and decisions are refused until it accepts writes again; reading works",
        StorageFault.Full => "the database's disk is full: imports and decisions are refused until space is freed; reading works",
        StorageFault.Transient => "the database is unavailable at the moment (restarting or unreachable); try again shortly",
        StorageFault.None => "the database could not complete the request",
    };

    public static string Code(StorageFault fault) => fault switch
    {
        StorageFault.ReadOnly => "database_read_only",
        StorageFault.Full => "database_full",
        StorageFault.Transient => "database_unavailable",
        StorageFault.None => "database_error",
    };
}

/// <summary>Retries an operation through transient database failures with exponential backoff and jitter, for at most a
/// time budget; anything else (a read-only database, a bad report) fails at once.</summary>
public sealed class TransientRetry(TimeSpan budget, ILogger log, Action? onRetry = null)
{
    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(ct);
            }
            catch (Exception e) when (StorageFaults.IsTransient(e) && !ct.IsCancellationRequested
                                      && TimeProvider.System.GetElapsedTime(started) + delay < budget)
            {
                if (StorageFaults.IsConnectionLoss(e)) NpgsqlConnection.ClearAllPools();   // the pool's idle connections died with the server
                onRetry?.Invoke();
                log.LogWarning("{What} failed on a transient database error (attempt {Attempt}: {Error}); retrying in {Delay} ms",
                    what, attempt, e.GetBaseException().Message, (int)delay.TotalMilliseconds);
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5_000));
            }
        }
    }

    public Task RunAsync(string what, Func<CancellationToken, Task> operation, CancellationToken ct) =>
        RunAsync(what, async c => { await operation(c); return true; }, ct);
}
