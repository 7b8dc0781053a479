using System.Text.RegularExpressions;
using Triage.Core.Ingest;

namespace Triage.Core.Identity;

/// <summary>
/// The identity of a package version across scanners: normalised purl type, namespace, name and version, without
/// qualifiers. Each rule is here with its reason (STYLE.md habit 5); docs/decisions/003-identity.md explains the choices.
/// </summary>
public readonly record struct PackageKey(string Type, string? Namespace, string Name, string Version)
{
    /// <summary>Canonical purl of the identity (no qualifiers). Stable: it is the database key of a package.</summary>
    public override string ToString() => new Purl { Type = Type, Namespace = Namespace, Name = Name, Version = Version.Length == 0 ? null : Version }.ToString();

    /// <summary>Name as people read it: "group:artifact" for Maven, "@scope/name" for npm, the module path for Go.</summary>
    public string DisplayName => Type switch
    {
        "maven" when Namespace is not null => $"{Namespace}:{Name}",
        "npm" when Namespace is not null => $"{Namespace}/{Name}",
        "golang" when Namespace is not null => $"{Namespace}/{Name}",
        _ => Name,
    };
}

public static partial class PackageIdentity
{
    /// <summary>OS package types: the binary package is the identity; the distro namespace is an attribute, because
    /// scanners disagree on it (Snyk gives none) and one image has one distro.</summary>
    public static bool IsOsType(string type) => type is "deb" or "rpm" or "apk" or "alpm";

    /// <summary>Builds the identity of a parsed package. The purl wins when the scanner gives one; otherwise the
    /// scanner's package type is mapped to a purl type.</summary>
    public static PackageKey Normalize(ParsedPackage p)
    {
        Purl? purl = null;
        if (p.Purl is not null) Purl.TryParse(p.Purl, out purl);

        var type = NormalizeType(purl?.Type ?? p.Type);
        string? ns = purl?.Namespace ?? p.Namespace;
        var name = purl?.Name ?? p.Name;
        var version = p.Version.Length > 0 ? p.Version : purl?.Version ?? "";

        // Names given as "group:artifact" (Trivy, Snyk) or "@scope/name" (npm) carry their namespace inside.
        if (type == "maven" && ns is null && name.Contains(':'))
        {
            var i = name.IndexOf(':');
            ns = name[..i];
            name = name[(i + 1)..];
        }
        if (type == "npm" && ns is null && name.StartsWith('@') && name.Contains('/'))
        {
            var i = name.IndexOf('/');
            ns = name[..i];
            name = name[(i + 1)..];
        }
        // Snyk names OS packages "source/binary": the binary package is the identity.
        if (IsOsType(type) && name.Contains('/')) name = name[(name.LastIndexOf('/') + 1)..];

        switch (type)
        {
            case "deb" or "rpm" or "apk" or "alpm":
                ns = null;
                version = WithEpoch(version, purl);
                break;
            case "npm":
                // npm names are case-insensitive on the registry for legacy packages; new ones are lower case.
                ns = ns?.ToLowerInvariant();
                name = name.ToLowerInvariant();
                break;
            case "pypi":
                // PEP 503: case-insensitive, runs of '-', '_' and '.' are equal.
                name = Pep503Regex().Replace(name.ToLowerInvariant(), "-");
                ns = null;
                break;
            case "nuget":
                name = name.ToLowerInvariant();
                ns = null;
                break;
            case "golang":
                (ns, name) = SplitGoPath(GoModules.ModuleOf(JoinPath(ns, name)));
                version = NormalizeGoVersion(version);
                break;
            case "gem" or "cargo":
                name = name.ToLowerInvariant();
                break;
            case "composer":
                ns = ns?.ToLowerInvariant();
                name = name.ToLowerInvariant();
                break;
            case "maven":
                break;
            default:
                break;
        }
        return new PackageKey(type, string.IsNullOrEmpty(ns) ? null : ns, name, version);
    }

    /// <summary>Maps scanner package types (Trivy Type/Class, Grype type, Snyk packageManager) to purl types.</summary>
    public static string NormalizeType(string type)
    {
        var t = type.Trim().ToLowerInvariant();
        return t switch
        {
            "deb" or "debian" or "ubuntu" or "dpkg" or "apt" => "deb",
            "rpm" or "redhat" or "centos" or "rocky" or "alma" or "almalinux" or "amazon" or "amzn" or "oracle" or "ol" or "photon"
                or "suse" or "sles" or "opensuse" or "opensuse-leap" or "opensuse.leap" or "opensuse-tumbleweed" or "cbl-mariner" or "mariner"
                or "azurelinux" or "fedora" or "rhel" or "ubi" or "linux" => "rpm",
            "apk" or "alpine" or "wolfi" or "chainguard" or "minimos" => "apk",
            "npm" or "node-pkg" or "yarn" or "pnpm" or "bun" or "javascript" => "npm",
            "pip" or "pipenv" or "poetry" or "python-pkg" or "python" or "pypi" or "uv" or "conda-pkg" => "pypi",
            "jar" or "pom" or "gradle" or "sbt" or "maven" or "java-archive" or "java" or "jenkins-plugin" => "maven",
            "gomod" or "gobinary" or "go-module" or "golang" or "go" or "gomodules" => "golang",
            "nuget" or "dotnet-core" or "packages-props" or "dotnet" or "dotnet-deps" => "nuget",
            "bundler" or "gemspec" or "gem" or "rubygems" or "ruby" => "gem",
            "cargo" or "rustbinary" or "rust-crate" or "rust" => "cargo",
            "composer" or "composer-vendor" or "php-composer" or "php" => "composer",
            "cocoapods" or "pod" => "cocoapods",
            "swift" => "swift",
            "hex" or "mix" => "hex",
            "pub" or "dart" => "pub",
            "conan" => "conan",
            "alpm" or "arch" => "alpm",
            "binary" => "generic",
            _ => t,
        };
    }

    /// <summary>Go versions: "v1.2.3", "1.2.3" and the stdlib's "go1.24.1" are one version.</summary>
    public static string NormalizeGoVersion(string v)
    {
        if (v.StartsWith("go", StringComparison.Ordinal) && v.Length > 2 && char.IsAsciiDigit(v[2])) return v[2..];
        if (v.StartsWith('v') && v.Length > 1 && char.IsAsciiDigit(v[1])) return v[1..];
        return v;
    }

    /// <summary>rpm purls carry the epoch as a qualifier while scanners' version strings may or may not include it;
    /// an explicit epoch 0 is the same as none.</summary>
    private static string WithEpoch(string version, Purl? purl)
    {
        if (version.StartsWith("0:", StringComparison.Ordinal)) version = version[2..];
        if (purl is not null && purl.Qualifiers.TryGetValue("epoch", out var epoch) && epoch != "0" && !version.Contains(':'))
            version = $"{epoch}:{version}";
        return version;
    }

    private static string JoinPath(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    private static (string? Ns, string Name) SplitGoPath(string path)
    {
        var i = path.LastIndexOf('/');
        return i < 0 ? (null, path) : (path[..i], path[(i + 1)..]);
    }

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Pep503Regex();
}
