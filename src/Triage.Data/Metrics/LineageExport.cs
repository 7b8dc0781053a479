using System.Text.Json;

namespace Triage.Data.Metrics;

/// <summary>A lineage as JSON (<c>triage lineage show --json</c>, GET /api/v1/lineage).</summary>
public static class LineageExport
{
    public static void WriteJson(Utf8JsonWriter w, LineageView view)
    {
        w.WriteStartObject();
        w.WriteString("repository", view.Repository.Name);
        w.WriteStartArray("repositories");
        foreach (var r in view.Repositories)
        {
            w.WriteStartObject();
            w.WriteNumber("id", r.Id);
            w.WriteString("name", r.Name);
            w.WriteString("team", r.Team);
            w.WriteString("replaces", view.Repositories.FirstOrDefault(x => x.Id == r.ReplacesRepositoryId)?.Name);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("images");
        foreach (var i in view.Images)
        {
            w.WriteStartObject();
            w.WriteString("repository", i.Repository);
            w.WriteString("digest", i.Digest);
            w.WriteStartArray("tags");
            foreach (var t in i.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteString("os", i.Os);
            w.WriteString("baseImage", i.BaseImage);
            if (i.SizeBytes is { } size) w.WriteNumber("sizeBytes", size);
            else w.WriteNull("sizeBytes");
            w.WriteNumber("packages", i.PackageCount);
            w.WriteString("firstSeen", i.FirstSeen);
            w.WriteString("lastSeen", i.LastSeen);
            w.WriteNumber("scans", i.Scans);
            w.WriteBoolean("current", i.Current);
            w.WriteStartObject("findings");
            w.WriteNumber("critical", i.Findings.Critical);
            w.WriteNumber("high", i.Findings.High);
            w.WriteNumber("medium", i.Findings.Medium);
            w.WriteNumber("low", i.Findings.Low);
            w.WriteNumber("unknown", i.Findings.Unknown);
            w.WriteNumber("total", i.Findings.Total);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
