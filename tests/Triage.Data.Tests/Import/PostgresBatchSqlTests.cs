using Triage.Data.Import;
using Xunit;

namespace Triage.Data.Tests.Import;

/// <summary>Statements run once per row go to PostgreSQL as batch commands, which take positional parameters only.</summary>
public sealed class PostgresBatchSqlTests
{
    [Fact]
    public void NamedParameters_BecomePositional_WithoutTouchingLongerNames()
    {
        var sql = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"c{i} = @p{i}")) + " WHERE a = @p1 OR b = @p10";
        var positional = PostgresImportStore.Positional(sql, 12);
        Assert.Equal(string.Join(", ", Enumerable.Range(0, 12).Select(i => $"c{i} = ${i + 1}")) + " WHERE a = $2 OR b = $11", positional);
    }

    [Fact]
    public void AMissingParameter_IsAnError_NotASilentShift()
    {
        var e = Assert.Throws<ArgumentException>(() => PostgresImportStore.Positional("UPDATE t SET a = @p0 WHERE id = @p2", 3));
        Assert.Contains("@p1", e.Message, StringComparison.Ordinal);
    }
}
