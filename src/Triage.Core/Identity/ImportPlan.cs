using Triage.Core.Domain;
using Triage.Core.Ingest;

namespace Triage.Core.Identity;

/// <summary>
/// The identity decisions for one parsed report, made before touching the database: which artifact each target is,
/// which (package, vulnerability id) findings it claims, and which id relations it asserts. Pure and testable.
/// </summary>
public sealed class ImportPlan
{
    public required ParsedReport Report { get; init; }
    public List<ArtifactPlan> Artifacts { get; } = [];
    /// <summary>Relations between ids asserted by the report (aliases and upstream advisories).</summary>
    public HashSet<IdRelation> Relations { get; } = [];
    public List<string> Warnings { get; } = [];

    /// <summary>Longest identifier, in UTF-8 bytes, a report may carry (vulnerability ids, package coordinates, image
    /// names, digests, tags). They are database keys: PostgreSQL's B-tree index rows hold about 2,700 bytes, and no real
    /// id comes near this.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Refuses a plan whose identifiers are longer than <see cref="MaxKeyBytes"/> (a clean error before anything is
    /// stored, instead of an index failure in the middle of the transaction).</summary>
    public void CheckKeyLengths()
    {
        static void Check(string what, string? value)
        {
            if (value is null || value.Length * 3 <= MaxKeyBytes && value.Length <= MaxKeyBytes) return;
            var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
            if (bytes > MaxKeyBytes)
                throw new Ingest.ReportFormatException(Ingest.ReportErrorCode.FieldTooLong,
                    $"A {what} is {bytes:N0} bytes long (at most {MaxKeyBytes:N0}): \"{value[..40]}…\"");
        }
        foreach (var id in VulnerabilityIds()) Check("vulnerability id", id);
        foreach (var a in Artifacts)
        {
            Check("image name", a.Repository);
            Check("image digest", a.Digest);
            Check("image id", a.ImageId);
            foreach (var t in a.Tags) Check("image tag", t);
            foreach (var k in a.Packages.Keys)
            {
                Check("package type", k.Type);
                Check("package namespace", k.Namespace);
                Check("package name", k.Name);
                Check("package version", k.Version);
                Check("package identifier (purl)", k.ToString());
            }
        }
    }

    /// <summary>Every id that needs a vulnerability record: finding ids, the scanners' own ids, alias endpoints.</summary>
    public HashSet<string> VulnerabilityIds()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in Artifacts)
            foreach (var c in a.Claims.Values)
            {
                ids.Add(c.FindingVulnId);
                foreach (var raw in c.Observations.Keys) ids.Add(raw);
            }
        foreach (var r in Relations)
            if (r.Relation == AliasRelation.Alias) { ids.Add(r.FromId); ids.Add(r.ToId); }
        return ids;
    }

    /// <param name="imageOverride">--image: names the image when the report does not, or spells it differently.
    /// Ignored (with a warning) for reports that name several different images, such as cluster reports.</param>
    /// <param name="fileName">Used to name a target that has no name at all.</param>
    public static ImportPlan Build(ParsedReport report, string? imageOverride, string fileName)
    {
        var plan = new ImportPlan { Report = report };
        ImageReference? overrideRef = null;
        if (!string.IsNullOrWhiteSpace(imageOverride))
        {
            if (!ImageReference.TryParse(imageOverride, out overrideRef))
                throw new ArgumentException($"--image '{imageOverride}' is not an image reference");
        }

        var distinctImages = report.Targets
            .Where(t => t.Kind is "container_image" or "k8s_workload" && !string.IsNullOrEmpty(t.Name))
            .Select(t => ImageReference.TryParse(t.Name, out var r) ? r!.Repository : t.Name!)
            .Distinct(StringComparer.Ordinal).Count();
        if (overrideRef is not null && distinctImages > 1)
        {
            plan.Warnings.Add($"the report names {distinctImages} different images; --image was ignored");
            overrideRef = null;
        }

        var byKey = new Dictionary<string, ArtifactPlan>(StringComparer.Ordinal);
        // Normalising a package parses its purl: do it once per package, not once per claim.
        var keys = new Dictionary<ParsedPackage, PackageKey>(ReferenceEqualityComparer.Instance);
        PackageKey KeyOf(ParsedPackage p)
        {
            if (!keys.TryGetValue(p, out var k)) keys[p] = k = PackageIdentity.Normalize(p);
            return k;
        }
        foreach (var target in report.Targets)
        {
            var identity = ResolveArtifact(target, overrideRef, fileName);
            if (!byKey.TryGetValue(identity.Key, out var ap))
            {
                ap = identity;
                byKey.Add(ap.Key, ap);
                plan.Artifacts.Add(ap);
            }
            ap.Absorb(target);

            foreach (var ((_, pkgLocalKey), obs) in target.Observations)
            {
                if (!target.Packages.TryGetValue(pkgLocalKey, out var pkg)) continue;
                var key = KeyOf(pkg);
                var (findingIds, relations) = ClaimExpansion.Expand(obs, report.Scanner);
                foreach (var r in relations) plan.Relations.Add(r);
                var raw = VulnerabilityIdsNormalize(obs.VulnerabilityId);
                foreach (var fid in findingIds)
                {
                    if (!ap.Claims.TryGetValue((key, fid), out var claim))
                    {
                        claim = new ClaimPlan { Package = key, PackageInfo = pkg, FindingVulnId = fid };
                        ap.Claims.Add((key, fid), claim);
                    }
                    if (claim.Observations.TryGetValue(raw, out var existing))
                    {
                        // A repeat from another target of the same artifact: merge into a private copy so the parsed report stays as parsed.
                        if (!claim.Owned.Contains(raw)) { existing = Clone(existing); claim.Observations[raw] = existing; claim.Owned.Add(raw); }
                        existing.MergeFrom(obs);
                    }
                    else claim.Observations.Add(raw, obs);
                }
            }
            foreach (var pkg in target.Packages.Values)
            {
                var key = KeyOf(pkg);
                if (!ap.Packages.TryGetValue(key, out var existing)) ap.Packages.Add(key, pkg);
                else if (!ReferenceEquals(existing, pkg)) existing.MergeFrom(pkg);
            }
        }
        return plan;
    }

    private static string VulnerabilityIdsNormalize(string id) => Identity.VulnerabilityIds.Normalize(id);

    // Repeats from different targets of the same artifact merge into a copy, so the parsed report stays as parsed.
    private static ParsedObservation Clone(ParsedObservation o)
    {
        var c = new ParsedObservation { VulnerabilityId = o.VulnerabilityId, PackageKey = o.PackageKey };
        c.MergeFrom(o);
        c.Severity = o.Severity;
        c.SeveritySource = o.SeveritySource;
        return c;
    }

    private static ArtifactPlan ResolveArtifact(ParsedTarget target, ImageReference? overrideRef, string fileName)
    {
        var isImage = target.Kind is "container_image" or "k8s_workload";
        ImageReference? reference = overrideRef;
        if (reference is null && isImage && !string.IsNullOrEmpty(target.Name)) ImageReference.TryParse(target.Name, out reference);

        string repository;
        string? tag = reference?.Tag;
        string? digest = reference?.Digest;
        if (reference is not null) repository = reference.Repository;
        else
        {
            var name = target.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name is "." or "/" or "./") name = Path.GetFileNameWithoutExtension(fileName);
            repository = name.ToLowerInvariant();
        }

        // The repository digest identifies the image whatever the report calls it; prefer the one of this repository.
        if (digest is null && target.RepoDigests.Count > 0)
        {
            string? first = null;
            foreach (var rd in target.RepoDigests)
            {
                if (!ImageReference.TryParse(rd, out var r) || r!.Digest is null) continue;
                first ??= r.Digest;
                if (r.Repository == repository) { digest = r.Digest; break; }
            }
            digest ??= first;
        }

        var plan = new ArtifactPlan
        {
            Repository = repository,
            Digest = digest,
            ImageId = ImageReference.IsDigest(target.ImageId) ? target.ImageId!.ToLowerInvariant() : null,
            Kind = target.Kind,
        };
        if (tag is not null) plan.Tags.Add(tag);
        else if (reference is not null && digest is null && isImage) plan.Tags.Add("latest");
        foreach (var t in target.Tags)
        {
            if (ImageReference.TryParse(t, out var tr) && tr!.Tag is not null)
            {
                if (tr.Repository == repository && !plan.Tags.Contains(tr.Tag)) plan.Tags.Add(tr.Tag);
            }
            else if (!t.Contains('/') && !t.Contains(':') && !plan.Tags.Contains(t)) plan.Tags.Add(t);
        }
        return plan;
    }
}

/// <summary>One artifact (image digest, or an image reference without digest, or a scanned tree) of a report.</summary>
public sealed class ArtifactPlan
{
    public required string Repository { get; init; }
    public string? Digest { get; init; }
    public string? ImageId { get; init; }
    public required string Kind { get; init; }
    public List<string> Tags { get; } = [];
    public List<string> TargetNames { get; } = [];
    public string? OsFamily { get; private set; }
    public string? OsName { get; private set; }
    public string? BaseImage { get; private set; }
    public long? SizeBytes { get; private set; }
    public Dictionary<PackageKey, ParsedPackage> Packages { get; } = [];
    public Dictionary<(PackageKey Package, string VulnId), ClaimPlan> Claims { get; } = [];

    /// <summary>Identity of this artifact within one report.</summary>
    public string Key => $"{Repository}|{Digest ?? ImageId ?? string.Join(',', Tags)}";

    /// <summary>"repository:tag" or "repository@digest", for summaries.</summary>
    public string DisplayName => Tags.Count > 0 ? $"{Repository}:{Tags[0]}" : Digest is not null ? $"{Repository}@{Digest}" : Repository;

    internal void Absorb(ParsedTarget t)
    {
        if (t.Name is not null && !TargetNames.Contains(t.Name)) TargetNames.Add(t.Name);
        OsFamily ??= t.OsFamily;
        OsName ??= t.OsName;
        BaseImage ??= t.BaseImage;
        SizeBytes ??= t.SizeBytes;
    }
}

/// <summary>One finding-to-be: a package identity and the id that keys the finding, with each raw record as evidence.</summary>
public sealed class ClaimPlan
{
    public required PackageKey Package { get; init; }
    public required ParsedPackage PackageInfo { get; init; }
    public required string FindingVulnId { get; init; }
    /// <summary>The scanner's records by their own (normalised) id.</summary>
    public Dictionary<string, ParsedObservation> Observations { get; } = new(StringComparer.Ordinal);
    /// <summary>Raw ids whose observation is a private merged copy.</summary>
    internal HashSet<string> Owned { get; } = new(StringComparer.Ordinal);
}
