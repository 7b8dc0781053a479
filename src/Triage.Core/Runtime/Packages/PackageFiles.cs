using Triage.Core.Ingest;
using Triage.Core.Runtime.Files;

namespace Triage.Core.Runtime.Packages;

/// <summary>A package as file mapping needs it. <see cref="Purl"/> is preferred for matching; type/name/version otherwise.</summary>
public sealed record PackageRef(string Type, string? Namespace, string Name, string Version, string? Purl = null)
{
    public static PackageRef From(ParsedPackage p) => new(p.Type, p.Namespace, p.Name, p.Version, p.Purl);
    public override string ToString() => Purl ?? $"{Type}/{(Namespace is null ? "" : Namespace + "/")}{Name}@{Version}";
}

/// <summary>Where a package's file list came from; decides what absence of its files can prove.</summary>
public enum FileListOrigin
{
    /// <summary>The package database's own list (dpkg/rpm/apk via Trivy InstalledFiles, Syft metadata.files).</summary>
    Listed,
    /// <summary>Derived from the manifest the scanner found it by (package.json directory, jar file, Go binary…).</summary>
    ManifestPath,
    /// <summary>Guessed from ecosystem conventions (node_modules/&lt;name&gt;, site-packages/&lt;name&gt;).</summary>
    WellKnownPath,
    /// <summary>Nothing known: runtime file evidence cannot say anything about this package.</summary>
    None,
}

public static class FileListOriginNames
{
    public static string ToWire(this FileListOrigin o) => o switch
    {
        FileListOrigin.Listed => "listed",
        FileListOrigin.ManifestPath => "manifest-path",
        FileListOrigin.WellKnownPath => "well-known-path",
        FileListOrigin.None => "none",
    };
}

/// <summary>
/// A directory convention: files under <see cref="Anchor"/>/<see cref="Name"/>/ (at any depth, optionally only below
/// a directory matching <see cref="ParentGlob"/>) belong to the package.
/// </summary>
/// <param name="Anchor">The directory that holds packages: node_modules, site-packages, dist-packages, gems.</param>
/// <param name="Name">The package's directory name (a '*' glob, case-insensitive).</param>
/// <param name="ParentGlob">Glob the path up to the anchor must match ("/usr/lib/python3*"), or null for anywhere.</param>
public sealed record PathConvention(string Anchor, string Name, string? ParentGlob = null);

/// <summary>The files that make up one package in an image, and how much their absence proves.</summary>
public sealed class PackageFiles
{
    public required PackageRef Package { get; init; }
    public required FileListOrigin Origin { get; init; }
    /// <summary>Exact paths (normalised, absolute).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
    /// <summary>Directories wholly owned by the package ("/app/node_modules/express").</summary>
    public IReadOnlyList<string> Roots { get; init; } = [];
    public IReadOnlyList<PathConvention> Conventions { get; init; } = [];
    /// <summary>
    /// True when "none of these files is in a complete inventory" soundly means "the package is not there":
    /// database lists, whole-package directories and archives. False for guesses that can miss a renamed module
    /// directory (Python distributions whose import name differs).
    /// </summary>
    public required bool ProvesAbsence { get; init; }

    public bool IsEmpty => Files.Count == 0 && Roots.Count == 0 && Conventions.Count == 0;

    /// <summary>
    /// Files that hold code rather than configuration or documentation. Reading /etc/ssl/openssl.cnf is libssl
    /// reading its configuration, not the openssl command running, so such reads are no evidence of loading.
    /// When a package has only data files (tzdata, ca-certificates' certificates) all of them count.
    /// </summary>
    public IReadOnlyList<string> CodeFiles => _codeFiles ??= ComputeCodeFiles();
    private IReadOnlyList<string>? _codeFiles;

    private List<string> ComputeCodeFiles()
    {
        var code = Files.Where(f => !IsDataPath(f)).ToList();
        return code.Count > 0 ? code : [.. Files];
    }

    private static readonly string[] DataPrefixes =
    [
        "/etc/", "/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/", "/usr/share/lintian/",
        "/usr/share/bug/", "/usr/share/common-licenses/", "/usr/share/doc-base/", "/usr/share/bash-completion/",
        "/var/lib/dpkg/", "/lib/apk/db/", "/var/lib/rpm/", "/usr/lib/sysimage/rpm/",
    ];

    internal static bool IsDataPath(string path)
    {
        foreach (var p in DataPrefixes)
            if (path.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// The best file set for a scanner package: its installed files (Trivy --list-all-pkgs), else what its manifest
    /// paths imply, else ecosystem conventions, else nothing.
    /// </summary>
    public static PackageFiles For(ParsedPackage p) => For(PackageRef.From(p), p.InstalledFiles, p.Paths);

    public static PackageFiles For(PackageRef package, IEnumerable<string> installedFiles, IEnumerable<string> manifestPaths)
    {
        var listed = installedFiles.Select(PathNormalizer.Normalize).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (listed.Count > 0) return new PackageFiles { Package = package, Origin = FileListOrigin.Listed, Files = listed, ProvesAbsence = true };
        var fromManifest = ManifestFiles.Derive(package, manifestPaths);
        if (fromManifest is not null) return fromManifest;
        return WellKnownPaths.For(package)
            ?? new PackageFiles { Package = package, Origin = FileListOrigin.None, ProvesAbsence = false };
    }
}
