using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Triage.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file off the writer's path (docs/decisions/095-sqlite-checkpoints-and-rescan-writes.md).
/// By default the connection that commits past 1,000 WAL pages runs the checkpoint inside its commit: at 500,000 findings
/// that was half of an import's time (copying every page it wrote once more and two fsyncs). Imports raise that
/// threshold on their own connection to a backstop (<see cref="WriterBackstopPages"/>) and ask for a passive checkpoint
/// here after they commit; it runs on another thread while the next import parses and plans. A passive checkpoint never
/// blocks readers or the writer; one that cannot finish (a reader still on old pages) is simply taken up by the next.
/// </summary>
public static class SqliteCheckpointer
{
    /// <summary>WAL pages (4 KiB) past which an import's own commit checkpoints anyway: if the background checkpoint
    /// cannot keep up or fails, the log still stops growing at about 64 MiB.</summary>
    public const int WriterBackstopPages = 16_384;

    private sealed class State
    {
        public bool Active;
        public bool Again;
        public Task Running = Task.CompletedTask;
        public int Completed;
        public string? LastError;
    }

    private static readonly ConcurrentDictionary<string, State> States = new(StringComparer.Ordinal);

    /// <summary>Asks for a passive checkpoint of this database (a no-op for PostgreSQL and in-memory SQLite). Requests made
    /// while one runs are folded into one more run after it.</summary>
    public static void Request(string connectionString)
    {
        var cs = TriageDatabase.Normalize(connectionString);
        if (TriageDatabase.DetectProvider(cs) != DatabaseProvider.Sqlite) return;
        var builder = new SqliteConnectionStringBuilder(cs);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory) return;
        var state = States.GetOrAdd(cs, _ => new State());
        // Never creates the file: a database deleted meanwhile (a test's, a demo's) stays deleted.
        builder.Mode = SqliteOpenMode.ReadWrite;
        var checkpointConnection = builder.ToString();
        lock (state)
        {
            if (state.Active)
            {
                state.Again = true;
                return;
            }
            state.Active = true;
            state.Running = Task.Run(() => RunAsync(checkpointConnection, state));
        }
    }

    /// <summary>Waits for the checkpoints that are running or asked for (a short-lived process calls this before it exits,
    /// so the next one does not start by replaying the log).</summary>
    public static Task DrainAsync()
    {
        var running = new List<Task>();
        foreach (var state in States.Values)
            lock (state) running.Add(state.Running);
        return Task.WhenAll(running);
    }

    /// <summary>How many checkpoints of this database ran to the end in this process, and the last failure, if any (tests,
    /// diagnostics).</summary>
    public static (int Completed, string? LastError) Status(string connectionString)
    {
        if (!States.TryGetValue(TriageDatabase.Normalize(connectionString), out var state)) return (0, null);
        lock (state) return (state.Completed, state.LastError);
    }

    private static async Task RunAsync(string cs, State state)
    {
        while (true)
        {
            string? error = null;
            try
            {
                await using var conn = new SqliteConnection(cs);
                await conn.OpenAsync();
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await cmd.ExecuteNonQueryAsync();
            }
            catch (SqliteException e)
            {
                // The file went away or is busy in a way a passive checkpoint does not wait for: the next request, or the
                // writer's backstop, takes it up. Nothing of the data depends on this run.
                error = e.Message;
            }
            lock (state)
            {
                if (error is null) state.Completed++;
                state.LastError = error;
                if (!state.Again)
                {
                    state.Active = false;
                    return;
                }
                state.Again = false;
            }
        }
    }
}
