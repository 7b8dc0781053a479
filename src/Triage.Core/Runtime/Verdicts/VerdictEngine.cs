using Triage.Core.Ingest;
using Triage.Core.Runtime.Code;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Packages;

namespace Triage.Core.Runtime.Verdicts;

/// <summary>What the engine needs about one finding: its package and files, and its vulnerability ids with aliases.</summary>
public sealed record VerdictInput(PackageFiles Package, IReadOnlyCollection<string> VulnerabilityIds)
{
    /// <summary>From a scanner package: its own installed files when the scan listed them, else the file list found for
    /// it in <paramref name="fileLists"/> (an SBOM of the same image), else manifest paths and conventions.</summary>
    public static VerdictInput From(ParsedPackage package, IReadOnlyCollection<string> vulnerabilityIds, PackageFileIndex? fileLists = null)
    {
        var own = PackageFiles.For(package);
        var files = own.Origin != FileListOrigin.Listed && fileLists?.Find(PackageRef.From(package)) is { Origin: FileListOrigin.Listed or FileListOrigin.ManifestPath } listed
            ? listed
            : own;
        return new VerdictInput(files, vulnerabilityIds);
    }
}

/// <summary>
/// Turns runtime evidence into a <see cref="VerdictResult"/> per finding (rules in docs/decisions/030-runtime-verdict-model.md):
/// <list type="number">
/// <item>A symbol-level govulncheck result for a Go module decides (Reachable / PresentNotLoaded / NotPresent): it is
/// more specific than "the binary was executed".</item>
/// <item>Otherwise every file source makes a claim and the highest-risk claim wins (evidence of use beats evidence of non-use).</item>
/// <item>A partial profile only ever claims Loaded; "never used" needs a complete profile.</item>
/// <item>No claim at all is Unknown, which ranking treats as neutral.</item>
/// </list>
/// Pure and thread-safe: evidence indexes are built once and shared.
/// </summary>
public static class VerdictEngine
{
    private const int ShownFiles = 3;

    public static VerdictResult Evaluate(VerdictInput input, RuntimeEvidence evidence)
    {
        var notes = new List<string>();
        if (evidence.IsEmpty) return VerdictResult.Unknown(["no runtime or code evidence for this image"]);

        var codeClaims = CodeClaims(input, evidence, notes);
        var fileClaims = FileClaims(input.Package, evidence, notes);
        fileClaims.AddRange(RunningPackageClaims(input.Package.Package, evidence, notes));
        var all = codeClaims.Concat(fileClaims).ToList();

        var deciding = codeClaims.Count > 0 ? codeClaims : fileClaims;
        if (deciding.Count == 0) return new VerdictResult(ReachabilityVerdict.Unknown, VerdictConfidence.Low, all, null, notes);

        var verdict = deciding.Max(c => c.Supports);
        var winners = deciding.Where(c => c.Supports == verdict).ToList();
        var confidence = winners.Max(c => c.Confidence);
        // Prefer the most far-reaching justification among agreeing sources (the enum lists them in that order).
        var justification = winners.Where(c => c.Justification is not null).Select(c => c.Justification!.Value).DefaultIfEmpty().Min();
        ProposedJustification? proposed = verdict is ReachabilityVerdict.NotPresent or ReachabilityVerdict.PresentNotLoaded && winners.Any(c => c.Justification is not null)
            ? justification
            : null;
        if (codeClaims.Count > 0 && fileClaims.Any(f => f.Supports != verdict))
            notes.Add("govulncheck's symbol-level result decides for this Go module; file evidence is listed for reference");
        return new VerdictResult(verdict, confidence, all, proposed, notes);
    }

    private static List<VerdictSource> CodeClaims(VerdictInput input, RuntimeEvidence evidence, List<string> notes)
    {
        var claims = new List<VerdictSource>();
        if (evidence.CodeReports.Count == 0) return claims;
        var package = input.Package.Package;
        if (GoModulePath(package) is not { } module) return claims;
        var ids = new HashSet<string>(input.VulnerabilityIds, StringComparer.OrdinalIgnoreCase);

        foreach (var report in evidence.CodeReports)
        {
            var matches = report.Summarize().Where(s => s.Module == module && (ids.Contains(s.OsvId) || s.Aliases.Any(ids.Contains))).ToList();
            foreach (var s in matches)
            {
                if (s.Version is { } v && !string.IsNullOrEmpty(package.Version) && !SameGoVersion(v, package.Version))
                {
                    notes.Add($"govulncheck saw {module} at {v}, the finding is for {package.Version}: not applied");
                    continue;
                }
                var source = "govulncheck";
                switch (s.Level)
                {
                    case GoReachLevel.Called:
                        claims.Add(new VerdictSource(source, ReachabilityVerdict.Reachable, VerdictConfidence.High,
                            $"{s.OsvId}: vulnerable function called: {string.Join(", ", s.Functions.Take(ShownFiles))}"));
                        break;
                    case GoReachLevel.Imported when report.SymbolLevel:
                        claims.Add(new VerdictSource(source, ReachabilityVerdict.PresentNotLoaded, VerdictConfidence.High,
                            $"{s.OsvId}: {string.Join(", ", s.Packages)} imported, no vulnerable function called (symbol-level scan)",
                            ProposedJustification.VulnerableCodeNotInExecutePath));
                        break;
                    case GoReachLevel.Imported:
                        notes.Add($"{s.OsvId}: vulnerable package imported; scan level '{report.ScanLevel}' does not analyse calls");
                        break;
                    case GoReachLevel.Required when report.ScanLevel is "module":
                        notes.Add($"{s.OsvId}: module required; scan level 'module' does not analyse imports");
                        break;
                    case GoReachLevel.Required:
                        claims.Add(new VerdictSource(source, ReachabilityVerdict.NotPresent, VerdictConfidence.High,
                            $"{s.OsvId}: module {module} required but no vulnerable package imported",
                            ProposedJustification.VulnerableCodeNotPresent));
                        break;
                }
            }
        }
        return claims;
    }

    /// <summary>
    /// A component missing from the package list of every image that runs in its place is not in the running image
    /// (the finding's image does not run; another digest runs under its tag). No claim when one running image lists the
    /// package, lists the component at another version (then that image's own findings speak for it), or when a list
    /// catalogues no package of its type at all (another cataloguer: it cannot show absence).
    /// </summary>
    private static List<VerdictSource> RunningPackageClaims(PackageRef package, RuntimeEvidence evidence, List<string> notes)
    {
        var claims = new List<VerdictSource>();
        foreach (var index in evidence.RunningPackages)
        {
            var image = index.Image is { } i ? $"the running image {i}" : "the running image";
            if (index.Find(package) is not null)
            {
                notes.Add($"{image} lists {package}");
                return [];
            }
            if (index.FindComponent(package) is { } other)
            {
                notes.Add($"{image} has {other.Name} {other.Version}, not {package.Version}: its own findings speak for it");
                return [];
            }
            if (!index.Catalogues(package))
            {
                notes.Add($"{image}: its package list ({index.Format.ToWire()}) holds no {package.Type} packages, so it cannot show that {package.Name} is absent");
                return [];
            }
            claims.Add(new VerdictSource($"running-image-packages:{index.Format.ToWire()}", ReachabilityVerdict.NotPresent, VerdictConfidence.High,
                $"{image}'s package list has no {package.Name} (of any version)", ProposedJustification.ComponentNotPresent));
        }
        return claims;
    }

    private static List<VerdictSource> FileClaims(PackageFiles files, RuntimeEvidence evidence, List<string> notes)
    {
        var claims = new List<VerdictSource>();
        if (evidence.Profiles.Count == 0 && evidence.Inventories.Count == 0) return claims;
        if (files.IsEmpty)
        {
            notes.Add($"no file list for {files.Package}: runtime file evidence cannot be applied");
            return claims;
        }
        var strong = files.Origin is FileListOrigin.Listed or FileListOrigin.ManifestPath;

        // Use: any code file touched in any profile, complete or partial.
        var used = new List<(FileAccessProfile Profile, List<FileUse> Files)>();
        foreach (var profile in evidence.Profiles)
        {
            var index = evidence.IndexOf(profile);
            var touched = Matching(files, index, codeOnly: true).Select(p => profile.Files[p]).ToList();
            if (touched.Count > 0)
            {
                used.Add((profile, touched));
                claims.Add(new VerdictSource(profile.Source, ReachabilityVerdict.Loaded, strong ? VerdictConfidence.High : VerdictConfidence.Medium,
                    $"{touched.Count} file(s) used at runtime: {string.Join(", ", touched.Take(ShownFiles).Select(Describe))}"));
            }
        }

        // Presence: complete inventories of the running image.
        var absent = false;
        foreach (var inventory in evidence.Inventories)
        {
            var index = evidence.IndexOf(inventory);
            var any = Matching(files, index, codeOnly: false).Any();
            // A kept symlink into /etc (tzdata's zoneinfo/localtime, openssl's /usr/lib/ssl/openssl.cnf) is configuration, not code.
            var code = Matching(files, index, codeOnly: true).Any(p => !inventory.Links.TryGetValue(p, out var target) || !PackageFiles.IsDataPath(target));
            if (code) continue;
            if (!files.ProvesAbsence)
            {
                notes.Add($"{inventory.Source}: no file of {files.Package} found, but its file list is a guess; absence not concluded");
                continue;
            }
            absent = true;
            var listed = files.Files.Count + files.Roots.Count;
            claims.Add(any
                ? new VerdictSource(inventory.Source, ReachabilityVerdict.NotPresent, strong ? VerdictConfidence.High : VerdictConfidence.Medium,
                    "only configuration or documentation files of the package are in the image; its code files were removed",
                    ProposedJustification.VulnerableCodeNotPresent)
                : new VerdictSource(inventory.Source, ReachabilityVerdict.NotPresent, strong ? VerdictConfidence.High : VerdictConfidence.Medium,
                    $"none of the package's {listed} known file(s) is in the image",
                    ProposedJustification.ComponentNotPresent));
        }

        // Non-use: complete profiles that never touched the package, for a package that is there.
        if (used.Count == 0 && !absent)
        {
            foreach (var profile in evidence.Profiles)
            {
                if (profile.Completeness == ProfileCompleteness.Partial)
                {
                    notes.Add($"{profile.Source}: partial profile ({profile.PartialReason ?? "not declared complete"}): it can show use, never non-use");
                    continue;
                }
                if (!files.ProvesAbsence)
                {
                    notes.Add($"{profile.Source}: no use seen, but the package's file list is a guess; non-use not concluded");
                    continue;
                }
                claims.Add(new VerdictSource(profile.Source, ReachabilityVerdict.PresentNotLoaded, VerdictConfidence.Medium,
                    $"complete profile: none of the package's files was opened or executed ({profile.Files.Count} files used by the workload)",
                    ProposedJustification.VulnerableCodeNotInExecutePath));
            }
        }
        return claims;
    }

    /// <summary>Paths in <paramref name="index"/> that belong to the package.</summary>
    private static IEnumerable<string> Matching(PackageFiles files, PathIndex index, bool codeOnly)
    {
        foreach (var f in codeOnly ? files.CodeFiles : files.Files)
            if (index.Contains(f)) yield return f;
        foreach (var root in files.Roots)
            foreach (var p in index.Under(root))
                yield return p;
        foreach (var c in files.Conventions)
            foreach (var p in index.UnderConvention(c.Anchor, c.Name, c.ParentGlob))
                yield return p;
    }

    private static string Describe(FileUse f)
    {
        var ops = new List<string>(4);
        if (f.Ops.HasFlag(FileOps.Execute)) ops.Add("exec");
        if (f.Ops.HasFlag(FileOps.Read)) ops.Add("read");
        if (f.Ops.HasFlag(FileOps.Write)) ops.Add("write");
        if (ops.Count == 0) ops.Add("open");
        return $"{f.Path} ({string.Join('+', ops)})";
    }

    /// <summary>The Go module path of a package, or null when it is not a Go module (Trivy: gomod/gobinary types; purl: golang).</summary>
    internal static string? GoModulePath(PackageRef p)
    {
        var type = p.Type.ToLowerInvariant();
        if (type is not ("golang" or "gomod" or "gobinary" or "go-module" or "go")) return null;
        if (p.Name == "stdlib") return "stdlib";
        return p.Namespace is { Length: > 0 } ns && !p.Name.StartsWith(ns + "/", StringComparison.Ordinal) ? $"{ns}/{p.Name}" : p.Name;
    }

    private static bool SameGoVersion(string a, string b) =>
        string.Equals(a.TrimStart('v').Replace("go", "", StringComparison.Ordinal), b.TrimStart('v').Replace("go", "", StringComparison.Ordinal), StringComparison.Ordinal);
}
