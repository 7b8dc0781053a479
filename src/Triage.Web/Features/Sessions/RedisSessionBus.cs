using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;

namespace Triage.Web.Features.Sessions;

/// <summary>
/// Session events over Redis pub/sub, one channel per session ("triage:session:{id}"), so browser tabs connected to
/// different app instances see the same session. Each instance subscribes to a channel while one of its tabs shows the
/// session, and hands what arrives to its local subscribers. Its own events come back through Redis too, so every tab
/// sees events in the same order.
/// </summary>
public sealed class RedisSessionBus(IConnectionMultiplexer redis, InProcessSessionBus local, ILogger<RedisSessionBus> log) : ISessionBus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    public static RedisChannel Channel(long sessionId) => RedisChannel.Literal($"triage:session:{sessionId}");

    public async Task PublishAsync(SessionEvent e, CancellationToken ct = default) =>
        await redis.GetSubscriber().PublishAsync(Channel(e.SessionId), JsonSerializer.Serialize(e, Json));

    public async Task<IAsyncDisposable> SubscribeAsync(long sessionId, Func<SessionEvent, Task> handler, CancellationToken ct = default)
    {
        var gate = _locks.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (local.SubscriberCount(sessionId) == 0)
                await redis.GetSubscriber().SubscribeAsync(Channel(sessionId), (_, message) => DeliverAsync(message).Ignore());
            var inner = await local.SubscribeAsync(sessionId, handler, ct);
            return new Subscription(this, sessionId, inner);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task DeliverAsync(RedisValue message)
    {
        SessionEvent? e;
        try { e = JsonSerializer.Deserialize<SessionEvent>(message.ToString(), Json); }
        catch (JsonException ex)
        {
            log.LogWarning(ex, "Ignored a malformed session event from Redis");
            return;
        }
        if (e is not null) await local.DispatchAsync(e);
    }

    private async Task UnsubscribeAsync(long sessionId, IAsyncDisposable inner)
    {
        var gate = _locks.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            await inner.DisposeAsync();
            if (local.SubscriberCount(sessionId) == 0) await redis.GetSubscriber().UnsubscribeAsync(Channel(sessionId));
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed class Subscription(RedisSessionBus bus, long sessionId, IAsyncDisposable inner) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) await bus.UnsubscribeAsync(sessionId, inner);
        }
    }
}

internal static class TaskExtensions
{
    /// <summary>Runs a task whose failures its own code logs.</summary>
    public static void Ignore(this Task task) => task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
}
