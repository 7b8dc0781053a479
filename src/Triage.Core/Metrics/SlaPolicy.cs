using Triage.Core.Domain;

namespace Triage.Core.Metrics;

/// <summary>
/// Days allowed to remediate an open problem, per severity (configuration <c>Triage:Metrics:SlaDays</c>). A problem is in
/// breach once it has been open for longer than its severity's days; a severity without days has no SLA.
/// </summary>
public sealed class SlaPolicy
{
    public int? Critical { get; set; } = 7;
    public int? High { get; set; } = 30;
    public int? Medium { get; set; } = 90;
    public int? Low { get; set; } = 180;
    public int? Unknown { get; set; }

    public static SlaPolicy Default => new();

    public int? DaysFor(Severity s) => s switch
    {
        Severity.Critical => Critical,
        Severity.High => High,
        Severity.Medium => Medium,
        Severity.Low => Low,
        Severity.Unknown => Unknown,
    };

    /// <summary>The moment a problem opened at <paramref name="openedAt"/> goes out of SLA, or null without an SLA.</summary>
    public DateTime? Deadline(Severity s, DateTime openedAt) => DaysFor(s) is { } d ? openedAt.AddDays(d) : null;

    /// <summary>Open for longer than the severity's days at <paramref name="at"/> (exactly the allowed time is still in SLA).</summary>
    public bool IsBreached(Severity s, DateTime openedAt, DateTime at) => Deadline(s, openedAt) is { } deadline && at > deadline;

    /// <summary>Refuses negative days: a misread configuration must not silently put everything in breach.</summary>
    public SlaPolicy Validate()
    {
        foreach (var s in Enum.GetValues<Severity>())
            if (DaysFor(s) is < 0) throw new ArgumentException($"Triage:Metrics:SlaDays:{s.ToWire()} must be zero or more days");
        return this;
    }
}

/// <summary>Problems remediated, and the days they took, per severity: the sums that make a mean time to remediate. Kept
/// as sums (not means) so weeks, repositories and teams add up.</summary>
public sealed class RemediationTotals
{
    private readonly int[] _count = new int[5];
    private readonly double[] _days = new double[5];

    /// <summary>Records one problem open from <paramref name="openedAt"/> until <paramref name="closedAt"/>.</summary>
    public void Add(Severity s, DateTime openedAt, DateTime closedAt)
    {
        if (closedAt < openedAt) throw new ArgumentException("a problem cannot close before it opens");
        _count[(int)s]++;
        _days[(int)s] += (closedAt - openedAt).TotalDays;
    }

    public void Add(Severity s, int count, double days)
    {
        _count[(int)s] += count;
        _days[(int)s] += days;
    }

    public int Count(Severity s) => _count[(int)s];

    public double Days(Severity s) => _days[(int)s];

    /// <summary>Mean days to remediate, or null when nothing of that severity was remediated.</summary>
    public double? MeanDays(Severity s) => _count[(int)s] == 0 ? null : _days[(int)s] / _count[(int)s];
}
