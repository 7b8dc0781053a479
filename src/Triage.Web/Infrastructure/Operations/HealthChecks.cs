using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Triage.Data;
using Triage.Web.Infrastructure.Queue;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>
/// /health/live: the process answers. /health/ready: the database answers, every migration is applied, the queue worker
/// is going round (and Redis, when configured, is connected: reported as degraded, which still counts as ready, since
/// only live session updates between instances depend on it). Both are anonymous and show no secrets: each check's
/// description is written here, never an exception message (those go to the log).
/// </summary>
public static class TriageHealth
{
    public const string Ready = "ready";

    public static IHealthChecksBuilder AddTriageHealthChecks(this IServiceCollection services, bool redis)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<QueueWorkerHealthCheck>("queue-worker", tags: [Ready]);
        if (redis) checks.AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, tags: [Ready]);
        return checks;
    }

    public static void MapTriageHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
    }

    private static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await using var w = new Utf8JsonWriter(http.Response.Body);
        w.WriteStartObject();
        w.WriteString("status", report.Status.ToString());
        w.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        w.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            w.WriteStartObject(name);
            w.WriteString("status", entry.Status.ToString());
            if (entry.Description is not null) w.WriteString("description", entry.Description);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        await w.FlushAsync();
    }
}

/// <summary>One round trip to the database, and the migration history compared with the migrations this build carries.</summary>
internal sealed class DatabaseHealthCheck(TriageConnection connection, ILogger<DatabaseHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var cs = TriageDatabase.Normalize(connection.ConnectionString);
        var provider = TriageDatabase.DetectProvider(cs);
        var expected = TriageDatabase.MigrationIds(provider);
        try
        {
            await using System.Data.Common.DbConnection conn = provider == DatabaseProvider.Sqlite ? new SqliteConnection(cs) : new NpgsqlConnection(cs);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await conn.OpenAsync(timeout.Token);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"";
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var r = await cmd.ExecuteReaderAsync(timeout.Token))
                while (await r.ReadAsync(timeout.Token)) applied.Add(r.GetString(0));
            var missing = expected.Count(m => !applied.Contains(m));
            return missing == 0
                ? HealthCheckResult.Healthy($"{provider}: reachable, {expected.Count} migrations applied")
                : HealthCheckResult.Unhealthy($"{provider}: reachable, {missing} of {expected.Count} migrations not applied");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning(e, "Readiness: the database did not answer");
            return HealthCheckResult.Unhealthy($"{provider}: not reachable");
        }
    }
}

/// <summary>The queue worker went round recently (it goes round every poll interval, even while the database is away).</summary>
internal sealed class QueueWorkerHealthCheck(QueueRuntime runtime, QueueOptions options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var last = runtime.LastBeat;
        var limit = TimeSpan.FromSeconds(Math.Max(10, options.PollSeconds * 5));
        if (last is null) return Task.FromResult(HealthCheckResult.Unhealthy("the import queue worker has not started"));
        var age = time.GetUtcNow() - last.Value;
        return Task.FromResult(age <= limit
            ? HealthCheckResult.Healthy($"import queue worker alive ({runtime.Running} imports running here)")
            : HealthCheckResult.Unhealthy($"the import queue worker has not gone round for {age.TotalSeconds:0} s"));
    }
}

/// <summary>Redis carries live session events (and SignalR's backplane) between instances.</summary>
internal sealed class RedisHealthCheck(StackExchange.Redis.IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy("Redis connected")
            : new HealthCheckResult(context.Registration.FailureStatus, "Redis not connected: live session updates do not reach other instances"));
}
