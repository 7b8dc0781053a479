namespace Triage.Data.Import;

/// <summary>
/// Writes a <see cref="DateTime"/> as the text Microsoft.Data.Sqlite and EF Core store on SQLite,
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> (the fraction without trailing zeros, and without its dot when it is zero), as UTF-8
/// without an intermediate string. The bulk import path binds dates through SQLite's C API with this text, so EF reads
/// and compares them as its own (a test holds it to <see cref="DateTime.ToString(string, IFormatProvider)"/>).
/// </summary>
internal static class SqliteDateText
{
    /// <summary>"yyyy-MM-dd HH:mm:ss.fffffff".</summary>
    public const int MaxLength = 27;

    /// <returns>The number of bytes written to <paramref name="into"/> (at least <see cref="MaxLength"/> long).</returns>
    public static int Format(DateTime t, Span<byte> into)
    {
        Digits(into[..4], t.Year);
        into[4] = (byte)'-';
        Digits(into.Slice(5, 2), t.Month);
        into[7] = (byte)'-';
        Digits(into.Slice(8, 2), t.Day);
        into[10] = (byte)' ';
        Digits(into.Slice(11, 2), t.Hour);
        into[13] = (byte)':';
        Digits(into.Slice(14, 2), t.Minute);
        into[16] = (byte)':';
        Digits(into.Slice(17, 2), t.Second);
        var fraction = (int)(t.Ticks % TimeSpan.TicksPerSecond);
        if (fraction == 0) return 19;
        into[19] = (byte)'.';
        Digits(into.Slice(20, 7), fraction);
        var end = 27;
        while (into[end - 1] == (byte)'0') end--;
        return end;
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
