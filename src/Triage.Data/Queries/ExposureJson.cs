using System.Text.Json;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>The exposure answer as JSON, shared by `triage exposure --json` and GET /api/v1/exposure/{id}.</summary>
public static class ExposureJson
{
    public static void Write(Utf8JsonWriter w, ExposureQueries.Exposure e)
    {
        w.WriteStartObject();
        w.WriteString("query", e.QueriedId);
        w.WriteBoolean("known", e.Known);
        w.WriteNumber("repositories", e.Repositories);
        w.WriteNumber("images", e.Images);
        w.WriteStartArray("vulnerabilities");
        foreach (var v in e.Vulnerabilities)
        {
            w.WriteStartObject();
            w.WriteString("id", v.Id);
            Strings(w, "aliases", v.Aliases);
            Strings(w, "upstream", v.Upstream);
            w.WriteString("title", v.Title);
            w.WriteStartArray("images");
            foreach (var i in v.Images)
            {
                w.WriteStartObject();
                w.WriteString("repository", i.Repository);
                w.WriteString("image", i.Image);
                w.WriteString("digest", i.Digest);
                Strings(w, "tags", i.Tags);
                w.WriteString("severity", i.Severity.ToWire());
                Strings(w, "scanners", i.Scanners);
                Strings(w, "fixedVersions", i.FixedVersions);
                w.WriteString("firstSeen", i.FirstSeen);
                w.WriteString("lastSeen", i.LastSeen);
                w.WriteStartArray("packages");
                foreach (var p in i.Packages)
                {
                    w.WriteStartObject();
                    w.WriteNumber("findingId", p.FindingId);
                    w.WriteString("purl", p.Purl);
                    w.WriteString("name", p.Name);
                    w.WriteString("version", p.Version);
                    w.WriteString("sourceName", p.SourceName);
                    Strings(w, "fixedVersions", p.FixedVersions);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
