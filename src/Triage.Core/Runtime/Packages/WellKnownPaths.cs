using Triage.Core.Runtime.Files;

namespace Triage.Core.Runtime.Packages;

/// <summary>What a scanner's manifest path says about where a package's files are.</summary>
internal static class ManifestFiles
{
    private static readonly HashSet<string> OsTypes = new(StringComparer.OrdinalIgnoreCase) { "deb", "rpm", "apk", "alpm", "debian", "alpine", "redhat" };
    private static readonly string[] Archives = [".jar", ".war", ".ear", ".hpi", ".jpi", ".par"];
    private static readonly HashSet<string> Lockfiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json", "bun.lock", "Pipfile.lock", "poetry.lock", "requirements.txt",
        "uv.lock", "Gemfile.lock", "Cargo.lock", "composer.lock", "go.mod", "go.sum", "packages.lock.json", "pom.xml", "gradle.lockfile",
    };

    public static PackageFiles? Derive(PackageRef package, IEnumerable<string> manifestPaths)
    {
        // For OS packages the scanner's "location" is the package database, which says nothing about the package's own files.
        if (OsTypes.Contains(package.Type)) return null;
        var files = new List<string>();
        var roots = new List<string>();
        var sound = true;
        foreach (var raw in manifestPaths)
        {
            var path = PathNormalizer.Normalize(raw);
            if (path is null) continue;
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (Lockfiles.Contains(name)) continue;
            if (ArchiveOf(path) is { } archive) { files.Add(archive); continue; }
            if (name == "package.json" && path.Contains("/node_modules/", StringComparison.Ordinal)) { roots.Add(path[..path.LastIndexOf('/')]); continue; }
            if (name is "METADATA" or "PKG-INFO" && path.Contains(".dist-info/", StringComparison.Ordinal) || path.Contains(".egg-info", StringComparison.Ordinal))
            {
                // The metadata directory proves presence and use, but the import package may be named differently.
                var egg = path.IndexOf(".egg-info", StringComparison.Ordinal);
                roots.Add(egg >= 0 ? path[..(egg + ".egg-info".Length)] : path[..path.LastIndexOf('/')]);
                sound = false;
                continue;
            }
            if (name.EndsWith(".gemspec", StringComparison.Ordinal) && path.Contains("/specifications/", StringComparison.Ordinal))
            {
                files.Add(path);
                roots.Add(path.Replace("/specifications/", "/gems/", StringComparison.Ordinal)[..^".gemspec".Length]);
                continue;
            }
            if (name.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
            {
                // A .NET app's deps file lists the package but its DLL name is not fixed by convention.
                files.Add(path);
                sound = false;
                continue;
            }
            // Go and Rust binaries, single-file artefacts: the package is compiled into this file.
            files.Add(path);
        }
        if (files.Count == 0 && roots.Count == 0) return null;
        var conventions = WellKnownPaths.For(package)?.Conventions ?? [];
        return new PackageFiles
        {
            Package = package,
            Origin = FileListOrigin.ManifestPath,
            Files = files.Distinct(StringComparer.Ordinal).ToList(),
            Roots = roots.Distinct(StringComparer.Ordinal).ToList(),
            Conventions = sound ? [] : conventions,
            ProvesAbsence = sound,
        };
    }

    /// <summary>"/app/a.jar/BOOT-INF/lib/b.jar" and "/app/a.jar!/…" are inside /app/a.jar: the file the JVM opens.</summary>
    private static string? ArchiveOf(string path)
    {
        foreach (var ext in Archives)
        {
            var i = path.IndexOf(ext, StringComparison.OrdinalIgnoreCase);
            if (i < 0) continue;
            var end = i + ext.Length;
            if (end == path.Length || path[end] is '/' or '!') return path[..end];
        }
        return null;
    }
}

/// <summary>
/// Ecosystem conventions for packages that come without a file list. Only conventions where a directory belongs to
/// exactly one package are used to prove absence (node_modules/&lt;name&gt;, gems/&lt;name&gt;-&lt;version&gt;);
/// Python directories can be named after the import name, not the distribution, so they only prove use.
/// </summary>
public static class WellKnownPaths
{
    public static PackageFiles? For(PackageRef package)
    {
        var type = package.Type.ToLowerInvariant();
        switch (type)
        {
            case "npm" or "node-pkg" or "yarn" or "pnpm":
            {
                var dir = package.Namespace is { Length: > 0 } ns ? $"{ns}/{package.Name}" : package.Name;
                return new PackageFiles
                {
                    Package = package,
                    Origin = FileListOrigin.WellKnownPath,
                    Conventions = [new PathConvention("node_modules", dir)],
                    ProvesAbsence = true,
                };
            }
            case "gem" or "gemspec" or "bundler":
                return new PackageFiles
                {
                    Package = package,
                    Origin = FileListOrigin.WellKnownPath,
                    Conventions = [new PathConvention("gems", $"{package.Name}-{package.Version}")],
                    ProvesAbsence = true,
                };
            case "pypi" or "python" or "pip" or "python-pkg":
            {
                var module = package.Name.ToLowerInvariant().Replace('-', '_').Replace('.', '_');
                var dist = package.Name.Replace('-', '_');
                var conventions = new List<PathConvention>();
                foreach (var anchor in new[] { "site-packages", "dist-packages" })
                {
                    conventions.Add(new PathConvention(anchor, module));
                    conventions.Add(new PathConvention(anchor, module + ".py"));
                    conventions.Add(new PathConvention(anchor, $"{dist}-{package.Version}.dist-info"));
                }
                return new PackageFiles { Package = package, Origin = FileListOrigin.WellKnownPath, Conventions = conventions, ProvesAbsence = false };
            }
            default:
                return null;
        }
    }
}
