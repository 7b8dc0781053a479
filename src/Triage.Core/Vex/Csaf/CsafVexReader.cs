using System.Text.Json;
using Triage.Core.Identity;

namespace Triage.Core.Vex.Csaf;

/// <summary>
/// CSAF 2.0 and 2.1 documents read with the VEX profile's meaning (oasis-tcs/csaf, profile csaf_vex). Products come from
/// the product tree: branch leaves, full_product_names and relationships (a relationship's product is the product it
/// relates to, with the referenced component as subcomponent, like Trivy reads them). One statement per vulnerability,
/// status and product; the justification comes from a flag naming the product, the impact statement from an "impact"
/// threat, the action statement from remediations.
/// </summary>
internal static class CsafVexReader
{
    public static VexDocument Read(JsonElement root)
    {
        var document = root.Obj("document")!.Value;
        var version = document.Text("csaf_version");
        if (version is not ("2.0" or "2.1"))
            throw new VexFormatException(VexErrorCode.UnsupportedVersion,
                $"CSAF version '{version ?? "(none)"}' is not supported; Triage reads CSAF 2.0 and 2.1.");
        root.Expect("vulnerabilities", JsonValueKind.Array, "csaf");
        root.Expect("product_tree", JsonValueKind.Object, "csaf");

        var log = new ProblemLog();
        var category = document.Str("category");
        if (category != "csaf_vex")
            log.Add(null, "document.category", VexProblemCode.Lenient,
                $"Category '{category ?? "(none)"}' is not csaf_vex; product statuses are read with VEX meaning anyway.");
        var tracking = document.Obj("tracking");
        var docTime = tracking is { } t0 ? log.Time(t0, "current_release_date", "document.tracking", null) ?? log.Time(t0, "initial_release_date", "document.tracking", null) : null;

        var products = new Dictionary<string, VexComponentRef>(StringComparer.Ordinal);
        var groups = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.Obj("product_tree") is { } tree)
        {
            foreach (var b in tree.Arr("branches")) WalkBranch(b, products);
            foreach (var f in tree.Arr("full_product_names")) AddProduct(f, products);
            foreach (var r in tree.Arr("relationships"))
            {
                var fpn = r.Obj("full_product_name");
                var pid = fpn?.Str("product_id");
                if (pid is null) continue;
                var component = r.Str("product_reference") is { } pr && products.TryGetValue(pr, out var c) ? c : null;
                var parent = r.Str("relates_to_product_reference") is { } rr && products.TryGetValue(rr, out var pp) ? pp : null;
                if (component is null || parent is null)
                {
                    log.Add(null, $"product_tree.relationships[{pid}]", VexProblemCode.UnresolvedReference,
                        $"Relationship {pid} refers to a product the tree does not define.");
                    products.TryAdd(pid, new VexComponentRef { Id = pid, Name = fpn?.Str("name") });
                    continue;
                }
                products.TryAdd(pid, parent with { Id = pid, Name = fpn?.Str("name") ?? parent.Name, Subcomponents = [component] });
            }
            foreach (var g in tree.Arr("product_groups"))
                if (g.Str("group_id") is { } gid) groups[gid] = g.Strings("product_ids").ToArray();
        }

        var statements = new List<ImportedVexStatement>();
        var index = 0;
        var vi = -1;
        foreach (var v in root.Arr("vulnerabilities"))
        {
            vi++;
            var loc = $"vulnerabilities[{vi}]";
            var ids = v.Arr("ids").Select(x => x.Str("text")).OfType<string>().ToList();
            var cve = v.Str("cve");
            var name = cve ?? ids.FirstOrDefault();
            if (name is null)
            {
                log.Add(null, loc, VexProblemCode.MissingVulnerability, "The vulnerability has neither cve nor ids.", skipped: true);
                continue;
            }
            var vuln = new VulnerabilityRef(name, ids);
            var status = v.Obj("product_status");
            if (status is null)
            {
                log.Add(null, loc, VexProblemCode.NotAStatement, $"{name} has no product_status: nothing is stated about any product.", skipped: true);
                continue;
            }

            var flags = v.Arr("flags").ToArray();
            var threats = v.Arr("threats").Where(x => x.Str("category") == "impact").ToArray();
            var remediations = v.Arr("remediations").ToArray();
            if (threats.Any(x => !x.Arr("product_ids").Any() && !x.Arr("group_ids").Any()))
                log.Add(null, $"{loc}.threats", VexProblemCode.Lenient, $"An impact threat of {name} names no product; it is applied to every product of the vulnerability.");

            foreach (var (listName, st) in StatusLists)
            {
                foreach (var pid in status.Value.Strings(listName))
                {
                    var sloc = $"{loc}.product_status.{listName}";
                    if (!products.TryGetValue(pid, out var product))
                    {
                        log.Add(index, sloc, VexProblemCode.UnresolvedReference, $"Product id '{pid}' is not defined in the product tree.");
                        product = new VexComponentRef { Id = pid };
                    }
                    else if (product.Purl is null && product.Cpe is null)
                        log.Add(index, sloc, VexProblemCode.InvalidPurl, $"Product '{pid}' ({product.Name ?? "no name"}) has no purl; it can only be matched by that exact id.");

                    bool Names(JsonElement e) => e.Strings("product_ids").Contains(pid)
                        || e.Strings("group_ids").Any(g => groups.TryGetValue(g, out var members) && members.Contains(pid));

                    VexJustification? justification = null;
                    DateTimeOffset? time = null;
                    var flag = flags.FirstOrDefault(Names);
                    if (flag.ValueKind == JsonValueKind.Object && st == VexStatus.NotAffected)
                    {
                        if (VexNames.TryParseJustification(flag.Str("label"), out var j)) justification = j;
                        else log.Add(index, $"{loc}.flags", VexProblemCode.UnknownValue, $"Flag label '{flag.Str("label")}' is not a VEX justification; ignored.");
                        time = log.Time(flag, "date", $"{loc}.flags", index);
                    }
                    var threat = threats.FirstOrDefault(Names);
                    if (threat.ValueKind != JsonValueKind.Object) threat = threats.FirstOrDefault(x => !x.Arr("product_ids").Any() && !x.Arr("group_ids").Any());
                    var impact = threat.ValueKind == JsonValueKind.Object && st == VexStatus.NotAffected ? threat.Str("details") : null;
                    if (threat.ValueKind == JsonValueKind.Object) time ??= log.Time(threat, "date", $"{loc}.threats", index);

                    string? action = null;
                    var responses = new List<CycloneDxResponse>();
                    if (st == VexStatus.Affected)
                    {
                        var rems = remediations.Where(Names).ToArray();
                        if (rems.Length > 0)
                        {
                            action = string.Join(" ", rems.Select(r => r.Str("details")).OfType<string>());
                            foreach (var r in rems)
                            {
                                if (CsafNames.TryParseRemediation(r.Str("category"), out var cat) && cat.ToResponse() is { } resp) responses.Add(resp);
                                time ??= log.Time(r, "date", $"{loc}.remediations", index);
                            }
                        }
                    }

                    statements.Add(new ImportedVexStatement
                    {
                        Index = index,
                        Location = $"{sloc}[{pid}]",
                        Vulnerability = vuln,
                        Products = [product],
                        Status = st,
                        Justification = justification,
                        ImpactStatement = impact,
                        ActionStatement = string.IsNullOrWhiteSpace(action) ? null : action,
                        Responses = responses,
                        StatusNotes = listName is "first_affected" or "last_affected" or "first_fixed" or "recommended" ? $"CSAF product status {listName}." : null,
                        Timestamp = time ?? docTime,
                    });
                    index++;
                }
            }
            if (status.Value.Strings("unknown").Any())
                log.Add(null, $"{loc}.product_status.unknown", VexProblemCode.NotUsed, "CSAF 2.1 status 'unknown' states nothing; those products are left out.");
        }

        return new VexDocument
        {
            Format = VexFormat.Csaf,
            SpecVersion = version,
            Id = tracking?.Str("id"),
            Author = document.Obj("publisher")?.Str("name"),
            Version = tracking?.Text("version"),
            Timestamp = docTime,
            Tooling = tracking?.Obj("generator")?.Obj("engine") is { } eng ? string.Join(" ", new[] { eng.Str("name"), eng.Str("version") }.Where(x => x is not null)) : null,
            Statements = statements,
            Problems = log.Items,
        };
    }

    /// <summary>CSAF product status lists and their VEX status. "recommended" versions carry the vendor's fix, so they read
    /// as fixed (Grype reads them as affected; see docs/decisions/023-vex-matching.md).</summary>
    private static readonly (string List, VexStatus Status)[] StatusLists =
    [
        ("known_not_affected", VexStatus.NotAffected),
        ("fixed", VexStatus.Fixed),
        ("first_fixed", VexStatus.Fixed),
        ("recommended", VexStatus.Fixed),
        ("known_affected", VexStatus.Affected),
        ("first_affected", VexStatus.Affected),
        ("last_affected", VexStatus.Affected),
        ("under_investigation", VexStatus.UnderInvestigation),
    ];

    private static void WalkBranch(JsonElement b, Dictionary<string, VexComponentRef> products)
    {
        if (b.Obj("product") is { } p) AddProduct(p, products);
        foreach (var child in b.Arr("branches")) WalkBranch(child, products);
    }

    private static void AddProduct(JsonElement p, Dictionary<string, VexComponentRef> products)
    {
        var id = p.Str("product_id");
        if (id is null) return;
        var helper = p.Obj("product_identification_helper");
        // 2.0 has one purl; 2.1 has a list "purls".
        var purlText = helper?.Str("purl") ?? helper?.Strings("purls").FirstOrDefault();
        var purl = purlText is not null && Purl.TryParse(purlText, out var pu) ? pu : (Purl?)null;
        products.TryAdd(id, new VexComponentRef { Id = id, Name = p.Str("name"), Purl = purl, Cpe = helper?.Str("cpe") });
    }
}
