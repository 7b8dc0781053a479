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

/// <summary>
/// Merges a report's descriptive evidence into a stored vulnerability record's (ADR 003: every scanner's evidence is
/// kept): CVSS entries of a (source, version) the record does not have yet, severities of sources it does not have yet,
/// references and CWEs it does not list yet. What a source said first stays. Each method returns the merged value, or
/// null when the report adds nothing (then nothing is written).
/// </summary>
public static class VulnerabilityEvidence
{
    public static string? MergeCvss(string? storedJson, IReadOnlyList<CvssScore> reported)
    {
        if (reported.Count == 0) return null;
        if (storedJson is null) return EvidenceJson.Cvss(reported);
        // Fast path, the usual case of a rescan: every reported (source, version) is in the stored text as the writer
        // spelled it. A miss only means the exact check below runs.
        var allThere = true;
        foreach (var r in reported)
            if (!Plain(r.Source) || !Plain(r.Version) || !storedJson.Contains($"\"source\":\"{r.Source}\",\"version\":\"{r.Version}\"", StringComparison.Ordinal))
            {
                allThere = false;
                break;
            }
        if (allThere) return null;

        List<CvssScore> stored;
        try
        {
            stored = EvidenceJson.ReadCvss(storedJson);
        }
        catch (JsonException)
        {
            return EvidenceJson.Cvss(reported); // a damaged stored value is replaced by what the report says
        }
        var merged = new List<CvssScore>(stored);
        foreach (var r in reported)
            if (!merged.Exists(m => m.Source == r.Source && m.Version == r.Version)) merged.Add(r);
        return merged.Count == stored.Count ? null : EvidenceJson.Cvss(merged);
    }

    public static string? MergeSeverities(string? storedJson, IReadOnlyDictionary<string, Severity> reported)
    {
        if (reported.Count == 0) return null;
        if (storedJson is null) return EvidenceJson.SeverityBySource(reported);
        var allThere = true;
        foreach (var key in reported.Keys)
            if (!Plain(key) || !storedJson.Contains($"\"{key}\":", StringComparison.Ordinal))
            {
                allThere = false;
                break;
            }
        if (allThere) return null;

        var merged = new Dictionary<string, Severity>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(storedJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var p in doc.RootElement.EnumerateObject())
                    merged[p.Name] = p.Value.ValueKind == JsonValueKind.String ? SeverityNames.Parse(p.Value.GetString()) : Severity.Unknown;
        }
        catch (JsonException)
        {
            merged.Clear();
        }
        var before = merged.Count;
        foreach (var (k, v) in reported) merged.TryAdd(k, v);
        return merged.Count == before ? null : EvidenceJson.SeverityBySource(merged);
    }

    /// <summary>A stored JSON string list (references, CWEs) with the reported items it lacks appended in the report's
    /// order, each once; null when it lacks none.</summary>
    public static List<string>? MergeList(string? storedJson, IReadOnlyList<string> reported)
    {
        if (reported.Count == 0) return null;
        // Fast path, the usual rescan: every item is in the stored text between quotes. Only on text without escapes,
        // where a quoted item can only be a whole element.
        if (storedJson is not null && !storedJson.Contains('\\'))
        {
            var allThere = true;
            foreach (var item in reported)
                if (item.IndexOfAny(['"', '\\']) >= 0 || !storedJson.Contains('"' + item + '"', StringComparison.Ordinal))
                {
                    allThere = false;
                    break;
                }
            if (allThere) return null;
        }

        var stored = new List<string>();
        if (!string.IsNullOrEmpty(storedJson))
        {
            try
            {
                using var doc = JsonDocument.Parse(storedJson);
                if (doc.RootElement.ValueKind == JsonValueKind.Array)
                    foreach (var e in doc.RootElement.EnumerateArray())
                        if (e.ValueKind == JsonValueKind.String) stored.Add(e.GetString()!);
            }
            catch (JsonException)
            {
                stored.Clear(); // a damaged stored value is replaced by what the report says
            }
        }
        var known = new HashSet<string>(stored, StringComparer.Ordinal);
        var before = stored.Count;
        foreach (var item in reported)
            if (known.Add(item)) stored.Add(item);
        return stored.Count == before ? null : stored;
    }

    /// <summary>Text the JSON writer copies as it is (source names such as "nvd", "github:language:go", versions "3.1"), so the
    /// fast paths can look for it in the stored JSON.</summary>
    private static bool Plain(string s)
    {
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '-' or '_' or ' ' or '/')) return false;
        return true;
    }
}
