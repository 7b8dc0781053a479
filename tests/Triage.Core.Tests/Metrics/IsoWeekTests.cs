using Triage.Core.Metrics;

namespace Triage.Core.Tests.Metrics;

public sealed class IsoWeekTests
{
    [Theory]
    [InlineData("2026-01-01", 2026, 1, "2025-12-29")]   // a Thursday: week 1 holds it
    [InlineData("2027-01-01", 2026, 53, "2026-12-28")]  // a Friday: the last week of 2026, which has 53
    [InlineData("2024-12-30", 2025, 1, "2024-12-30")]   // a Monday in December that starts 2025's week 1
    [InlineData("2021-01-03", 2020, 53, "2020-12-28")]  // a Sunday in January still in 2020's last week
    public void Of_Date_GivesIsoYearWeekAndMondayStart(string date, int year, int week, string monday)
    {
        var w = IsoWeek.Of(DateTime.SpecifyKind(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc).AddHours(23));
        Assert.Equal(new IsoWeek(year, week), w);
        Assert.Equal(DateTime.Parse(monday, System.Globalization.CultureInfo.InvariantCulture), w.Start);
        Assert.Equal(DateTimeKind.Utc, w.Start.Kind);
        Assert.Equal(w.Start.AddDays(7), w.End);
        Assert.True(w.Contains(w.LastInstant));
        Assert.False(w.Contains(w.End));
    }

    [Fact]
    public void NextAndPrevious_CrossYearsWith53Weeks()
    {
        Assert.Equal(new IsoWeek(2027, 1), new IsoWeek(2026, 53).Next());
        Assert.Equal(new IsoWeek(2026, 53), new IsoWeek(2027, 1).Previous());
        Assert.Equal(new IsoWeek(2026, 1), new IsoWeek(2025, 52).Next());
    }

    [Theory]
    [InlineData("2026-W05", true, 2026, 5)]
    [InlineData("2026w5", true, 2026, 5)]
    [InlineData("2020-W53", true, 2020, 53)]
    [InlineData("2025-W53", false, 0, 0)]
    [InlineData("2026-W00", false, 0, 0)]
    [InlineData("26-W05", false, 0, 0)]
    [InlineData("", false, 0, 0)]
    public void TryParse_AcceptsIsoNotation_RefusesWeeksTheYearLacks(string text, bool ok, int year, int week)
    {
        Assert.Equal(ok, IsoWeek.TryParse(text, out var w));
        if (ok) Assert.Equal(new IsoWeek(year, week), w);
    }

    [Fact]
    public void ToString_RoundTrips()
    {
        var w = new IsoWeek(2026, 7);
        Assert.Equal("2026-W07", w.ToString());
        Assert.True(IsoWeek.TryParse(w.ToString(), out var back));
        Assert.Equal(w, back);
    }

    [Fact]
    public void Ending_GivesCountWeeksOldestFirst_AndRangeIncludesBothEnds()
    {
        var weeks = IsoWeek.Ending(new IsoWeek(2026, 2), 4);
        Assert.Equal([new IsoWeek(2025, 51), new IsoWeek(2025, 52), new IsoWeek(2026, 1), new IsoWeek(2026, 2)], weeks);
        Assert.Equal(weeks, IsoWeek.Range(weeks[0], weeks[^1]).ToList());
        Assert.Empty(IsoWeek.Range(new IsoWeek(2026, 3), new IsoWeek(2026, 2)));
    }
}
