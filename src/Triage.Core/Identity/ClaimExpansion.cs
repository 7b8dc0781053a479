using Triage.Core.Domain;
using Triage.Core.Ingest;

namespace Triage.Core.Identity;

/// <summary>A relation between two vulnerability ids and who asserted it.</summary>
public readonly record struct IdRelation(string FromId, string ToId, AliasRelation Relation, string Source);

/// <summary>
/// Turns one scanner record into the ids that key findings and the relations it asserts (docs/decisions/003-identity.md):
/// a record is evidence for each CVE it names; a non-CVE id with exactly one CVE is an alias of it; two CVEs are never
/// aliases of each other; distro advisories are upstream of the CVEs they fix, never aliases.
/// </summary>
public static class ClaimExpansion
{
    public static (List<string> FindingIds, List<IdRelation> Relations) Expand(ParsedObservation o, ScannerKind scanner)
    {
        var raw = VulnerabilityIds.Normalize(o.VulnerabilityId);
        var source = scanner switch
        {
            ScannerKind.Grype => "grype-related",
            ScannerKind.Snyk => "snyk-identifiers",
            ScannerKind.Trivy => "trivy",
        };
        var rawKind = VulnerabilityIds.Kind(raw);

        var cves = new List<string>();
        var others = new List<string>();
        var advisories = new List<string>();
        if (rawKind == VulnIdKind.Cve) cves.Add(raw);
        foreach (var a0 in o.Aliases)
        {
            var a = VulnerabilityIds.Normalize(a0);
            if (a.Length == 0 || a == raw) continue;
            switch (VulnerabilityIds.Kind(a))
            {
                case VulnIdKind.Cve: if (!cves.Contains(a)) cves.Add(a); break;
                case VulnIdKind.Advisory or VulnIdKind.Other: if (!advisories.Contains(a)) advisories.Add(a); break;
                default: if (!others.Contains(a)) others.Add(a); break;
            }
        }

        var relations = new List<IdRelation>();
        List<string> findingIds;
        if (rawKind == VulnIdKind.Cve)
        {
            // A CVE record's related CVEs (Grype lists the NVD record of the same CVE) are never merged into it.
            findingIds = [raw];
            foreach (var a in others) relations.Add(new IdRelation(a, raw, AliasRelation.Alias, source));
        }
        else if (rawKind == VulnIdKind.Advisory)
        {
            findingIds = cves.Count > 0 ? [.. cves] : [raw];
            foreach (var c in cves) relations.Add(new IdRelation(raw, c, AliasRelation.Upstream, source));
        }
        else if (cves.Count == 1)
        {
            findingIds = [cves[0]];
            relations.Add(new IdRelation(raw, cves[0], AliasRelation.Alias, source));
            foreach (var a in others) relations.Add(new IdRelation(a, cves[0], AliasRelation.Alias, source));
        }
        else if (cves.Count > 1)
        {
            // One record naming several CVEs is evidence for each; it cannot be an alias of two different CVEs.
            findingIds = [.. cves];
        }
        else
        {
            findingIds = [raw];
            foreach (var a in others) relations.Add(new IdRelation(a, raw, AliasRelation.Alias, source));
        }

        foreach (var adv in advisories)
            foreach (var f in findingIds)
                if (adv != f) relations.Add(new IdRelation(adv, f, AliasRelation.Upstream, source));
        foreach (var u0 in o.Upstream)
        {
            var u = VulnerabilityIds.Normalize(u0);
            foreach (var f in findingIds)
                if (u.Length > 0 && u != f) relations.Add(new IdRelation(u, f, AliasRelation.Upstream, scanner == ScannerKind.Trivy ? "trivy-vendor-ids" : source));
        }
        return (findingIds, relations);
    }
}
