using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Data.Queries;

/// <summary>Findings as JSON: the contract of `triage findings --format json` and GET /api/v1/findings.
/// Written field by field so names and shapes never drift with a refactoring.</summary>
public static class FindingJson
{
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Scanner text may hold anything; the default encoder escapes HTML-significant characters, so JSON stays inert.
    };

    public static void Write(Utf8JsonWriter w, FindingView f)
    {
        w.WriteStartObject();
        w.WriteNumber("id", f.Id);
        w.WriteString("image", f.Image);
        w.WriteString("repository", f.Repository);
        w.WriteString("digest", f.Digest);
        w.WriteStartArray("tags");
        foreach (var t in f.Tags) w.WriteStringValue(t);
        w.WriteEndArray();

        w.WriteStartObject("package");
        w.WriteString("purl", f.Package.Purl);
        w.WriteString("type", f.Package.Type);
        w.WriteString("name", f.Package.Name);
        w.WriteString("version", f.Package.Version);
        w.WriteString("sourceName", f.Package.SourceName);
        w.WriteString("sourceVersion", f.Package.SourceVersion);
        w.WriteEndObject();

        w.WriteStartObject("vulnerability");
        w.WriteString("id", f.Vulnerability.Id);
        WriteStrings(w, "aliases", f.Vulnerability.Aliases);
        WriteStrings(w, "upstream", f.Vulnerability.Upstream);
        w.WriteString("title", f.Vulnerability.Title);
        w.WriteEndObject();

        w.WriteString("severity", f.Severity.ToWire());
        WriteStrings(w, "scanners", f.Scanners);
        WriteStrings(w, "fixedVersions", f.FixedVersions);
        w.WriteString("status", f.Active ? "active" : "inactive");
        w.WriteString("firstSeen", f.FirstSeen);
        w.WriteString("lastSeen", f.LastSeen);
        WriteVex(w, f.Vex);

        w.WriteStartArray("observations");
        foreach (var o in f.Observations)
        {
            w.WriteStartObject();
            w.WriteString("scanner", o.Scanner);
            w.WriteString("rawId", o.RawId);
            w.WriteString("package", o.RawPackageName);
            w.WriteString("version", o.RawPackageVersion);
            w.WriteString("severity", o.Severity.ToWire());
            WriteStrings(w, "fixedVersions", o.FixedVersions);
            w.WriteString("fixState", o.FixState.ToWire());
            w.WriteString("status", o.Status);
            w.WriteBoolean("active", o.Active);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>"vex": {"status","justification","scope","source","author","timestamp","id"}</c>, or null when undecided.</summary>
    public static void WriteVex(Utf8JsonWriter w, FindingVex? vex, string name = "vex")
    {
        if (vex is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        w.WriteString("status", vex.Status.ToWire());
        w.WriteString("justification", vex.Justification);
        w.WriteString("scope", vex.Scope.ToWire());
        w.WriteString("source", vex.Source);
        w.WriteString("author", vex.Author);
        w.WriteString("timestamp", vex.Timestamp.UtcDateTime);
        w.WriteNumber("id", vex.DecisionId);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
