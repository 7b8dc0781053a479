using System.Globalization;

namespace Triage.Sigstore.Json;

/// <summary>RFC 3339 timestamps as protobuf writes them. .NET parses at most 7 fractional digits; protobuf writes up to 9.</summary>
internal static class Rfc3339
{
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
            && text.Contains('T', StringComparison.Ordinal);
    }

    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString(value.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
