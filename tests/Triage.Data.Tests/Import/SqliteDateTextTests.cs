using System.Globalization;
using System.Text;
using Triage.Data.Import;

namespace Triage.Data.Tests.Import;

/// <summary>The bulk path's date text must be exactly what Microsoft.Data.Sqlite and EF Core write, or EF's comparisons
/// and ordering of dates the importer stored would differ from its own.</summary>
public class SqliteDateTextTests
{
    private static string Bcl(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static string Ours(DateTime t)
    {
        Span<byte> buffer = stackalloc byte[SqliteDateText.MaxLength];
        return Encoding.UTF8.GetString(buffer[..SqliteDateText.Format(t, buffer)]);
    }

    public static TheoryData<DateTime> Edges() => new()
    {
        DateTime.MinValue, DateTime.MaxValue, new DateTime(2026, 11, 29, 16, 5, 0, DateTimeKind.Utc),
        new DateTime(2026, 1, 2, 3, 4, 5, 600, DateTimeKind.Utc), new DateTime(999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1),
        new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Local).AddTicks(1_234_500), new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddTicks(10),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Format_WritesTheSameTextAsTheProvider(DateTime t) => Assert.Equal(Bcl(t), Ours(t));

    [Fact]
    public void Format_MatchesTheProviderOnRandomDates()
    {
        var rnd = new Random(20261129);
        for (var i = 0; i < 100_000; i++)
        {
            var ticks = rnd.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            // Every fraction shape: whole seconds, milliseconds (as imports truncate to), and any tick.
            ticks = (i % 3) switch { 0 => ticks - ticks % TimeSpan.TicksPerSecond, 1 => ticks - ticks % TimeSpan.TicksPerMillisecond, _ => ticks };
            var t = new DateTime(ticks, DateTimeKind.Utc);
            Assert.Equal(Bcl(t), Ours(t));
        }
    }
}
