using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Inventory;

/// <summary>trivy-operator output is both: what runs where (the inventory) and what Trivy found in it (the scan).</summary>
public sealed record TrivyOperatorResult(DeploymentInventory Inventory, ParsedReport Report);

/// <summary>
/// Reads trivy-operator VulnerabilityReport CRDs: one report, a <c>kubectl get vulnerabilityreports -A -o json</c> List,
/// or a VulnerabilityReportList. Each report becomes one inventory entry and one <see cref="ParsedTarget"/> of a
/// <see cref="ScannerKind.Trivy"/> report. Fixture: DefectDojo unittests/scans/trivy_operator/vulnerabilityreport_many.json
/// (trivy-operator with Trivy 0.38.2; that version records no image digest and no package type).
/// </summary>
public static class TrivyOperatorReportParser
{
    private const string What = "trivy-operator VulnerabilityReport";
    private static readonly HashSet<string> Streamed = new(StringComparer.Ordinal) { "items" };

    public static async Task<TrivyOperatorResult> ParseAsync(Stream utf8Json, InventoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new InventoryOptions();
        var inventory = new DeploymentInventory { Source = InventorySource.TrivyOperator, Cluster = options.Cluster, ObservedAt = options.ObservedAt };
        var report = new ParsedReport(ScannerKind.Trivy);
        string? rootKind = null;
        var sawItems = false;
        var single = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var shape = new InventoryShape();

        await foreach (var item in JsonItemStream.ReadAsync(utf8Json, Streamed, What, options.MaxDepth, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.Index >= 0)
            {
                sawItems = true;
                if (item.Value.Str("kind") is { } k && k != "VulnerabilityReport")
                {
                    inventory.Warnings.Add($"An item of kind '{k}' was skipped (only VulnerabilityReports are read).");
                    continue;
                }
                AddReport(item.Value, options, inventory, report);
                continue;
            }
            if (item.Property == "kind") rootKind = item.Value.AsString();
            else if (item.Property is "metadata" or "report") single[item.Property] = item.Value;
        }

        if (rootKind == "VulnerabilityReport" || (rootKind is null && single.ContainsKey("report")))
        {
            using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(single));
            AddReport(doc.RootElement, options, inventory, report);
            shape.SingleObject = true;
        }
        else if (!sawItems && rootKind is not ("List" or "VulnerabilityReportList"))
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: expected kind VulnerabilityReport or a List of them, found {(rootKind is null ? "no kind" : $"kind '{rootKind}'")}.");

        // trivy-operator keeps one report per workload container, so a cluster's report list covers the namespaces it scans.
        foreach (var w in inventory.Workloads) shape.Namespaces.Add(w.Namespace);
        inventory.SetCoverage(options, shape);
        report.Warnings.AddRange(inventory.Warnings);
        return new TrivyOperatorResult(inventory, report);
    }

    private static void AddReport(JsonElement cr, InventoryOptions options, DeploymentInventory inventory, ParsedReport parsed)
    {
        var meta = cr.Obj("metadata");
        var labels = meta?.StringMap("labels") ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var body = cr.Obj("report");
        if (body is not { } r)
        {
            inventory.Warnings.Add($"VulnerabilityReport {meta?.Str("name")}: no 'report' section, skipped.");
            return;
        }
        var ns = labels.GetValueOrDefault("trivy-operator.resource.namespace") ?? meta?.Str("namespace") ?? "default";
        var kind = labels.GetValueOrDefault("trivy-operator.resource.kind") ?? "Unknown";
        var name = labels.GetValueOrDefault("trivy-operator.resource.name") ?? meta?.Str("name") ?? "(unnamed)";
        var container = labels.GetValueOrDefault("trivy-operator.container.name");
        var inferred = false;
        if (kind == "ReplicaSet" && StripPodTemplateHash(name) is { } deployment)
        {
            (kind, name, inferred) = ("Deployment", deployment, true);
        }

        var image = ImageOf(r);
        inventory.Workloads.Add(new WorkloadImage
        {
            Cluster = options.Cluster,
            Namespace = ns,
            WorkloadKind = kind,
            WorkloadName = name,
            WorkloadInferred = inferred,
            Container = container,
            Image = image,
            Environment = options.Environments.Resolve(ns, labels),
            Replicas = null,
            Pods = 0,
            Labels = labels.Where(l => !l.Key.StartsWith("trivy-operator.", StringComparison.Ordinal) && l.Key != "resource-spec-hash")
                .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        });

        var scanner = r.Obj("scanner");
        parsed.ScannerVersion ??= scanner?.Str("version");
        var updated = r.Time("updateTimestamp") ?? meta?.Time("creationTimestamp");
        if (updated is { } u && (parsed.CreatedAt is null || u > parsed.CreatedAt)) parsed.CreatedAt = u;

        var target = new ParsedTarget
        {
            Name = image.Reference,
            Kind = "k8s_workload",
            Namespace = ns,
            Workload = $"{kind}/{name}",
            Container = container,
            OsFamily = r.Obj("os")?.Str("family"),
            OsName = r.Obj("os")?.Str("name"),
        };
        if (image.RepoDigest is { } rd) target.RepoDigests.Add(rd);
        if (image.Tag is { } tag && image.Repository is { } repo) target.Tags.Add($"{repo}:{tag}");
        parsed.AddTarget(target);

        var untyped = 0;
        foreach (var v in r.Arr("vulnerabilities"))
        {
            var id = v.Str("vulnerabilityID");
            var pkgName = v.Str("resource");
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(pkgName))
            {
                parsed.Warnings.Add($"{target.Workload}: a vulnerability without id or package was skipped.");
                continue;
            }
            var purl = v.Str("packagePURL") ?? v.Str("pkgPURL");
            var pkg = new ParsedPackage
            {
                Purl = purl,
                Type = PurlType(purl) ?? PackageType(v.Str("packageType"), target.OsFamily) ?? "unknown",
                Name = pkgName,
                Version = v.Str("installedVersion") ?? "",
            };
            if (pkg.Type == "unknown") untyped++;
            if (v.Str("pkgPath") is { Length: > 0 } path) pkg.Paths.Add(path);
            var key = target.AddPackage(pkg);

            var obs = new ParsedObservation { VulnerabilityId = id, PackageKey = key, Severity = SeverityNames.Parse(v.Str("severity")) };
            if (v.Double("score") is { } score) obs.Cvss.Add(new CvssScore(v.Str("cvssSource") ?? "trivy-operator", "3", null, score));
            var fixedIn = v.Str("fixedVersion");
            if (!string.IsNullOrWhiteSpace(fixedIn))
            {
                foreach (var f in fixedIn.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) obs.FixedVersions.Add(f);
                obs.FixState = FixState.Fixed;
            }
            obs.Status = v.Str("status");
            target.AddObservation(obs);

            var vuln = new ParsedVulnerability
            {
                Id = id,
                Title = v.Str("title"),
                Description = v.Str("description"),
                PrimaryUrl = v.Str("primaryLink"),
                PublishedAt = v.Time("publishedDate"),
                ModifiedAt = v.Time("lastModifiedDate"),
            };
            foreach (var l in v.Arr("links")) if (l.AsString() is { Length: > 0 } link) vuln.References.Add(link);
            if (obs.Severity != Severity.Unknown) vuln.SeverityBySource[v.Str("cvssSource") ?? "trivy"] = obs.Severity;
            parsed.AddVulnerability(vuln);
        }
        if (untyped > 0)
            parsed.Warnings.Add($"{target.Workload}: {untyped} vulnerabilities name a package without purl, package type or OS family (older trivy-operator); package type recorded as 'unknown'.");
    }

    private static RuntimeImageReference ImageOf(JsonElement report)
    {
        var artifact = report.Obj("artifact");
        var server = report.Obj("registry")?.Str("server");
        var repo = artifact?.Str("repository");
        var tag = artifact?.Str("tag");
        var digest = artifact?.Str("digest");
        var repository = repo is null ? null : server is { Length: > 0 } ? $"{server}/{repo}" : repo;
        var reference = (repository ?? "(unknown)") + (tag is { Length: > 0 } ? ":" + tag : "") + (digest is { Length: > 0 } ? "@" + digest : "");
        return new RuntimeImageReference(reference, repository, string.IsNullOrEmpty(tag) ? null : tag,
            digest is not null && RuntimeImageReference.IsDigest(digest) ? digest.ToLowerInvariant() : null, null);
    }

    /// <summary>
    /// "nginx-deployment-965685897" → "nginx-deployment". trivy-operator reports name the ReplicaSet but not the
    /// pod-template-hash, so this only strips a last segment made of the hash alphabet Kubernetes uses
    /// (k8s.io/apimachinery rand.SafeEncodeString: no vowels, no 0/1/3) with a plausible length.
    /// </summary>
    internal static string? StripPodTemplateHash(string replicaSet)
    {
        var dash = replicaSet.LastIndexOf('-');
        if (dash <= 0) return null;
        var suffix = replicaSet.AsSpan(dash + 1);
        if (suffix.Length is < 5 or > 10) return null;
        foreach (var c in suffix) if (!SafeAlphabet.Contains(c)) return null;
        return replicaSet[..dash];
    }

    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private static string? PurlType(string? purl)
    {
        if (purl is null || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var slash = purl.IndexOf('/', 4);
        return slash > 4 ? purl[4..slash].ToLowerInvariant() : null;
    }

    /// <summary>Trivy's package/result types to purl types (a small private copy: Runtime must not depend on the Trivy parser).</summary>
    private static string? PackageType(string? type, string? osFamily)
    {
        var t = (type ?? osFamily)?.ToLowerInvariant();
        return t switch
        {
            null or "" => null,
            "alpine" or "wolfi" or "chainguard" => "apk",
            "debian" or "ubuntu" => "deb",
            "redhat" or "centos" or "rocky" or "alma" or "almalinux" or "amazon" or "oracle" or "photon" or "suse" or "opensuse" or "opensuse-leap"
                or "sles" or "cbl-mariner" or "mariner" or "azurelinux" or "fedora" => "rpm",
            "jar" or "pom" or "gradle" or "sbt" => "maven",
            "gomod" or "gobinary" => "golang",
            "pip" or "pipenv" or "poetry" or "python-pkg" or "uv" => "pypi",
            "npm" or "yarn" or "pnpm" or "node-pkg" or "bun" => "npm",
            "gemspec" or "bundler" => "gem",
            "cargo" or "rust-binary" => "cargo",
            "composer" or "composer-vendor" => "composer",
            "nuget" or "dotnet-core" or "packages-props" => "nuget",
            _ => t,
        };
    }
}
