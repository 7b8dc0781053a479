using System.Globalization;

namespace Triage.Core.Metrics;

/// <summary>
/// An ISO 8601 week (Monday to Sunday, week 1 holds the year's first Thursday), in UTC. Snapshots are keyed by it, so
/// a week means the same seven days whatever the reader's time zone: [<see cref="Start"/>, <see cref="End"/>).
/// </summary>
public readonly record struct IsoWeek(int Year, int Week) : IComparable<IsoWeek>
{
    public static IsoWeek Of(DateTime utc)
    {
        var d = utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc;
        return new IsoWeek(ISOWeek.GetYear(d), ISOWeek.GetWeekOfYear(d));
    }

    public static IsoWeek Of(DateTimeOffset time) => Of(time.UtcDateTime);

    /// <summary>Monday 00:00 UTC.</summary>
    public DateTime Start => DateTime.SpecifyKind(ISOWeek.ToDateTime(Year, Week, DayOfWeek.Monday), DateTimeKind.Utc);

    /// <summary>The next Monday 00:00 UTC (exclusive).</summary>
    public DateTime End => Start.AddDays(7);

    /// <summary>The last instant inside the week: what "as of the end of the week" means.</summary>
    public DateTime LastInstant => End.AddTicks(-1);

    public IsoWeek Next() => Of(End);

    public IsoWeek Previous() => Of(Start.AddDays(-1));

    public bool Contains(DateTime utc) => utc >= Start && utc < End;

    /// <summary>Weeks from <paramref name="first"/> to <paramref name="last"/>, both included (empty when last is before first).</summary>
    public static IEnumerable<IsoWeek> Range(IsoWeek first, IsoWeek last)
    {
        for (var w = first; w.CompareTo(last) <= 0; w = w.Next()) yield return w;
    }

    /// <summary>The <paramref name="count"/> weeks ending with <paramref name="last"/>, oldest first.</summary>
    public static IReadOnlyList<IsoWeek> Ending(IsoWeek last, int count)
    {
        var list = new List<IsoWeek>(Math.Max(0, count));
        for (var (w, i) = (last, 0); i < count; w = w.Previous(), i++) list.Add(w);
        list.Reverse();
        return list;
    }

    public int CompareTo(IsoWeek other) => Year != other.Year ? Year.CompareTo(other.Year) : Week.CompareTo(other.Week);

    public static bool operator <(IsoWeek a, IsoWeek b) => a.CompareTo(b) < 0;
    public static bool operator >(IsoWeek a, IsoWeek b) => a.CompareTo(b) > 0;
    public static bool operator <=(IsoWeek a, IsoWeek b) => a.CompareTo(b) <= 0;
    public static bool operator >=(IsoWeek a, IsoWeek b) => a.CompareTo(b) >= 0;

    /// <summary>"2026-W05", the ISO 8601 week notation.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-W{Week:D2}");

    /// <summary>Reads "2026-W05" (or "2026W05", any case); refuses a week the year does not have.</summary>
    public static bool TryParse(string? text, out IsoWeek week)
    {
        week = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToUpperInvariant().Replace("-W", "W", StringComparison.Ordinal);
        var w = s.IndexOf('W');
        if (w != 4 || s.Length is < 6 or > 7) return false;
        if (!int.TryParse(s.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return false;
        if (!int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return false;
        if (year < 1 || year > 9998 || number < 1 || number > ISOWeek.GetWeeksInYear(year)) return false;
        week = new IsoWeek(year, number);
        return true;
    }
}
