using System.Text.Json;
using Triage.Core.Identity;

namespace Triage.Core.Vex.OpenVex;

/// <summary>
/// OpenVEX v0.2.0 and the earlier v0.0.1 layout (openvex/spec OPENVEX-SPEC.md; openvex_json_schema.json).
/// v0.0.1 wrote products, subcomponents and the vulnerability as plain strings; both forms are read in either version, and
/// the old form inside a v0.2.0 document is reported as <see cref="VexProblemCode.Lenient"/>. Statements inherit the
/// document timestamp when they have none (spec: "Inheritance").
/// </summary>
internal static class OpenVexReader
{
    public static VexDocument Read(JsonElement root)
    {
        var context = root.Str("@context")!;
        var specVersion = context.Length > "https://openvex.dev/ns/".Length
            ? context[(context.LastIndexOf('/') + 1)..]
            : "v0.0.1";
        var legacyDoc = specVersion == "v0.0.1";
        root.Expect("statements", JsonValueKind.Array, "document");
        var log = new ProblemLog();
        var docTime = log.Time(root, "timestamp", "document", null) ?? log.Time(root, "last_updated", "document", null);

        var statements = new List<ImportedVexStatement>();
        var i = -1;
        foreach (var st in root.Arr("statements"))
        {
            i++;
            var loc = $"statements[{i}]";
            if (st.ValueKind != JsonValueKind.Object)
            {
                log.Add(i, loc, VexProblemCode.WrongType, $"A statement is a JSON object; this one is a {VexJson.Kind(st.ValueKind)}.", skipped: true);
                continue;
            }
            var s = ReadStatement(st, i, loc, legacyDoc, docTime, log);
            if (s is not null) statements.Add(s);
        }
        if (i < 0)
            log.Add(null, "statements", VexProblemCode.NotAStatement, "The document has no statements.");

        return new VexDocument
        {
            Format = VexFormat.OpenVex,
            SpecVersion = specVersion,
            Id = root.Str("@id"),
            Author = root.Str("author"),
            Version = root.Text("version"),
            Timestamp = docTime,
            Tooling = root.Str("tooling"),
            Statements = statements,
            Problems = log.Items,
        };
    }

    private static ImportedVexStatement? ReadStatement(JsonElement st, int i, string loc, bool legacyDoc, DateTimeOffset? docTime, ProblemLog log)
    {
        VulnerabilityRef? vuln = null;
        switch (st.Prop("vulnerability"))
        {
            case { ValueKind: JsonValueKind.String } v when !string.IsNullOrWhiteSpace(v.GetString()):
                if (!legacyDoc) log.Add(i, $"{loc}.vulnerability", VexProblemCode.Lenient, "The vulnerability is a plain string (OpenVEX v0.0.1 form); read as its name.");
                vuln = new VulnerabilityRef(v.GetString()!);
                break;
            case { ValueKind: JsonValueKind.Object } v:
                var name = v.Str("name") ?? LastSegment(v.Str("@id"));
                // go-vex also matches on @id, but it is an IRI (https://pkg.go.dev/vuln/GO-…) that no scanner reports; name and aliases carry the ids.
                if (name is not null) vuln = new VulnerabilityRef(name, v.Strings("aliases"));
                break;
        }
        if (vuln is null)
        {
            log.Add(i, $"{loc}.vulnerability", VexProblemCode.MissingVulnerability, "The statement names no vulnerability.", skipped: true);
            return null;
        }

        var statusText = st.Str("status");
        if (!VexNames.TryParseStatus(statusText, out var status))
        {
            log.Add(i, $"{loc}.status", VexProblemCode.UnknownStatus,
                $"Status '{statusText ?? "(none)"}' is not one of not_affected, affected, fixed, under_investigation.", skipped: true);
            return null;
        }

        VexJustification? justification = null;
        if (st.Str("justification") is { } jt)
        {
            if (VexNames.TryParseJustification(jt, out var j)) justification = j;
            else log.Add(i, $"{loc}.justification", VexProblemCode.UnknownValue, $"Justification '{jt}' is not an OpenVEX justification; ignored.");
        }

        var products = new List<VexComponentRef>();
        var p = -1;
        foreach (var pe in st.Arr("products"))
        {
            p++;
            var c = ReadComponent(pe, i, $"{loc}.products[{p}]", legacyDoc, log, withSubcomponents: true);
            if (c is not null) products.Add(c);
        }
        // v0.0.1 put subcomponents beside products; they apply to every product.
        var looseSubs = st.Arr("subcomponents").Select((e, k) => ReadComponent(e, i, $"{loc}.subcomponents[{k}]", legacyDoc, log, withSubcomponents: false))
            .OfType<VexComponentRef>().ToArray();
        if (looseSubs.Length > 0)
            products = products.Select(pr => pr with { Subcomponents = [.. pr.Subcomponents, .. looseSubs] }).ToList();

        return new ImportedVexStatement
        {
            Index = i,
            Location = loc,
            Vulnerability = vuln,
            Products = products,
            Status = status,
            Justification = justification,
            ImpactStatement = st.Str("impact_statement"),
            ActionStatement = st.Str("action_statement"),
            StatusNotes = st.Str("status_notes"),
            Supplier = st.Str("supplier"),
            Timestamp = log.Time(st, "timestamp", loc, i) ?? log.Time(st, "last_updated", loc, i) ?? docTime,
        };
    }

    private static VexComponentRef? ReadComponent(JsonElement e, int i, string loc, bool legacyDoc, ProblemLog log, bool withSubcomponents)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            var id = e.GetString()!.Trim();
            if (id.Length == 0) return null;
            if (!legacyDoc) log.Add(i, loc, VexProblemCode.Lenient, $"The component '{id}' is a plain string (OpenVEX v0.0.1 form); read as its @id.");
            return new VexComponentRef { Id = id, Purl = PurlOf(id, null, i, loc, log) };
        }
        if (e.ValueKind != JsonValueKind.Object)
        {
            log.Add(i, loc, VexProblemCode.WrongType, $"A component is a JSON object; this one is a {VexJson.Kind(e.ValueKind)}; ignored.");
            return null;
        }
        var identifiers = e.Obj("identifiers");
        var atId = e.Str("@id");
        var purlText = identifiers?.Str("purl");
        var cpe = identifiers?.Str("cpe23") ?? identifiers?.Str("cpe22");
        var compId = atId ?? purlText ?? cpe;
        if (compId is null)
        {
            log.Add(i, loc, VexProblemCode.WrongType, "The component has neither @id nor identifiers; ignored.");
            return null;
        }
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.Obj("hashes") is { } h)
            foreach (var prop in h.EnumerateObject())
                if (prop.Value.ValueKind == JsonValueKind.String) hashes[prop.Name.ToLowerInvariant()] = prop.Value.GetString()!;
        var subs = withSubcomponents
            ? e.Arr("subcomponents").Select((s, k) => ReadComponent(s, i, $"{loc}.subcomponents[{k}]", legacyDoc, log, withSubcomponents: false)).OfType<VexComponentRef>().ToArray()
            : [];
        return new VexComponentRef
        {
            Id = compId,
            Purl = PurlOf(atId, purlText, i, loc, log, cpe is not null),
            Cpe = cpe,
            Hashes = hashes,
            Subcomponents = subs,
        };
    }

    private static Purl? PurlOf(string? atId, string? identifierPurl, int i, string loc, ProblemLog log, bool hasOtherIdentifier = false)
    {
        if (identifierPurl is not null)
        {
            if (Purl.TryParse(identifierPurl, out var p1)) return p1;
            log.Add(i, $"{loc}.identifiers.purl", VexProblemCode.InvalidPurl, $"'{identifierPurl}' is not a valid purl.");
        }
        if (atId is not null && atId.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            if (Purl.TryParse(atId, out var p2)) return p2;
            log.Add(i, $"{loc}.@id", VexProblemCode.InvalidPurl, $"'{atId}' is not a valid purl.");
            return null;
        }
        if (identifierPurl is null && !hasOtherIdentifier && atId is not null)
            log.Add(i, loc, VexProblemCode.InvalidPurl, $"The product '{atId}' is not a purl and has no purl identifier; it can only be matched by that exact id.");
        return null;
    }

    private static string? LastSegment(string? iri) => iri is null ? null : iri.TrimEnd('/')[(iri.TrimEnd('/').LastIndexOf('/') + 1)..];
}
