using System.Text.Json;
using Triage.Core.Vex;
using Triage.Data.Queries;

namespace Triage.Data.Vex;

/// <summary>Decisions, histories and VEX import reports as JSON: the contract of `triage decide --json`,
/// `triage vex import --json` and the /api/v1 decision and VEX endpoints. Written field by field so names never drift.</summary>
public static class DecisionJson
{
    public static void WriteDecision(Utf8JsonWriter w, DecisionView d)
    {
        w.WriteStartObject();
        if (d.Id != 0) w.WriteNumber("id", d.Id);
        else w.WriteNull("id");
        w.WriteString("statementId", d.StatementId);
        w.WriteString("vulnerability", d.Vulnerability);
        Strings(w, "aliases", d.Aliases);
        w.WriteStartObject("scope");
        w.WriteString("kind", d.ScopeKind.ToWire());
        w.WriteString("repository", d.Repository);
        w.WriteString("digest", d.Digest);
        w.WriteString("team", d.Team);
        w.WriteString("text", d.ScopeText);
        w.WriteEndObject();
        w.WriteString("package", d.Package);
        w.WriteString("versionRange", d.VersionRange);
        w.WriteString("status", d.Status.ToWire());
        w.WriteString("justification", d.Justification?.ToWire());
        w.WriteString("cyclonedxJustification", d.CycloneDxJustification?.ToWire());
        w.WriteString("impactStatement", d.ImpactStatement);
        w.WriteString("actionStatement", d.ActionStatement);
        Strings(w, "responses", d.Responses.Select(r => r.ToWire()).ToArray());
        w.WriteString("author", d.Author);
        w.WriteString("timestamp", d.Timestamp.UtcDateTime);
        if (d.ExpiresAt is { } e) w.WriteString("expiresAt", e.UtcDateTime);
        else w.WriteNull("expiresAt");
        w.WriteString("notes", d.Notes);
        w.WriteStartObject("source");
        w.WriteString("kind", d.Source.Kind);
        if (d.Source.Kind == DecisionSourceView.Document)
        {
            w.WriteString("format", d.Source.Format?.ToWire());
            if (d.Source.DocumentRecordId is { } rid) w.WriteNumber("documentRecordId", rid);
            w.WriteString("documentId", d.Source.DocumentId);
            w.WriteString("author", d.Source.Author);
            w.WriteString("version", d.Source.Version);
            if (d.Source.Timestamp is { } t) w.WriteString("timestamp", t.UtcDateTime);
            else w.WriteNull("timestamp");
            w.WriteString("signature", d.Source.Signature?.ToWire());
        }
        w.WriteString("trust", d.Source.Trust.ToWire());
        w.WriteEndObject();
        if (d.SupersedesId is { } s) w.WriteNumber("supersedes", s);
        else w.WriteNull("supersedes");
        if (d.RecordedAt is { } at) w.WriteString("recordedAt", at.UtcDateTime);
        else w.WriteNull("recordedAt");
        w.WriteStartArray("reReview");
        foreach (var f in d.Flags)
        {
            w.WriteStartObject();
            w.WriteString("reason", f.CodeName);
            w.WriteString("message", f.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>{"recorded","applies","governs","decisions":[…],"findings":[…]}</c>.</summary>
    public static void WriteOutcome(Utf8JsonWriter w, DecisionOutcome o)
    {
        w.WriteStartObject();
        w.WriteBoolean("recorded", o.Recorded);
        w.WriteNumber("applies", o.Applies);
        w.WriteNumber("governs", o.Governs);
        w.WriteStartArray("decisions");
        foreach (var d in o.Decisions) WriteDecision(w, d);
        w.WriteEndArray();
        w.WriteStartArray("findings");
        foreach (var f in o.Findings)
        {
            w.WriteStartObject();
            w.WriteNumber("id", f.FindingId);
            w.WriteString("image", f.Image);
            w.WriteString("digest", f.Digest);
            w.WriteString("package", f.Package);
            w.WriteString("vulnerability", f.Vulnerability);
            FindingJson.WriteVex(w, f.Before, "before");
            w.WriteBoolean("governs", f.Governs);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>{"findingId","vex","explanation","history":[{"decision","effective","reason"}]}</c>, oldest first.</summary>
    public static void WriteHistory(Utf8JsonWriter w, DecisionHistory h)
    {
        w.WriteStartObject();
        w.WriteNumber("findingId", h.FindingId);
        FindingJson.WriteVex(w, h.Effective);
        w.WriteString("explanation", h.Explanation);
        w.WriteStartArray("history");
        foreach (var e in h.Timeline)
        {
            w.WriteStartObject();
            w.WritePropertyName("decision");
            WriteDecision(w, e.Decision);
            w.WriteBoolean("effective", e.Effective);
            w.WriteString("reason", e.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteConflicts(Utf8JsonWriter w, IReadOnlyList<DecisionConflict> conflicts)
    {
        w.WriteStartArray();
        foreach (var c in conflicts)
        {
            w.WriteStartObject();
            w.WriteNumber("findingId", c.FindingId);
            if (c.Expected is { } e) w.WriteNumber("expected", e);
            else w.WriteNull("expected");
            if (c.Current is { } d)
            {
                w.WritePropertyName("current");
                WriteDecision(w, d);
            }
            else w.WriteNull("current");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteReReview(Utf8JsonWriter w, IReadOnlyList<ReReviewItem> items)
    {
        w.WriteStartArray();
        foreach (var i in items) WriteDecision(w, i.Decision);
        w.WriteEndArray();
    }

    public static void WriteDocument(Utf8JsonWriter w, VexDocumentView d)
    {
        w.WriteStartObject();
        w.WriteNumber("id", d.Id);
        w.WriteString("format", d.Format.ToWire());
        w.WriteString("specVersion", d.SpecVersion);
        w.WriteString("documentId", d.DocumentId);
        w.WriteString("author", d.Author);
        w.WriteString("version", d.Version);
        if (d.Timestamp is { } t) w.WriteString("timestamp", t.UtcDateTime);
        else w.WriteNull("timestamp");
        w.WriteString("trust", d.Trust.ToWire());
        w.WriteString("signature", d.Signature.ToWire());
        w.WriteString("fileName", d.FileName);
        w.WriteString("sha256", d.Sha256);
        w.WriteNumber("sizeBytes", d.SizeBytes);
        w.WriteNumber("statements", d.Statements);
        w.WriteNumber("matched", d.Matched);
        w.WriteNumber("unmatched", d.Unmatched);
        w.WriteNumber("rejected", d.Rejected);
        w.WriteNumber("decisions", d.Decisions);
        w.WriteString("importedAt", d.ImportedAt.UtcDateTime);
        w.WriteString("lastMatchedAt", d.LastMatchedAt.UtcDateTime);
        w.WriteString("importedBy", d.ImportedBy);
        w.WriteEndObject();
    }

    public static void WriteDocumentDetails(Utf8JsonWriter w, VexDocumentDetails d)
    {
        w.WriteStartObject();
        w.WritePropertyName("document");
        WriteDocument(w, d.Document);
        Issues(w, "issues", d.Issues);
        w.WriteEndObject();
    }

    /// <summary>The contract of `triage vex import --json` and POST /api/v1/vex.</summary>
    public static void WriteImportReport(Utf8JsonWriter w, VexImportReport r)
    {
        w.WriteStartObject();
        w.WritePropertyName("document");
        WriteDocument(w, r.Document);
        w.WriteBoolean("alreadyImported", r.AlreadyImported);
        w.WriteNumber("statements", r.Statements);
        w.WriteNumber("matched", r.Matched);
        w.WriteNumber("unmatched", r.Unmatched.Count);
        w.WriteNumber("rejected", r.Rejected.Count);
        w.WriteNumber("skipped", r.Skipped.Count);
        w.WriteNumber("findings", r.Findings);
        w.WriteNumber("decisionsRecorded", r.DecisionsRecorded);
        Issues(w, "unmatchedStatements", r.Unmatched);
        Issues(w, "rejectedStatements", r.Rejected);
        Issues(w, "skippedStatements", r.Skipped);
        Strings(w, "notes", r.Notes);
        w.WriteEndObject();
    }

    private static void Issues(Utf8JsonWriter w, string name, IReadOnlyList<VexIssueView> issues)
    {
        w.WriteStartArray(name);
        foreach (var i in issues)
        {
            w.WriteStartObject();
            w.WriteString("kind", i.KindName);
            if (i.StatementIndex is { } n) w.WriteNumber("statementIndex", n);
            else w.WriteNull("statementIndex");
            w.WriteString("location", i.Location);
            w.WriteString("vulnerability", i.Vulnerability);
            w.WriteString("product", i.Product);
            w.WriteString("code", i.Code);
            w.WriteString("message", i.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
