using System.Text.Json.Nodes;

namespace Triage.Core.Vex.OpenVex;

/// <summary>
/// Writes OpenVEX v0.2.0: one statement per effective decision; products are the images as
/// <c>pkg:oci/&lt;name&gt;@sha256:…?repository_url=…</c> with their manifest digest as sha-256 hash; subcomponents are the
/// package purls the decision governs in that image; the vulnerability carries its name and every alias the findings
/// know; each statement keeps its own timestamp.
/// </summary>
public static class OpenVexWriter
{
    public const string Context = "https://openvex.dev/ns/v0.2.0";

    public static VexExportResult Write(VexExportRequest request)
    {
        var (planned, omitted) = VexExportPlanner.Plan(request);
        if (planned.Count == 0)
            throw new VexExportException("No VEX statement governs any finding of the exported images; an OpenVEX document needs at least one statement.");
        var docId = $"urn:triage:vex:{VexWriting.DocumentKey(VexFormat.OpenVex, request)[..32]}";
        var losses = new List<string>();
        var statements = planned.Select(p => Statement(p, losses)).ToArray();

        JsonNode Build(int version, DateTimeOffset time, IReadOnlyList<VexRevision> _)
        {
            var doc = new JsonObject
            {
                ["@context"] = Context,
                ["@id"] = docId,
                ["author"] = request.Author,
            };
            if (request.AuthorRole is not null) doc["role"] = request.AuthorRole;
            doc["timestamp"] = VexWriting.Time(time);
            doc["version"] = version;
            doc["tooling"] = request.Tooling;
            doc["statements"] = VexWriting.Array(statements.Select(s => s.DeepClone()));
            return doc;
        }

        return VexWriting.Finish(VexFormat.OpenVex, request, docId, Build, omitted, losses.Distinct().ToArray());
    }

    private static JsonObject Statement(PlannedStatement p, List<string> losses)
    {
        var s = p.Statement;
        var vuln = new JsonObject { ["name"] = p.Vulnerability.Id };
        if (p.Vulnerability.Aliases.Count > 0) vuln["aliases"] = VexWriting.Strings(p.Vulnerability.Aliases);

        var products = p.Targets.Select(t =>
        {
            var oci = t.Image.OciPurl.ToString();
            return (JsonNode)new JsonObject
            {
                ["@id"] = oci,
                ["identifiers"] = new JsonObject { ["purl"] = oci },
                ["hashes"] = new JsonObject { ["sha-256"] = t.Image.NormalizedDigest["sha256:".Length..] },
                ["subcomponents"] = VexWriting.Array(t.Findings.Select(f => VexWriting.SubcomponentPurl(f.Package)).Distinct().Select(purl => (JsonNode)new JsonObject
                {
                    ["@id"] = purl,
                    ["identifiers"] = new JsonObject { ["purl"] = purl },
                })),
            };
        });

        var o = new JsonObject
        {
            ["vulnerability"] = vuln,
            ["timestamp"] = VexWriting.Time(s.Timestamp),
            ["products"] = VexWriting.Array(products),
            ["status"] = s.Status.ToWire(),
        };
        if (s.Status == VexStatus.NotAffected)
        {
            if (s.EffectiveJustification is { } m)
            {
                if (m.Justification is { } j) o["justification"] = j.ToWire();
                if (m.Loss is not null) losses.Add($"{p.Vulnerability.Id}: {m.Loss}.");
            }
            if (s.ImpactStatementForExport is { } impact) o["impact_statement"] = impact;
        }
        if (s.Status == VexStatus.Affected && s.ActionStatement is { } action)
        {
            o["action_statement"] = s.Responses.Count == 0 ? action : $"{action} (responses: {string.Join(", ", s.Responses.Select(r => r.ToWire()))})";
            o["action_statement_timestamp"] = VexWriting.Time(s.Timestamp);
        }
        var notes = string.Join(" ", new[] { s.Notes, s.ExpiresAt is { } e ? $"Decision expires {VexWriting.Time(e)}." : null }.Where(x => x is not null));
        if (notes.Length > 0) o["status_notes"] = notes;
        // The id is the content's hash: the same decision on the same products keeps its id across exports.
        var id = "urn:triage:vex:statement:" + VexWriting.Sha256Hex(o.ToJsonString())[..32];
        var withId = new JsonObject { ["@id"] = id };
        foreach (var (k, v) in o) withId[k] = v?.DeepClone();
        return withId;
    }
}
