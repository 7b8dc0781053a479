using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>One finding of an image, as the matcher needs it.</summary>
/// <param name="Package">The package purl as scanned (with version and qualifiers).</param>
/// <param name="VulnerabilityIds">The finding's alias set (CVE, GHSA, distro ids…).</param>
/// <param name="FindingId">The lead's key for the finding, handed back in matches.</param>
public sealed record VexInventoryFinding(Purl Package, IReadOnlyList<string> VulnerabilityIds, string? FindingId = null);

/// <summary>One image Triage knows, with its findings. <paramref name="Digest"/> is its manifest digest (sha256:…): decisions
/// about one image are scoped to it, so images without one are left out by the caller. <paramref name="Packages"/> may list
/// packages without findings (so a statement about a clean package is told apart from one about a missing package).</summary>
public sealed record VexInventoryImage(
    string Repository,
    string Digest,
    IReadOnlyList<string> Tags,
    IReadOnlyList<VexInventoryFinding> Findings,
    IReadOnlyList<Purl>? Packages = null)
{
    public string NormalizedRepository { get; } = VexImageNames.NormalizeRepository(Repository);
    public string NormalizedDigest { get; } = VexImageNames.TryNormalizeDigest(Digest, out var d) ? d : Digest.Trim().ToLowerInvariant();

    internal IEnumerable<Purl> AllPackages => (Packages ?? []).Concat(Findings.Select(f => f.Package));

    internal bool HasTag(string tag) => Tags.Any(t =>
    {
        var lastSlash = t.LastIndexOf('/');
        var colon = t.LastIndexOf(':');
        var bare = colon > lastSlash ? t[(colon + 1)..] : t;
        return string.Equals(bare, tag, StringComparison.Ordinal);
    });

    public override string ToString() => $"{NormalizedRepository}@{NormalizedDigest}";
}

/// <summary>What a product matched, which sets the scope of the decision it becomes: never wider than the product says
/// (docs/decisions/105-vex-import-scope.md).</summary>
public enum VexMatchKind
{
    /// <summary>An OCI product with a digest matched one image → that digest.</summary>
    ImageDigest,
    /// <summary>An OCI product without digest but with a tag matched the images carrying that tag when imported → one
    /// digest scope per image (a later image pushed under the tag is not covered until the document is imported again).</summary>
    ImageTag,
    /// <summary>An OCI product with neither digest nor tag matched every image of a repository → the repository.</summary>
    ImageRepository,
    /// <summary>A package product without subcomponents matched findings on that package in any image → everywhere.</summary>
    Package,
    /// <summary>A package product with subcomponents (an application and its dependencies) matched a dependency in an image
    /// that has the application → that image's digest, since the statement is about the dependency inside the application.</summary>
    PackageInImage,
}

public enum VexUnmatchedReason
{
    NoProducts,
    ProductNotPurl,
    NoImageWithDigest,
    NoImageInRepository,
    PackageNotInAnyImage,
    PackageNotInImage,
    VulnerabilityUnknown,
    IgnoredByTrustPolicy,
    /// <summary>An OCI product qualifier (arch, os…) that Triage's image data does not record, so it cannot tell which images qualify.</summary>
    ImageQualifierUnknown,
    /// <summary>A CycloneDX BOM-link into an SBOM Triage does not have: the component exists only in that SBOM.</summary>
    SbomUnknown,
    /// <summary>The product reaches images of a team the importer is not in: not recorded there (an admin imports it for them).</summary>
    NotYourImage,
    /// <summary>A package product without an image would be a decision everywhere, which only an admin records.</summary>
    AdminOnlyScope,
}

/// <summary>A statement (for one of its products) that reached a finding.</summary>
/// <param name="Subcomponent">The VEX-side subcomponent that covered the finding's package, if the product listed subcomponents.</param>
public sealed record VexMatch(
    ImportedVexStatement Statement,
    VexComponentRef Product,
    VexInventoryImage Image,
    VexInventoryFinding Finding,
    VexMatchKind Kind,
    VexTrust Trust,
    Purl? Subcomponent);

/// <summary>A statement, or one of its products, that reached nothing: with the reason, never dropped silently.</summary>
public sealed record VexUnmatched(ImportedVexStatement Statement, VexComponentRef? Product, VexUnmatchedReason Reason, string Message)
{
    public string CodeName => Reason switch
    {
        VexUnmatchedReason.NoProducts => "no_products",
        VexUnmatchedReason.ProductNotPurl => "product_not_purl",
        VexUnmatchedReason.NoImageWithDigest => "no_image_with_digest",
        VexUnmatchedReason.NoImageInRepository => "no_image_in_repository",
        VexUnmatchedReason.PackageNotInAnyImage => "package_not_in_any_image",
        VexUnmatchedReason.PackageNotInImage => "package_not_in_image",
        VexUnmatchedReason.VulnerabilityUnknown => "vulnerability_unknown",
        VexUnmatchedReason.IgnoredByTrustPolicy => "ignored_by_trust_policy",
        VexUnmatchedReason.ImageQualifierUnknown => "image_qualifier_unknown",
        VexUnmatchedReason.SbomUnknown => "sbom_unknown",
        VexUnmatchedReason.NotYourImage => "not_your_image",
        VexUnmatchedReason.AdminOnlyScope => "admin_only_scope",
    };
}

/// <summary>
/// What an importer who is not an admin may not reach (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md): the
/// images of teams they are not in, given here, and every image at once (a package product's decision everywhere). The
/// images passed to <see cref="VexMatcher.Match"/> are then the ones they may decide on. An admin and the CLI import
/// without limits (null).
/// </summary>
public sealed record VexImportLimits(IReadOnlyList<VexInventoryImage> OtherTeamsImages);

/// <summary>A matched statement that cannot become a decision because it breaks a VEX rule.</summary>
public sealed record VexRejected(ImportedVexStatement Statement, VexRuleViolation Violation);

/// <summary>What an imported document means for the images Triage knows.</summary>
/// <param name="Decisions">Decisions to record, one per statement × scope × subcomponent, with the document as source.
/// Show-only authors' statements are included (the resolver keeps them from winning); ignored authors' are not.</param>
public sealed record VexMatchResult(
    VexDocument Document,
    IReadOnlyList<VexMatch> Matches,
    IReadOnlyList<VexUnmatched> Unmatched,
    IReadOnlyList<VexRejected> Rejected,
    IReadOnlyList<VexStatement> Decisions);

/// <summary>
/// Matches an imported document against the images Triage knows (docs/decisions/023-vex-matching.md).
/// Vulnerability: the statement's name or any alias equals one of the finding's ids. Products are purls read general →
/// specific (go-vex's rule, as Trivy and Grype apply it): no version matches every version, qualifiers on the VEX side
/// must be on the target. <c>pkg:oci</c> products are images: the version is the manifest digest, <c>repository_url</c>
/// names the repository (without it, the purl name must be the repository's last segment), <c>tag</c> must be one of the
/// image's tags; any other qualifier (<c>arch</c>…) is one Triage's image data cannot check, so the product is reported.
/// Subcomponents narrow a product to those packages. A decision is scoped no wider than its product states (see
/// <see cref="VexMatchKind"/>). Every statement that reaches nothing is reported. With <see cref="VexImportLimits"/>, a product
/// is matched against the importer's images as if there were no others; what it would also reach in other teams' images
/// is reported (<c>not_your_image</c>), never recorded, and a package product is refused (<c>admin_only_scope</c>).
/// </summary>
public static class VexMatcher
{
    /// <param name="images">The images the statements may become decisions on: every image, or with <paramref name="limits"/>
    /// those of the importer's teams and those no team owns.</param>
    public static VexMatchResult Match(VexDocument document, IReadOnlyList<VexInventoryImage> images, VexTrustPolicy trust, DateTimeOffset importedAt,
        VexImportLimits? limits = null)
    {
        var matches = new List<VexMatch>();
        var unmatched = new List<VexUnmatched>();
        var docTrust = trust.For(document.Source);
        var index = new InventoryIndex(images);
        var others = limits is null ? null : new InventoryIndex(limits.OtherTeamsImages);

        foreach (var st in document.Statements)
        {
            if (docTrust == VexTrust.Ignore)
            {
                unmatched.Add(new(st, null, VexUnmatchedReason.IgnoredByTrustPolicy,
                    document.Signature == VexSignatureStatus.Invalid
                        ? "The document's signature is invalid; its statements are not applied."
                        : $"Author '{document.Author ?? "(none)"}' is ignored by the trust policy."));
                continue;
            }
            if (st.Products.Count == 0)
            {
                unmatched.Add(new(st, null, VexUnmatchedReason.NoProducts, $"Statement {st.Location} about {st.Vulnerability.Id} names no product."));
                continue;
            }
            foreach (var product in st.Products)
            {
                if (others is not null && IsEverywhere(product))
                {
                    // Refused by its shape, whatever it would match: the decision would reach every team's images.
                    unmatched.Add(new(st, product, VexUnmatchedReason.AdminOnlyScope,
                        $"Product {product.Describe()} names a package without an image: the statement would apply to every image of every team, "
                        + "which only an admin records. Name the image (pkg:oci/…), or ask an admin to import the document."));
                    continue;
                }
                var (found, miss) = MatchProduct(st, product, index, docTrust);
                matches.AddRange(found);
                // Matched against the other teams' images only to say that it would have reached them; their names stay out of the
                // messages (a miss above names the importer's images only).
                var elsewhere = others is null ? 0 : MatchProduct(st, product, others, docTrust).Found.Count;
                if (elsewhere > 0)
                    unmatched.Add(new(st, product, VexUnmatchedReason.NotYourImage,
                        $"Product {product.Describe()} {(found.Count > 0 ? "also reaches" : "reaches")} images of a team you are not in: "
                        + (found.Count > 0 ? "it is recorded for your teams' images and those no team owns only. " : "nothing is recorded. ")
                        + "You import decisions on your teams' images and on images no team owns yet; an admin imports the document for the others."));
                else if (found.Count == 0 && miss is not null) unmatched.Add(miss);
            }
        }

        var (decisions, rejected) = ToDecisions(document, matches, importedAt);
        return new VexMatchResult(document, matches, unmatched, rejected, decisions);
    }

    /// <summary>A package product without subcomponents: its decision is global (<see cref="VexMatchKind.Package"/>).</summary>
    private static bool IsEverywhere(VexComponentRef product) =>
        product.ExternalBom is null && product.Purl is { } purl && purl.Type != "oci" && !product.Subcomponents.Any(s => s.Purl is not null);

    private static (List<VexMatch> Found, VexUnmatched? Miss) MatchProduct(ImportedVexStatement st, VexComponentRef product, InventoryIndex index, VexTrust trust)
    {
        var images = index.Images;
        var found = new List<VexMatch>();
        if (product.ExternalBom is { } bom)
            return (found, new(st, product, VexUnmatchedReason.SbomUnknown,
                $"Product '{product.Id}' is a component of SBOM {bom}, which Triage does not have: the statement is about "
                + (product.Purl is { } p ? $"{p} in that SBOM's image only, so it is not applied to the package in every image." : "that SBOM only.")));
        if (product.Purl is not { } purl)
            return (found, new(st, product, VexUnmatchedReason.ProductNotPurl,
                $"Product '{product.Describe()}' is not a purl, so it cannot be matched to an image or a package."));

        var subs = product.Subcomponents.Select(s => s.Purl).OfType<Purl>().ToArray();
        if (purl.Type == "oci")
        {
            if (UncheckableQualifiers(purl) is { Count: > 0 } unknown)
                return (found, new(st, product, VexUnmatchedReason.ImageQualifierUnknown,
                    $"Product {purl} names {string.Join(", ", unknown.Select(q => $"{q.Key}={q.Value}"))}; Triage does not record that of an image, "
                    + "so it cannot tell which images the statement is about (the images without it would be covered too)."));
            var candidates = index.Candidates(purl).Where(img => ImageMatches(purl, img)).ToArray();
            var digest = DigestOf(purl);
            if (candidates.Length == 0)
            {
                var repo = purl.Qualifier("repository_url") is { } ru ? RepositoryOf(purl, ru) : purl.Name;
                return digest is not null
                    ? (found, new(st, product, VexUnmatchedReason.NoImageWithDigest, $"No image with digest {digest} in repository {repo}."))
                    : (found, new(st, product, VexUnmatchedReason.NoImageInRepository, $"No image in repository {repo}" + (purl.Qualifier("tag") is { } tag ? $" with tag {tag}." : ".")));
            }
            var kind = digest is not null ? VexMatchKind.ImageDigest
                : purl.Qualifier("tag") is not null ? VexMatchKind.ImageTag
                : VexMatchKind.ImageRepository;
            foreach (var img in candidates)
                foreach (var f in index.Of(img).FindingsOf(st.Vulnerability))
                {
                    if (subs.Length == 0) { found.Add(new(st, product, img, f, kind, trust, null)); continue; }
                    if (FirstCovering(subs, f.Package) is { } sub) found.Add(new(st, product, img, f, kind, trust, sub));
                }
            if (found.Count > 0) return (found, null);
            var imgs = string.Join(", ", candidates.Select(c => c.ToString()));
            if (subs.Length > 0 && !candidates.Any(img => subs.Any(s => index.Of(img).AnyPackageCoveredBy(s))))
                return (found, new(st, product, VexUnmatchedReason.PackageNotInImage,
                    $"Package {string.Join(", ", subs.Select(s => s.ToString()))} is not in {imgs}."));
            return (found, new(st, product, VexUnmatchedReason.VulnerabilityUnknown,
                $"Vulnerability {st.Vulnerability} is not among the findings of {imgs}" + (subs.Length > 0 ? $" on {string.Join(", ", subs.Select(s => s.ToString()))}." : ".")));
        }

        // A package product: applies wherever the package is. With subcomponents (an application and its dependencies,
        // as govulncheck and CSAF relationships write), the application must be in the image and the finding must be on a
        // dependency; the decision then binds to that image, because the dependency elsewhere is not what was stated.
        var anyPackage = false;
        // Through the image's index: only findings on the statement's vulnerability are looked at, only packages with the
        // product's name are compared (the same matches in the same order as a walk over every finding and package).
        foreach (var img in images)
        {
            var ix = index.Of(img);
            if (subs.Length > 0 && !ix.AnyPackageCoveredBy(purl)) continue;
            foreach (var f in ix.FindingsOf(st.Vulnerability))
            {
                var covering = subs.Length == 0 ? (purl.Covers(f.Package) ? purl : null) : FirstCovering(subs, f.Package);
                if (covering is null) continue;
                found.Add(subs.Length == 0
                    ? new(st, product, img, f, VexMatchKind.Package, trust, null)
                    : new(st, product, img, f, VexMatchKind.PackageInImage, trust, covering));
            }
            // Every finding's package is among the image's packages, so this also says whether a finding's package was covered.
            anyPackage |= subs.Length == 0 ? ix.AnyPackageCoveredBy(purl) : subs.Any(ix.AnyPackageCoveredBy);
        }
        if (found.Count > 0) return (found, null);
        var what = subs.Length == 0 ? purl.ToString() : $"{string.Join(", ", subs.Select(s => s.ToString()))} in {purl}";
        return anyPackage
            ? (found, new(st, product, VexUnmatchedReason.VulnerabilityUnknown, $"Vulnerability {st.Vulnerability} is not among the findings on package {what}."))
            : (found, new(st, product, VexUnmatchedReason.PackageNotInAnyImage, $"Package {what} is not in any image."));
    }

    /// <summary>
    /// The inventory indexed once per document, so matching costs the statements' own findings rather than statements ×
    /// findings: images by digest, and per image its findings by vulnerability id (as <see cref="VulnerabilityRef.Matches"/>
    /// compares them: trimmed, case-insensitive) and its packages by type and name (a key <see cref="PurlMatching.Covers"/>
    /// needs equal; the full rule is still applied to each package of the bucket).
    /// </summary>
    private sealed class InventoryIndex
    {
        private readonly Dictionary<string, List<VexInventoryImage>> _byDigest = new(StringComparer.Ordinal);
        private readonly Dictionary<VexInventoryImage, ImageIndex> _images = new(ReferenceEqualityComparer.Instance);

        public InventoryIndex(IReadOnlyList<VexInventoryImage> images)
        {
            Images = images;
            foreach (var img in images)
            {
                if (!_byDigest.TryGetValue(img.NormalizedDigest, out var list)) _byDigest[img.NormalizedDigest] = list = [];
                list.Add(img);
            }
        }

        public IReadOnlyList<VexInventoryImage> Images { get; }

        /// <summary>The images an OCI purl can name, in inventory order: those with its digest when it has a version.</summary>
        public IEnumerable<VexInventoryImage> Candidates(Purl oci) =>
            oci.Version is null ? Images
            : DigestOf(oci) is { } d && _byDigest.TryGetValue(d, out var list) ? list
            : [];

        public ImageIndex Of(VexInventoryImage img)
        {
            if (!_images.TryGetValue(img, out var ix)) _images[img] = ix = new ImageIndex(img);
            return ix;
        }
    }

    private sealed class ImageIndex
    {
        private readonly IReadOnlyList<VexInventoryFinding> _findings;
        private readonly Dictionary<string, List<int>> _byVulnerability = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<(string Type, string Name), List<Purl>> _packages = new();

        public ImageIndex(VexInventoryImage img)
        {
            _findings = img.Findings;
            for (var i = 0; i < _findings.Count; i++)
                foreach (var id in _findings[i].VulnerabilityIds)
                {
                    if (id is null) continue;
                    var key = id.Trim();
                    if (!_byVulnerability.TryGetValue(key, out var list)) _byVulnerability[key] = list = [];
                    if (list.Count == 0 || list[^1] != i) list.Add(i);
                }
            foreach (var p in img.AllPackages)
            {
                var key = Key(p);
                if (!_packages.TryGetValue(key, out var list)) _packages[key] = list = [];
                list.Add(p);
            }
        }

        /// <summary>The findings whose alias set has the vulnerability's id or one of its aliases, in inventory order.</summary>
        public IEnumerable<VexInventoryFinding> FindingsOf(VulnerabilityRef vulnerability)
        {
            List<int>? hits = null;
            var lists = 0;
            foreach (var id in vulnerability.AllIds)
            {
                if (!_byVulnerability.TryGetValue(id, out var list)) continue;
                if (lists++ == 0) hits = list;
                else hits = [.. hits!.Concat(list).Distinct().Order()];
            }
            return hits is null ? [] : hits.Select(i => _findings[i]);
        }

        public bool AnyPackageCoveredBy(Purl vexSide) =>
            _packages.TryGetValue(Key(vexSide), out var list) && list.Exists(vexSide.Covers);

        // Covers needs the types equal ignoring case and the names equal (ordinal, ignoring case, or PyPI's '_' = '-'):
        // each of those implies this key is equal.
        private static (string, string) Key(Purl p) => (p.Type.ToUpperInvariant(), p.Name.Replace('_', '-').ToUpperInvariant());
    }

    private static Purl? FirstCovering(Purl[] subs, Purl package)
    {
        foreach (var s in subs) if (s.Covers(package)) return s;
        return null;
    }

    internal static string? DigestOf(Purl oci) =>
        oci.Version is { } v && VexImageNames.TryNormalizeDigest(v, out var d) ? d : null;

    /// <summary>The OCI qualifiers Triage can check against an image: the rest (<c>arch</c>, <c>os</c>…) are not in its image
    /// data, and go-vex's rule needs every VEX-side qualifier on the target.</summary>
    private static readonly HashSet<string> CheckableOciQualifiers = new(StringComparer.Ordinal) { "repository_url", "tag" };

    internal static IReadOnlyList<KeyValuePair<string, string>> UncheckableQualifiers(Purl oci) =>
        [.. oci.Qualifiers.Where(q => !CheckableOciQualifiers.Contains(q.Key))];

    /// <summary>Whether an OCI purl names this image (see the type summary for the rule).</summary>
    public static bool ImageMatches(Purl oci, VexInventoryImage img)
    {
        if (oci.Type != "oci") return false;
        if (UncheckableQualifiers(oci).Count > 0) return false;
        if (oci.Version is not null && !string.Equals(DigestOf(oci), img.NormalizedDigest, StringComparison.Ordinal)) return false;
        if (oci.Qualifier("repository_url") is { } repo)
        {
            if (!string.Equals(RepositoryOf(oci, repo), img.NormalizedRepository, StringComparison.Ordinal)) return false;
        }
        else if (!string.Equals(oci.Name, VexImageNames.ShortName(img.Repository), StringComparison.OrdinalIgnoreCase)) return false;
        if (oci.Qualifier("tag") is { } tag && !img.HasTag(tag)) return false;
        return true;
    }

    /// <summary>The purl-spec examples put the whole repository in repository_url ("docker.io/library/debian"), while
    /// vexctl writes only the registry ("registry.k8s.io" for pkg:oci/kube-apiserver); a URL that does not end with the
    /// purl name is read as the registry the name lives in.</summary>
    private static string RepositoryOf(Purl oci, string repositoryUrl)
    {
        var url = repositoryUrl.Trim().TrimEnd('/');
        var lastSegment = url[(url.LastIndexOf('/') + 1)..];
        return VexImageNames.NormalizeRepository(string.Equals(lastSegment, oci.Name, StringComparison.OrdinalIgnoreCase) ? url : $"{url}/{oci.Name}");
    }

    private static (List<VexStatement>, List<VexRejected>) ToDecisions(VexDocument document, List<VexMatch> matches, DateTimeOffset importedAt)
    {
        var decisions = new List<VexStatement>();
        var rejected = new List<VexRejected>();
        var seen = new HashSet<(int, string, string)>();
        var refused = new HashSet<int>();
        foreach (var m in matches)
        {
            if (refused.Contains(m.Statement.Index)) continue;
            VexScope scope = m.Kind switch
            {
                VexMatchKind.ImageDigest or VexMatchKind.ImageTag or VexMatchKind.PackageInImage =>
                    new VexScope.Digest(m.Image.Repository, m.Image.NormalizedDigest),
                VexMatchKind.ImageRepository => new VexScope.Repository(m.Image.Repository),
                VexMatchKind.Package => VexScope.Global.Instance,
            };
            // A package product is itself the package the decision is about; otherwise the covering subcomponent, if any.
            var subPurl = m.Kind == VexMatchKind.Package ? m.Product.Purl : m.Subcomponent;
            var sub = subPurl is { } sp ? new VexSubcomponent(sp) : null;
            if (!seen.Add((m.Statement.Index, scope.Describe(), sub?.ToString() ?? ""))) continue;
            var draft = m.Statement.ToDraft(scope, sub, document, importedAt);
            if (VexStatement.TryCreate(draft, out var s, out var violation)) decisions.Add(s);
            else
            {
                refused.Add(m.Statement.Index);
                rejected.Add(new VexRejected(m.Statement, violation));
            }
        }
        return (decisions, rejected);
    }
}
