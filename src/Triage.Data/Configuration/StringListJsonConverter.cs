using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Triage.Data.Configuration;

/// <summary>List&lt;string&gt; ↔ JSON array text.</summary>
public sealed class StringListJsonConverter() : ValueConverter<List<string>, string>(
    v => Serialize(v),
    s => Deserialize(s))
{
    public static string Serialize(List<string> v) => v.Count == 0 ? "[]" : JsonSerializer.Serialize(v, DataJson.Default.ListString);

    public static List<string> Deserialize(string s) =>
        string.IsNullOrEmpty(s) || s == "[]" ? [] : JsonSerializer.Deserialize(s, DataJson.Default.ListString) ?? [];
}

public sealed class StringListComparer() : ValueComparer<List<string>>(
    (a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)),
    v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))),
    v => v.ToList());
