using System.Globalization;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Runtime;
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
        WriteRisk(w, f.Risk);
        w.WriteEndObject();
    }

    /// <summary>reachability, runtime, epss, kev, score, priority, why (issue 7: exactly these names).</summary>
    private static void WriteRisk(Utf8JsonWriter w, FindingRiskView? risk)
    {
        var reach = risk?.Reachability ?? ReachabilityView.NoEvidence;
        w.WriteStartObject("reachability");
        w.WriteString("verdict", reach.Verdict.ToWire());
        w.WriteStartArray("sources");
        foreach (var s in reach.Sources)
        {
            w.WriteStartObject();
            w.WriteString("source", s.Source);
            w.WriteString("verdict", s.Supports.ToWire());
            w.WriteString("confidence", s.Confidence.ToWire());
            w.WriteString("detail", s.Detail);
            if (s.Justification is { } j) w.WriteString("justification", j.ToWire());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("runtime");
        if (risk?.Runtime.Running is { } running) w.WriteBoolean("running", running);
        else w.WriteNull("running");
        WriteStrings(w, "environments", risk?.Runtime.Environments ?? []);
        w.WriteNumber("workloads", risk?.Runtime.Workloads ?? 0);
        w.WriteEndObject();

        w.WriteStartObject("epss");
        if (risk?.Epss is { } epss)
        {
            w.WriteNumber("score", epss.Score);
            w.WriteNumber("percentile", epss.Percentile);
            if (epss.Date is { } d) w.WriteString("date", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            else w.WriteNull("date");
        }
        else
        {
            w.WriteNull("score");
            w.WriteNull("percentile");
            w.WriteNull("date");
        }
        w.WriteEndObject();

        var kev = risk?.Kev ?? KevView.NotListed;
        w.WriteStartObject("kev");
        w.WriteBoolean("listed", kev.Listed);
        if (kev.DateAdded is { } added) w.WriteString("dateAdded", added.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        else w.WriteNull("dateAdded");
        if (kev.Listed) w.WriteString("ransomware", kev.Ransomware.ToWire());
        else w.WriteNull("ransomware");
        w.WriteEndObject();

        if (risk is null)
        {
            w.WriteNull("score");
            w.WriteNull("priority");
        }
        else
        {
            w.WriteNumber("score", risk.Score);
            w.WriteString("priority", risk.Priority.ToWire());
        }
        w.WriteStartArray("why");
        foreach (var factor in risk?.Why ?? [])
        {
            w.WriteStartObject();
            w.WriteString("factor", factor.Factor);
            w.WriteNumber("points", factor.Contribution);
            w.WriteString("detail", factor.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
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
