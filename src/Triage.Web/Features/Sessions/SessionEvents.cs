namespace Triage.Web.Features.Sessions;

public enum SessionEventKind
{
    /// <summary>Someone opened the session page; others answer with <see cref="Present"/>.</summary>
    Joined,
    /// <summary>"I am here too", the answer to <see cref="Joined"/>.</summary>
    Present,
    Left,
    /// <summary>The facilitator moved the queue to <see cref="SessionEvent.Position"/>.</summary>
    Moved,
    Proposed,
    Decided,
    /// <summary>The queue was handed to <see cref="SessionEvent.TargetUserId"/>.</summary>
    HandedOver,
    Closed,
}

/// <summary>One thing that happened in a live session. Flat and small, so it travels as JSON between instances.</summary>
public sealed record SessionEvent
{
    public required SessionEventKind Kind { get; init; }
    public required long SessionId { get; init; }
    /// <summary>Which browser tab (circuit) sent it.</summary>
    public string? ParticipantKey { get; init; }
    public string? UserId { get; init; }
    public string? UserName { get; init; }
    public string? Role { get; init; }
    public int? Position { get; init; }
    public long? FindingId { get; init; }
    /// <summary>Decision status as VEX spells it (affected, not_affected…).</summary>
    public string? Status { get; init; }
    public string? Text { get; init; }
    /// <summary>Id of the stored decision or proposal.</summary>
    public long? RecordId { get; init; }
    public string? TargetUserId { get; init; }
    public string? TargetName { get; init; }
    public DateTime At { get; init; }
}

/// <summary>Someone present in a session (one per browser tab).</summary>
public sealed record Participant(string Key, string UserId, string Name, string Role);
