using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;

namespace Triage.Data.Audit;

/// <summary>
/// The audit log: append and read, nothing else. There is deliberately no update or delete method; the database
/// refuses both through triggers (<see cref="AuditTriggers"/>). Used by the web app, the API and the CLI alike.
/// </summary>
public sealed class AuditLog(string connectionString)
{
    public const int MaxPage = 1000;

    /// <summary>Appends one event. Long fields are cut (a hostile file name cannot bloat the log); control characters are
    /// replaced so a CSV or a terminal shows one line per event.</summary>
    public async Task<AuditEvent> AppendAsync(AuditActor who, string action, string? targetType, string? target, string? details = null,
        bool succeeded = true, CancellationToken ct = default)
    {
        var e = new AuditEvent
        {
            At = Now(),
            Action = Clean(action, 64)!,
            Actor = Clean(who.Name, AuditEvent.MaxFieldLength) ?? "unknown",
            ActorId = Clean(who.UserId, 64),
            Channel = Clean(who.Channel, 16)!,
            Address = Clean(who.Address, 64),
            TargetType = Clean(targetType, 32),
            Target = Clean(target, AuditEvent.MaxFieldLength),
            Details = Clean(details, AuditEvent.MaxDetailsLength),
            Succeeded = succeeded,
        };
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        // One plain INSERT: a short CLI run (an import, a decision) then never builds the EF model just to log itself.
        await using var conn = await TriageDatabase.OpenConnectionAsync(connectionString, ct);
        var postgres = conn is Npgsql.NpgsqlConnection;
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "INSERT INTO \"AuditEvents\" (\"At\", \"Action\", \"Actor\", \"ActorId\", \"Channel\", \"Address\", \"TargetType\", \"Target\", " +
                          "\"Details\", \"Succeeded\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9) RETURNING \"Id\"";
        object?[] values = [e.At, e.Action, e.Actor, e.ActorId, e.Channel, e.Address, e.TargetType, e.Target, e.Details, e.Succeeded];
        for (var i = 0; i < values.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i;
            // Stored as the EF model stores it: on PostgreSQL text is NUL-escaped (Configuration/PostgresText.cs).
            p.Value = values[i] switch
            {
                null => DBNull.Value,
                string s when postgres => Configuration.PostgresText.Encode(s),
                var v => v,
            };
            cmd.Parameters.Add(p);
        }
        e.Id = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return e;
    }

    /// <summary>Newest first, filtered.</summary>
    public async Task<List<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var q = Filter(db.Set<AuditEvent>().AsNoTracking(), query);
        if (query.BeforeId is { } before) q = q.Where(e => e.Id < before);
        var rows = await q.OrderByDescending(e => e.Id).Take(Math.Clamp(query.Limit, 1, MaxPage)).ToListAsync(ct);
        foreach (var r in rows) r.At = DateTime.SpecifyKind(r.At, DateTimeKind.Utc);
        return rows;
    }

    public async Task<int> CountAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        return await Filter(db.Set<AuditEvent>().AsNoTracking(), query).CountAsync(ct);
    }

    /// <summary>Every matching event, oldest first, streamed in pages (an export of a long history does not load it whole).</summary>
    public async IAsyncEnumerable<AuditEvent> ExportAsync(AuditQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        long after = 0;
        while (true)
        {
            await using var db = TriageDatabase.CreateContext(connectionString);
            var page = await Filter(db.Set<AuditEvent>().AsNoTracking(), query).Where(e => e.Id > after)
                .OrderBy(e => e.Id).Take(MaxPage).ToListAsync(ct);
            foreach (var e in page)
            {
                e.At = DateTime.SpecifyKind(e.At, DateTimeKind.Utc);
                yield return e;
            }
            if (page.Count < MaxPage) yield break;
            after = page[^1].Id;
        }
    }

    private static IQueryable<AuditEvent> Filter(IQueryable<AuditEvent> q, AuditQuery f)
    {
        if (f.From is { } from) q = q.Where(e => e.At >= from);
        if (f.To is { } to) q = q.Where(e => e.At < to);
        if (!string.IsNullOrWhiteSpace(f.Action))
        {
            var a = f.Action.Trim();
            q = a.EndsWith('.') ? q.Where(e => e.Action.StartsWith(a)) : q.Where(e => e.Action == a);
        }
        if (!string.IsNullOrWhiteSpace(f.Actor)) { var s = f.Actor.Trim(); q = q.Where(e => e.Actor.Contains(s)); }
        if (!string.IsNullOrWhiteSpace(f.Target)) { var s = f.Target.Trim(); q = q.Where(e => e.Target != null && e.Target.Contains(s)); }
        if (!string.IsNullOrWhiteSpace(f.Address)) { var s = f.Address.Trim(); q = q.Where(e => e.Address == s); }
        return q;
    }

    private static DateTime Now()
    {
        var t = DateTime.UtcNow;
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    internal static string? Clean(string? value, int max)
    {
        if (value is null) return null;
        var b = new StringBuilder(Math.Min(value.Length, max));
        foreach (var ch in value)
        {
            if (b.Length >= max) break;
            b.Append(ch is '\0' ? '\uFFFD' : char.IsControl(ch) ? ' ' : ch);
        }
        if (b.Length > 0 && char.IsHighSurrogate(b[^1])) b.Length--;
        return b.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Export formats

    public static readonly string[] CsvColumns = ["id", "at", "action", "actor", "actor_id", "channel", "address", "target_type", "target", "details", "succeeded"];

    public static string CsvHeader => string.Join(',', CsvColumns);

    /// <summary>One CSV line (no line break). Cells that a spreadsheet would run as a formula are neutralised.</summary>
    public static string CsvLine(AuditEvent e) => string.Join(',', new[]
    {
        e.Id.ToString(CultureInfo.InvariantCulture), Time(e.At), e.Action, e.Actor, e.ActorId ?? "", e.Channel, e.Address ?? "",
        e.TargetType ?? "", e.Target ?? "", e.Details ?? "", e.Succeeded ? "true" : "false",
    }.Select(Csv));

    public static void WriteJson(Utf8JsonWriter w, AuditEvent e)
    {
        w.WriteStartObject();
        w.WriteNumber("id", e.Id);
        w.WriteString("at", Time(e.At));
        w.WriteString("action", e.Action);
        w.WriteString("actor", e.Actor);
        w.WriteString("actorId", e.ActorId);
        w.WriteString("channel", e.Channel);
        w.WriteString("address", e.Address);
        w.WriteString("targetType", e.TargetType);
        w.WriteString("target", e.Target);
        w.WriteString("details", e.Details);
        w.WriteBoolean("succeeded", e.Succeeded);
        w.WriteEndObject();
    }

    private static string Time(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    internal static string Csv(string value)
    {
        var v = value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;
        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }
}
