using System.Buffers;
using System.Text.Json;
using Triage.Core.Domain;

namespace Triage.Core.Ingest;

/// <summary>Compact JSON for evidence columns (CVSS per source, severity per source, paths), written with
/// Utf8JsonWriter: this runs once per stored record on the import path.</summary>
public static class EvidenceJson
{
    public static string? Cvss(IReadOnlyList<CvssScore> scores)
    {
        if (scores.Count == 0) return null;
        return Write(w =>
        {
            w.WriteStartArray();
            foreach (var s in scores)
            {
                w.WriteStartObject();
                w.WriteString("source", s.Source);
                w.WriteString("version", s.Version);
                if (s.Vector is not null) w.WriteString("vector", s.Vector);
                if (s.Score is { } score) w.WriteNumber("score", score);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    public static string? SeverityBySource(IReadOnlyDictionary<string, Severity> map)
    {
        if (map.Count == 0) return null;
        return Write(w =>
        {
            w.WriteStartObject();
            if (map.Count == 1) foreach (var (k, v) in map) w.WriteString(k, v.ToWire());
            else foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v.ToWire());
            w.WriteEndObject();
        });
    }

    public static string? Paths(IReadOnlyList<string> locations, IReadOnlyList<string> dependencyPaths)
    {
        if (locations.Count == 0 && dependencyPaths.Count == 0) return null;
        return Write(w =>
        {
            w.WriteStartObject();
            if (locations.Count > 0)
            {
                w.WriteStartArray("locations");
                foreach (var l in locations) w.WriteStringValue(l);
                w.WriteEndArray();
            }
            if (dependencyPaths.Count > 0)
            {
                w.WriteStartArray("dependencyPaths");
                foreach (var p in dependencyPaths) w.WriteStringValue(p);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    /// <summary>Reads back a CVSS list written by <see cref="Cvss"/>.</summary>
    public static List<CvssScore> ReadCvss(string? json)
    {
        var list = new List<CvssScore>();
        if (string.IsNullOrEmpty(json)) return list;
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            list.Add(new CvssScore(
                e.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "",
                e.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "",
                e.TryGetProperty("vector", out var vec) ? vec.GetString() : null,
                e.TryGetProperty("score", out var sc) && sc.ValueKind == JsonValueKind.Number ? sc.GetDouble() : null));
        }
        return list;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    // One writer per thread, reset per value: this runs once per stored record on the import path.
    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.Reset(buffer);
        body(w);
        w.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
