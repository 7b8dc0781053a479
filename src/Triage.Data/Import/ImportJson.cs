using System.Text.Json;

namespace Triage.Data.Import;

/// <summary>The import summary as JSON, shared by the CLI (`ingest --json`) and the API (POST /api/v1/scans).</summary>
public static class ImportJson
{
    public static void Write(Utf8JsonWriter w, ImportSummary s)
    {
        w.WriteStartObject();
        w.WriteString("file", s.File);
        w.WriteString("scanner", s.Scanner);
        w.WriteString("scannerVersion", s.ScannerVersion);
        w.WriteString("image", s.Image);
        w.WriteString("digest", s.Digest);
        w.WriteNumber("observations", s.Observations);
        w.WriteNumber("findings", s.Findings);
        w.WriteNumber("newFindings", s.NewFindings);
        w.WriteBoolean("duplicate", s.Duplicate);
        w.WriteString("sha256", s.Sha256);
        w.WriteStartArray("artifacts");
        foreach (var a in s.Artifacts)
        {
            w.WriteStartObject();
            w.WriteString("image", a.Image);
            w.WriteString("repository", a.Repository);
            w.WriteString("digest", a.Digest);
            w.WriteNumber("observations", a.Observations);
            w.WriteNumber("findings", a.Findings);
            w.WriteNumber("newFindings", a.NewFindings);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("skipped");
        foreach (var (k, v) in s.Skipped) w.WriteNumber(k, v);
        w.WriteEndObject();
        w.WriteStartArray("warnings");
        foreach (var warning in s.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
