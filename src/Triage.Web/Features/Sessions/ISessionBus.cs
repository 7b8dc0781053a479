using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Triage.Web.Features.Sessions;

/// <summary>
/// Carries session events to every browser tab in a session. <see cref="InProcessSessionBus"/> serves one app instance;
/// <see cref="RedisSessionBus"/> carries events between instances when ConnectionStrings:Redis is configured.
/// Each Blazor circuit subscribes while its session page is open and renders what arrives.
/// </summary>
public interface ISessionBus
{
    Task PublishAsync(SessionEvent e, CancellationToken ct = default);

    /// <summary>Calls <paramref name="handler"/> for every event of the session (its own included) until disposed.</summary>
    Task<IAsyncDisposable> SubscribeAsync(long sessionId, Func<SessionEvent, Task> handler, CancellationToken ct = default);
}

public sealed class InProcessSessionBus(ILogger<InProcessSessionBus> log) : ISessionBus
{
    private readonly ConcurrentDictionary<long, ImmutableList<Func<SessionEvent, Task>>> _handlers = new();

    public Task PublishAsync(SessionEvent e, CancellationToken ct = default) => DispatchAsync(e);

    public Task<IAsyncDisposable> SubscribeAsync(long sessionId, Func<SessionEvent, Task> handler, CancellationToken ct = default)
    {
        _handlers.AddOrUpdate(sessionId, _ => [handler], (_, list) => list.Add(handler));
        return Task.FromResult<IAsyncDisposable>(new Subscription(() =>
        {
            _handlers.AddOrUpdate(sessionId, _ => [], (_, list) => list.Remove(handler));
            _handlers.TryRemove(new KeyValuePair<long, ImmutableList<Func<SessionEvent, Task>>>(sessionId, []));
        }));
    }

    /// <summary>The number of local subscribers of a session (the Redis bus subscribes to a channel while it is not zero).</summary>
    public int SubscriberCount(long sessionId) => _handlers.TryGetValue(sessionId, out var list) ? list.Count : 0;

    /// <summary>Delivers to local subscribers. One failing tab does not stop the others.</summary>
    public async Task DispatchAsync(SessionEvent e)
    {
        if (!_handlers.TryGetValue(e.SessionId, out var handlers)) return;
        await Task.WhenAll(handlers.Select(async h =>
        {
            try { await h(e); }
            catch (Exception ex) { log.LogWarning(ex, "A session {SessionId} subscriber failed on {Kind}", e.SessionId, e.Kind); }
        }));
    }

    private sealed class Subscription(Action dispose) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) dispose();
            return ValueTask.CompletedTask;
        }
    }
}
