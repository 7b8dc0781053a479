using System.Text.Json;

namespace Triage.Core.Tests.Vex.Support;

/// <summary>
/// The CSAF 2.0 VEX profile's rules and the mandatory tests a VEX export can break, written as checks (the JSON schema
/// cannot express them): profile section 4.5 and tests 6.1.1, 6.1.2, 6.1.6, 6.1.16, 6.1.21, 6.1.23, 6.1.27.5–6.1.27.10.
/// </summary>
public static class CsafVexProfile
{
    private static readonly string[] VexStatuses = ["fixed", "known_affected", "known_not_affected", "under_investigation"];
    private static readonly string[] AllStatuses = ["first_affected", "first_fixed", "fixed", "known_affected", "known_not_affected", "last_affected", "recommended", "under_investigation"];

    public static IReadOnlyList<string> Check(string json)
    {
        using var d = JsonDocument.Parse(json);
        var root = d.RootElement;
        var errors = new List<string>();
        var document = root.GetProperty("document");
        if (Str(document, "category") != "csaf_vex") errors.Add("document.category is not csaf_vex");

        // 6.1.1 / 6.1.2: product ids defined exactly once.
        var defined = new List<string>();
        if (!root.TryGetProperty("product_tree", out var tree)) errors.Add("4.5: /product_tree missing");
        else
        {
            void Walk(JsonElement b)
            {
                if (b.TryGetProperty("product", out var p)) defined.Add(Str(p, "product_id")!);
                foreach (var c in Arr(b, "branches")) Walk(c);
            }
            foreach (var b in Arr(tree, "branches")) Walk(b);
            defined.AddRange(Arr(tree, "full_product_names").Select(f => Str(f, "product_id")!));
            defined.AddRange(Arr(tree, "relationships").Select(r => Str(r.GetProperty("full_product_name"), "product_id")!));
            foreach (var dup in defined.GroupBy(x => x).Where(g => g.Count() > 1)) errors.Add($"6.1.2: product id {dup.Key} defined {dup.Count()} times");
            foreach (var r in Arr(tree, "relationships"))
                foreach (var refName in new[] { "product_reference", "relates_to_product_reference" })
                    if (!defined.Contains(Str(r, refName)!)) errors.Add($"6.1.1: relationship refers to undefined {Str(r, refName)}");
        }

        // 6.1.16 / 6.1.21: revision history numbered 1..n, latest = tracking.version.
        var tracking = document.GetProperty("tracking");
        var numbers = Arr(tracking, "revision_history").Select(r => int.Parse(Str(r, "number")!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        if (!numbers.SequenceEqual(Enumerable.Range(1, numbers.Length))) errors.Add("6.1.21: revision history has gaps");
        if (numbers.Length == 0 || numbers[^1].ToString(System.Globalization.CultureInfo.InvariantCulture) != Str(tracking, "version")) errors.Add("6.1.16: latest revision is not tracking.version");

        var vulns = Arr(root, "vulnerabilities").ToArray();
        if (vulns.Length == 0) errors.Add("4.5: /vulnerabilities missing or empty");
        foreach (var dup in vulns.Select(v => Str(v, "cve")).Where(c => c is not null).GroupBy(c => c).Where(g => g.Count() > 1))
            errors.Add($"6.1.23: {dup.Key} used by {dup.Count()} vulnerabilities");
        var i = -1;
        foreach (var v in vulns)
        {
            i++;
            var name = Str(v, "cve") ?? $"vulnerabilities[{i}]";
            if (Str(v, "cve") is null && !Arr(v, "ids").Any()) errors.Add($"6.1.27.8: {name} has neither cve nor ids");
            if (!Arr(v, "notes").Any()) errors.Add($"6.1.27.5: {name} has no notes");
            if (!v.TryGetProperty("product_status", out var ps)) { errors.Add($"6.1.27.6: {name} has no product_status"); continue; }
            if (!VexStatuses.Any(s => Arr(ps, s).Any())) errors.Add($"6.1.27.7: {name} has none of fixed/known_affected/known_not_affected/under_investigation");
            var seen = new Dictionary<string, string>();
            foreach (var s in AllStatuses)
                foreach (var pid in Arr(ps, s).Select(x => x.GetString()!))
                {
                    if (!defined.Contains(pid)) errors.Add($"6.1.1: {name} {s} refers to undefined {pid}");
                    var group = s is "known_not_affected" ? "na" : s is "fixed" or "first_fixed" or "recommended" ? "fixed" : s is "under_investigation" ? "ui" : "affected";
                    if (seen.TryGetValue(pid, out var other) && other != group) errors.Add($"6.1.6: {pid} has contradicting statuses in {name}");
                    seen[pid] = group;
                }
            var flagged = Arr(v, "flags").SelectMany(f => Arr(f, "product_ids")).Select(x => x.GetString()!).ToHashSet();
            var impacts = Arr(v, "threats").Where(t => Str(t, "category") == "impact").SelectMany(t => Arr(t, "product_ids")).Select(x => x.GetString()!).ToHashSet();
            foreach (var pid in Arr(ps, "known_not_affected").Select(x => x.GetString()!))
                if (!flagged.Contains(pid) && !impacts.Contains(pid)) errors.Add($"6.1.27.9: {name}: known_not_affected {pid} has neither flag nor impact threat");
            var remediated = Arr(v, "remediations").SelectMany(r => Arr(r, "product_ids")).Select(x => x.GetString()!).ToHashSet();
            foreach (var pid in Arr(ps, "known_affected").Select(x => x.GetString()!))
                if (!remediated.Contains(pid)) errors.Add($"6.1.27.10: {name}: known_affected {pid} has no remediation");
            foreach (var pid in flagged.Concat(impacts).Concat(remediated))
                if (!defined.Contains(pid)) errors.Add($"6.1.1: {name} refers to undefined {pid}");
        }
        return errors;
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Arr(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];
}
