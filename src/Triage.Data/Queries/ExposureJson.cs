using System.Text.Json;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>The exposure answer as JSON, shared by `triage exposure --json` and GET /api/v1/exposure/{id}.</summary>
public static class ExposureJson
{
    public static void Write(Utf8JsonWriter w, ExposureQueries.Exposure e)
    {
        w.WriteStartObject();
        w.WriteStartObject("vulnerability");
        w.WriteString("queried", e.QueriedId);
        w.WriteString("id", e.CanonicalId);
        Strings(w, "aliases", e.Aliases);
        Strings(w, "upstream", e.Upstream);
        w.WriteEndObject();
        w.WriteNumber("repositories", e.Repositories);
        w.WriteNumber("images", e.Images.Count);
        w.WriteStartArray("exposed");
        foreach (var i in e.Images)
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
