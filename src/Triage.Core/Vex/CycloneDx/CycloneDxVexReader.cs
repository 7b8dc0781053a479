using System.Globalization;
using System.Text.Json;
using Triage.Core.Identity;

namespace Triage.Core.Vex.CycloneDx;

/// <summary>
/// CycloneDX VEX 1.4–1.7, standalone or inside a BOM: every <c>vulnerabilities[]</c> entry with an <c>analysis</c> is a
/// statement. <c>affects[].ref</c> resolves through the BOM's own <c>bom-ref</c>s, or through a BOM-link
/// (<c>urn:cdx:serial/version#bom-ref</c>) into this BOM or another one. A ref into another BOM names a component of that
/// SBOM only (Trivy applies such a statement to that SBOM alone): when this document ties the SBOM to an image (a container
/// component whose <c>externalReferences</c> has it as <c>bom</c>, as Triage's export writes) the component becomes a
/// subcomponent of that image; otherwise it is kept with <see cref="VexComponentRef.ExternalBom"/> set, and the purl its
/// bom-ref spells for display, so the matcher reports it instead of applying it to the package everywhere
/// (docs/decisions/105-vex-import-scope.md). A component nested in a container component (or listed in a BOM whose
/// <c>metadata.component</c> is a container image) becomes a subcomponent of that image, so an image VEX round-trips.
/// <c>references[].id</c> are aliases ("pointers to vulnerabilities that are the equivalent").
/// </summary>
internal static class CycloneDxVexReader
{
    private sealed record Node(VexComponentRef Component, bool IsContainer, Node? Parent);

    public static VexDocument Read(JsonElement root)
    {
        var spec = root.Text("specVersion") ?? "";
        if (!decimal.TryParse(spec, NumberStyles.Number, CultureInfo.InvariantCulture, out var sv))
            throw new VexFormatException(VexErrorCode.UnsupportedVersion, $"CycloneDX specVersion '{spec}' is not a version number.");
        if (sv < 1.4m)
            throw new VexFormatException(VexErrorCode.UnsupportedVersion, $"CycloneDX {spec} has no VEX (analysis arrived in 1.4); Triage reads 1.4 to 1.7.");
        root.Expect("vulnerabilities", JsonValueKind.Array, "bom");
        root.Expect("components", JsonValueKind.Array, "bom");

        var log = new ProblemLog();
        var serial = root.Str("serialNumber");
        var bomVersion = root.Text("version") ?? "1";
        var metadata = root.Obj("metadata");
        var docTime = metadata is { } m0 ? log.Time(m0, "timestamp", "metadata", null) : null;

        // Index every component by bom-ref, remembering the container it sits in, and every image by the SBOMs it names.
        var byRef = new Dictionary<string, Node>(StringComparer.Ordinal);
        var bySbom = new Dictionary<string, Node>(StringComparer.OrdinalIgnoreCase);
        Node? subject = null;
        if (metadata?.Obj("component") is { } mc) subject = Index(mc, null, byRef, bySbom);
        var topParent = subject is { IsContainer: true } ? subject : null;
        foreach (var c in root.Arr("components")) Index(c, topParent, byRef, bySbom);

        var statements = new List<ImportedVexStatement>();
        var i = -1;
        var vulnCount = 0;
        foreach (var v in root.Arr("vulnerabilities"))
        {
            i++;
            vulnCount++;
            var loc = $"vulnerabilities[{i}]";
            var id = v.Str("id");
            if (id is null)
            {
                log.Add(i, loc, VexProblemCode.MissingVulnerability, "The vulnerability has no id.", skipped: true);
                continue;
            }
            if (v.Obj("analysis") is not { } analysis)
            {
                log.Add(i, loc, VexProblemCode.NotAStatement, $"{id} has no analysis: it reports the vulnerability but states nothing about exploitability.", skipped: true);
                continue;
            }
            var stateText = analysis.Str("state");
            if (!CycloneDxNames.TryParseState(stateText, out var state))
            {
                log.Add(i, $"{loc}.analysis.state", VexProblemCode.UnknownStatus,
                    stateText is null ? $"{id} has an analysis without a state." : $"State '{stateText}' is not a CycloneDX impact analysis state.", skipped: true);
                continue;
            }
            CycloneDxJustification? justification = null;
            if (analysis.Str("justification") is { } jt)
            {
                if (CycloneDxNames.TryParseJustification(jt, out var j)) justification = j;
                else log.Add(i, $"{loc}.analysis.justification", VexProblemCode.UnknownValue, $"Justification '{jt}' is not a CycloneDX justification; ignored.");
            }
            var responses = new List<CycloneDxResponse>();
            foreach (var r in analysis.Strings("response"))
            {
                if (CycloneDxNames.TryParseResponse(r, out var resp)) responses.Add(resp);
                else log.Add(i, $"{loc}.analysis.response", VexProblemCode.UnknownValue, $"Response '{r}' is not a CycloneDX response; ignored.");
            }
            var status = state.ToStatus();
            if (status != VexStatus.NotAffected && justification is not null)
            {
                log.Add(i, $"{loc}.analysis.justification", VexProblemCode.UnknownValue,
                    $"A justification only goes with not_affected; state {state.ToWire()} keeps it out.");
                justification = null;
            }
            var detail = analysis.Str("detail");

            var products = new List<VexComponentRef>();
            var a = -1;
            foreach (var aff in v.Arr("affects"))
            {
                a++;
                var r = aff.Str("ref");
                if (r is null) { log.Add(i, $"{loc}.affects[{a}]", VexProblemCode.UnresolvedReference, "An affects entry without ref; ignored."); continue; }
                var product = Resolve(r, serial, byRef, bySbom, i, $"{loc}.affects[{a}]", log);
                if (product is not null) products.Add(product);
                if (aff.Arr("versions").Any())
                    log.Add(i, $"{loc}.affects[{a}].versions", VexProblemCode.NotUsed,
                        "Version ranges in affects are kept out of matching; the referenced component's own version decides.");
            }

            statements.Add(new ImportedVexStatement
            {
                Index = i,
                Location = loc,
                Vulnerability = new VulnerabilityRef(id, v.Arr("references").Select(x => x.Str("id")).OfType<string>()),
                Products = MergeByProduct(products),
                Status = status,
                CycloneDxState = state,
                CycloneDxJustification = justification,
                // detail is the "why" for not_affected, the "what to do" for exploitable; the responses say it in words too.
                ImpactStatement = status == VexStatus.NotAffected ? detail : null,
                ActionStatement = status == VexStatus.Affected ? ActionText(detail, responses) : null,
                StatusNotes = status is VexStatus.Fixed or VexStatus.UnderInvestigation ? detail : null,
                Responses = responses,
                Timestamp = log.Time(analysis, "lastUpdated", $"{loc}.analysis", i) ?? log.Time(analysis, "firstIssued", $"{loc}.analysis", i)
                            ?? log.Time(v, "updated", loc, i) ?? log.Time(v, "published", loc, i) ?? log.Time(v, "created", loc, i) ?? docTime,
            });
        }
        if (vulnCount > 0 && statements.Count == 0 && log.Items.All(p => p.Code == VexProblemCode.NotAStatement))
            throw new VexFormatException(VexErrorCode.NoStatements,
                $"The CycloneDX BOM lists {vulnCount} vulnerabilit{(vulnCount == 1 ? "y" : "ies")} but none has an analysis: it is a vulnerability report, not VEX.");
        if (vulnCount == 0)
            throw new VexFormatException(VexErrorCode.NoStatements, "The CycloneDX BOM has no vulnerabilities section: there is no VEX in it.");

        return new VexDocument
        {
            Format = VexFormat.CycloneDx,
            SpecVersion = spec,
            Id = serial is null ? null : $"{serial}/{bomVersion}",
            Author = Author(metadata),
            Version = bomVersion,
            Timestamp = docTime,
            Tooling = Tools(metadata),
            Statements = statements,
            Problems = log.Items,
        };
    }

    private static Node Index(JsonElement c, Node? parent, Dictionary<string, Node> byRef, Dictionary<string, Node> bySbom)
    {
        var bomRef = c.Str("bom-ref");
        var purl = c.Str("purl") is { } ps && Purl.TryParse(ps, out var p) ? p : (Purl?)null;
        var name = string.Join("/", new[] { c.Str("group"), c.Str("name") }.Where(x => x is not null));
        var version = c.Str("version");
        var hashes = c.Arr("hashes")
            .Select(h => (Alg: h.Str("alg"), Content: h.Str("content")))
            .Where(h => h.Alg is not null && h.Content is not null)
            .GroupBy(h => h.Alg!.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.First().Content!, StringComparer.Ordinal);
        var comp = new VexComponentRef
        {
            Id = bomRef ?? purl?.ToString() ?? name,
            Purl = purl,
            Name = name.Length == 0 ? null : version is null ? name : $"{name} {version}",
            Cpe = c.Str("cpe"),
            Hashes = hashes,
        };
        var isContainer = c.Str("type") == "container" || purl is { Type: "oci" };
        var node = new Node(comp, isContainer, parent);
        if (bomRef is not null) byRef.TryAdd(bomRef, node);
        if (isContainer)
            foreach (var er in c.Arr("externalReferences"))
                if (er.Str("type") == "bom" && er.Str("url") is { } url && url.StartsWith("urn:cdx:", StringComparison.OrdinalIgnoreCase) && !url.Contains('#'))
                    bySbom.TryAdd(url, node);
        var childParent = isContainer ? node : parent;
        foreach (var child in c.Arr("components")) Index(child, childParent, byRef, bySbom);
        return node;
    }

    private static VexComponentRef? Resolve(string r, string? serial, Dictionary<string, Node> byRef, Dictionary<string, Node> bySbom, int i, string loc,
        ProblemLog log)
    {
        var local = r;
        if (r.StartsWith("urn:cdx:", StringComparison.OrdinalIgnoreCase))
        {
            var hash = r.IndexOf('#');
            var bom = hash < 0 ? r : r[..hash];
            var frag = hash < 0 ? null : Uri.UnescapeDataString(r[(hash + 1)..]);
            var bomSerial = "urn:uuid:" + bom["urn:cdx:".Length..].Split('/')[0];
            if (frag is null)
            {
                log.Add(i, loc, VexProblemCode.UnresolvedReference, $"BOM-link '{r}' names a whole BOM, not a component; ignored.");
                return null;
            }
            if (serial is null || !string.Equals(serial, bomSerial, StringComparison.OrdinalIgnoreCase))
            {
                // A standalone VEX pointing into an image's SBOM (Trivy's recommended layout). The bom-ref is a package of that
                // SBOM: read as the bare purl it would reach the package in every image, so it is bound to the image this
                // document says the SBOM describes, or kept as a reference into an unknown SBOM for the matcher to report.
                var isPurl = Purl.TryParse(frag, out var ext);
                if (isPurl && bySbom.TryGetValue(bom, out var sbomImage))
                    return sbomImage.Component with { Subcomponents = [new VexComponentRef { Id = r, Purl = ext }] };
                if (isPurl) return new VexComponentRef { Id = r, Purl = ext, ExternalBom = bom };
                log.Add(i, loc, VexProblemCode.UnresolvedReference,
                    $"BOM-link '{r}' points into another BOM ({bomSerial}) and its bom-ref '{frag}' is not a purl: it cannot be matched without that SBOM.");
                return new VexComponentRef { Id = r, Name = frag, ExternalBom = bom };
            }
            local = frag;
        }
        if (byRef.TryGetValue(local, out var node))
        {
            if (!node.IsContainer && FindContainer(node.Parent) is { } image)
                return image.Component with { Subcomponents = [node.Component] };
            if (node.Component.Purl is null)
                log.Add(i, loc, VexProblemCode.InvalidPurl, $"Component '{local}' ({node.Component.Name ?? "no name"}) has no purl; it can only be matched by that exact id.");
            return node.Component;
        }
        if (Purl.TryParse(local, out var p))
        {
            log.Add(i, loc, VexProblemCode.Lenient, $"Ref '{local}' is not a bom-ref in this BOM; read as the purl it spells.");
            return new VexComponentRef { Id = local, Purl = p };
        }
        log.Add(i, loc, VexProblemCode.UnresolvedReference, $"Ref '{local}' is not a bom-ref in this BOM and not a purl.");
        return new VexComponentRef { Id = local };
    }

    private static Node? FindContainer(Node? n)
    {
        for (; n is not null; n = n.Parent) if (n.IsContainer) return n;
        return null;
    }

    /// <summary>Several affects refs into one image become one product with several subcomponents.</summary>
    private static IReadOnlyList<VexComponentRef> MergeByProduct(List<VexComponentRef> products) =>
        products.GroupBy(p => p.Id, StringComparer.Ordinal)
            .Select(g => g.First() with { Subcomponents = g.SelectMany(x => x.Subcomponents).DistinctBy(s => s.Id).ToArray() })
            .ToArray();

    private static string? ActionText(string? detail, List<CycloneDxResponse> responses)
    {
        if (responses.Count == 0) return detail;
        var r = "Response: " + string.Join(", ", responses.Select(x => x.ToWire())) + ".";
        return detail is null ? r : $"{detail} {r}";
    }

    private static string? Author(JsonElement? metadata)
    {
        if (metadata is not { } m) return null;
        var author = m.Arr("authors").Select(a => a.Str("name")).FirstOrDefault(n => n is not null);
        return author ?? m.Obj("supplier")?.Str("name") ?? m.Obj("manufacturer")?.Str("name") ?? m.Obj("manufacture")?.Str("name") ?? m.Str("author");
    }

    private static string? Tools(JsonElement? metadata)
    {
        if (metadata is not { } m || m.Prop("tools") is not { } tools) return null;
        // 1.4 lists tools as an array; 1.5+ as an object with components (and services).
        var list = tools.ValueKind == JsonValueKind.Array ? tools.EnumerateArray().ToArray() : tools.Arr("components").ToArray();
        var names = list.Select(t => string.Join(" ", new[] { t.Str("vendor") ?? t.Obj("manufacturer")?.Str("name") ?? t.Str("group"), t.Str("name"), t.Str("version") }.Where(x => x is not null)))
            .Where(s => s.Length > 0).ToArray();
        return names.Length == 0 ? null : string.Join("; ", names);
    }
}
