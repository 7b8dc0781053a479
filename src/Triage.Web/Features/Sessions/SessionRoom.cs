namespace Triage.Web.Features.Sessions;

/// <summary>
/// One browser tab's view of a live session: who is present (kept from Joined/Present/Left events) and every other
/// event passed on to the page. Presence needs no shared store: a newcomer announces itself, the others answer.
/// </summary>
public sealed class SessionRoom(ISessionBus bus, long sessionId, Participant me, TimeProvider time) : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Participant> _present = new(StringComparer.Ordinal) { [me.Key] = me };
    private IAsyncDisposable? _subscription;

    public long SessionId => sessionId;
    public Participant Me => me;

    /// <summary>Raised after presence changed or for any other event (moves, proposals, decisions, closing).</summary>
    public event Func<SessionEvent, Task>? Changed;

    /// <summary>Everyone present, one entry per person (several tabs of one person count once), sorted by name.</summary>
    public IReadOnlyList<Participant> Present
    {
        get
        {
            lock (_gate)
                return _present.Values.GroupBy(p => p.UserId).Select(g => g.First()).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    public async Task JoinAsync(CancellationToken ct = default)
    {
        _subscription = await bus.SubscribeAsync(sessionId, OnEventAsync, ct);
        await bus.PublishAsync(Event(SessionEventKind.Joined), ct);
    }

    public Task PublishAsync(SessionEvent e, CancellationToken ct = default) => bus.PublishAsync(e, ct);

    /// <summary>A new event from this participant.</summary>
    public SessionEvent Event(SessionEventKind kind) => new()
    {
        Kind = kind, SessionId = sessionId, ParticipantKey = me.Key, UserId = me.UserId, UserName = me.Name, Role = me.Role,
        At = time.GetUtcNow().UtcDateTime,
    };

    private async Task OnEventAsync(SessionEvent e)
    {
        var fromMe = e.ParticipantKey == me.Key;
        switch (e.Kind)
        {
            case SessionEventKind.Joined or SessionEventKind.Present when !fromMe && e.ParticipantKey is not null:
                bool isNew;
                lock (_gate)
                {
                    isNew = !_present.ContainsKey(e.ParticipantKey);
                    _present[e.ParticipantKey] = new Participant(e.ParticipantKey, e.UserId ?? "", e.UserName ?? "someone", e.Role ?? "");
                }
                if (e.Kind == SessionEventKind.Joined) await bus.PublishAsync(Event(SessionEventKind.Present));
                if (!isNew) return;
                break;
            case SessionEventKind.Left when !fromMe && e.ParticipantKey is not null:
                lock (_gate)
                    if (!_present.Remove(e.ParticipantKey)) return;
                break;
            case SessionEventKind.Joined or SessionEventKind.Present or SessionEventKind.Left:
                return;
        }
        if (Changed is { } handler) await handler(e);
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is null) return;
        try
        {
            await bus.PublishAsync(Event(SessionEventKind.Left));
        }
        finally
        {
            await _subscription.DisposeAsync();
            _subscription = null;
        }
    }
}
