using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Triage.Core.Ingest.Json;

/// <summary>
/// Helpers for the hand-written record loops. A record is read from a <see cref="Utf8JsonReader"/> over the stream
/// buffer; when the buffer ends inside the record, <see cref="Next"/> throws the internal NeedMoreData signal and the
/// stream reader makes the record whole and calls the loop again (so record loops must only fill scratch state and
/// publish it after the record's last token).
/// </summary>
internal sealed class JsonRecord(JsonStreamReader stream, Utf8StringPool pool)
{
    public JsonStreamReader Stream { get; } = stream;
    public Utf8StringPool Pool { get; } = pool;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonStreamReader.NeedMoreDataException();
    }

    /// <summary>Skips the value whose first token is current (a no-op for scalars).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Skip(ref Utf8JsonReader r)
    {
        if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !r.TrySkip())
            throw new JsonStreamReader.NeedMoreDataException();
    }

    /// <summary>True when the current property name is exactly <paramref name="name"/> (names are almost never escaped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(ref Utf8JsonReader r, ReadOnlySpan<byte> name) =>
        r.ValueIsEscaped ? r.ValueTextEquals(name) : r.ValueSpan.SequenceEqual(name);

    /// <summary>Reads the value after the current property name as an interned string. Non-strings are skipped (null):
    /// an optional field of an unexpected type is ignored, like an unknown field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? PooledString(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.String)
            return r.ValueIsEscaped ? r.GetString() : Pool.Get(r.ValueSpan);
        Skip(ref r);
        return null;
    }

    /// <summary>Reads the value after the current property name as a (not interned) string; non-strings are skipped (null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? String(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.String) return r.GetString();
        Skip(ref r);
        return null;
    }

    /// <summary>Reads a field that identifies the record (vulnerability id, package name, version): a string or null,
    /// any other type is a <see cref="ReportErrorCode.WrongType"/> error naming the field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="pooled">False for values that are mostly unique (vulnerability ids): interning them would only
    /// evict the names and versions that do repeat.</param>
    public string? RequiredString(ref Utf8JsonReader r, string field, bool pooled = true)
    {
        Next(ref r);
        return r.TokenType switch
        {
            JsonTokenType.String => r.ValueIsEscaped || !pooled ? r.GetString() : Pool.Get(r.ValueSpan),
            JsonTokenType.Null => null,
            _ => throw Stream.WrongType(ref r, field, "a string"),
        };
    }

    /// <summary>The current token as an interned string when it is a string, else null (value skipped).</summary>
    public string? CurrentPooledString(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String)
            return r.ValueIsEscaped ? r.GetString() : Pool.Get(r.ValueSpan);
        Skip(ref r);
        return null;
    }

    /// <summary>Reads an array of strings after the current property name into <paramref name="into"/>; other shapes are skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StringArray(ref Utf8JsonReader r, List<string> into, bool pooled)
    {
        Next(ref r);
        if (r.TokenType != JsonTokenType.StartArray) { Skip(ref r); return; }
        while (true)
        {
            Next(ref r);
            if (r.TokenType == JsonTokenType.EndArray) return;
            if (r.TokenType == JsonTokenType.String)
                into.Add(pooled && !r.ValueIsEscaped ? Pool.Get(r.ValueSpan) : r.GetString()!);
            else Skip(ref r);
        }
    }

    /// <summary>Reads a number (or a numeric string, as Snyk writes EPSS) after the current property name.</summary>
    public static double? Double(ref Utf8JsonReader r)
    {
        Next(ref r);
        return CurrentDouble(ref r);
    }

    public static double? CurrentDouble(ref Utf8JsonReader r)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Number:
                return r.TryGetDouble(out var d) ? d : null;
            case JsonTokenType.String:
                return double.TryParse(r.ValueSpan, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
            default:
                Skip(ref r);
                return null;
        }
    }

    public static bool? Bool(ref Utf8JsonReader r)
    {
        Next(ref r);
        switch (r.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            default: Skip(ref r); return null;
        }
    }

    /// <summary>Reads an RFC 3339 timestamp after the current property name; anything unparseable is null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DateTimeOffset? Date(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType != JsonTokenType.String) { Skip(ref r); return null; }
        if (r.TryGetDateTimeOffset(out var d)) return d;
        // Snyk and Grype sometimes write dates without an offset or with a trailing space; be lenient.
        var s = r.GetString();
        return DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var p) ? p : null;
    }
}
