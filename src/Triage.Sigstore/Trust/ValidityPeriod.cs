using Triage.Sigstore.Json;

namespace Triage.Sigstore.Trust;

/// <summary>A closed time interval (<c>dev.sigstore.common.v1.TimeRange</c>); a missing bound is open.</summary>
public readonly record struct ValidityPeriod(DateTimeOffset? Start, DateTimeOffset? End)
{
    public static readonly ValidityPeriod Always = new(null, null);

    /// <summary>Both ends inclusive, as the trusted-root spec says.</summary>
    public bool Contains(DateTimeOffset time) => (Start is null || Start <= time) && (End is null || time <= End);

    internal static ValidityPeriod Read(JsonCursor? cursor) => cursor is { } c
        ? new ValidityPeriod(c.Optional("start")?.GetTimestamp(), c.Optional("end")?.GetTimestamp())
        : Always;

    public override string ToString() =>
        $"[{(Start is { } s ? Rfc3339.Format(s) : "-∞")}, {(End is { } e ? Rfc3339.Format(e) : "+∞")}]";
}
