using System.Globalization;
using System.Text.Json;

namespace Triage.Core.Runtime.Json;

/// <summary>Tolerant accessors for wire JSON: a missing or null field is "absent", never an exception.
/// Only fields whose type matters for meaning are checked strictly, by the callers.</summary>
internal static class JsonRead
{
    public static JsonElement? Prop(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement e, string name) => e.Prop(name) is { } v ? v.AsString() : null;

    /// <summary>A string, or a number/bool written as text (some exporters quote numbers, others do not).</summary>
    public static string? AsString(this JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => null,
    };

    public static JsonElement? Obj(this JsonElement e, string name) => e.Prop(name) is { ValueKind: JsonValueKind.Object } v ? v : null;

    public static IEnumerable<JsonElement> Arr(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray() : [];

    public static IEnumerable<JsonProperty> Props(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Object } v ? v.EnumerateObject() : [];

    public static long? Long(this JsonElement e, string name) => e.Prop(name) is { } v ? v.AsLong() : null;

    public static long? AsLong(this JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetInt64(out var n) => n,
        JsonValueKind.Number => (long)v.GetDouble(),
        JsonValueKind.String when long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    public static double? Double(this JsonElement e, string name) => e.Prop(name) is { } v ? v.AsDouble() : null;

    public static double? AsDouble(this JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static bool? Bool(this JsonElement e, string name) => e.Prop(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        _ => null,
    };

    public static DateTimeOffset? Time(this JsonElement e, string name) =>
        e.Str(name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static Dictionary<string, string> StringMap(this JsonElement e, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.Props(name))
            if (p.Value.AsString() is { } v) map[p.Name] = v;
        return map;
    }
}
