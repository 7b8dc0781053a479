using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Triage.Core.Vex;

/// <summary>Small, forgiving accessors over System.Text.Json elements shared by the three readers.</summary>
internal static partial class VexJson
{
    public static JsonElement? Prop(this JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement obj, string name) =>
        obj.Prop(name) is { ValueKind: JsonValueKind.String } v && v.GetString() is { } s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    /// <summary>A string or a number as text (CycloneDX/OpenVEX versions are numbers, CSAF's are strings).</summary>
    public static string? Text(this JsonElement obj, string name) => obj.Prop(name) switch
    {
        { ValueKind: JsonValueKind.String } v => string.IsNullOrWhiteSpace(v.GetString()) ? null : v.GetString()!.Trim(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        _ => null,
    };

    public static JsonElement? Obj(this JsonElement obj, string name) => obj.Prop(name) is { ValueKind: JsonValueKind.Object } v ? v : null;

    public static IEnumerable<JsonElement> Arr(this JsonElement obj, string name) =>
        obj.Prop(name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray() : [];

    public static IEnumerable<string> Strings(this JsonElement obj, string name) =>
        obj.Arr(name).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!.Trim()).Where(s => s.Length > 0);

    /// <summary>Throws <see cref="VexErrorCode.WrongType"/> when a document-level field exists with another JSON type.</summary>
    public static void Expect(this JsonElement obj, string name, JsonValueKind kind, string where)
    {
        if (obj.Prop(name) is { } v && v.ValueKind != kind)
            throw new VexFormatException(VexErrorCode.WrongType, $"{where}.{name} is a {Kind(v.ValueKind)}, expected a {Kind(kind)}.");
    }

    public static string Kind(JsonValueKind k) => k switch
    {
        JsonValueKind.Object => "JSON object",
        JsonValueKind.Array => "JSON array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Undefined => "nothing",
    };

    /// <summary>RFC 3339 date-time. Go tools write nanoseconds; .NET reads at most 7 fraction digits, so extra ones are cut.</summary>
    public static bool TryTime(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = LongFraction().Replace(text.Trim(), m => m.Groups[1].Value);
        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out time)
               && t.Contains('T', StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial Regex LongFraction();
}

/// <summary>Collects problems while a reader walks a document.</summary>
internal sealed class ProblemLog
{
    public List<VexImportProblem> Items { get; } = [];

    public void Add(int? index, string location, VexProblemCode code, string message, bool skipped = false) =>
        Items.Add(new VexImportProblem(index, location, code, message, skipped));

    public DateTimeOffset? Time(JsonElement obj, string name, string location, int? index)
    {
        var s = obj.Str(name);
        if (s is null) return null;
        if (VexJson.TryTime(s, out var t)) return t;
        Add(index, $"{location}.{name}", VexProblemCode.InvalidTimestamp, $"'{s}' is not an RFC 3339 date-time; ignored.");
        return null;
    }
}
