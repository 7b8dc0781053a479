namespace Triage.Core.Ingest;

/// <summary>
/// Maps each scanner's package-type vocabulary to purl types, one explicit switch per scanner (STYLE.md habit 11).
/// A type a switch does not know passes through lower-cased: it stays visible and the identity code can still group it.
/// </summary>
public static class PackageTypes
{
    /// <summary>Trivy's Result.Type (OS family for os-pkgs, language analyzer for lang-pkgs).</summary>
    public static string FromTrivy(string? type) => (type ?? "").ToLowerInvariant() switch
    {
        "debian" or "ubuntu" or "distroless" or "echo" or "dpkg" => "deb",
        "alpine" or "wolfi" or "chainguard" or "minimos" or "apk" => "apk",
        "redhat" or "centos" or "rocky" or "alma" or "amazon" or "oracle" or "fedora" or "photon" or "cbl-mariner"
            or "azurelinux" or "suse linux enterprise server" or "suse linux enterprise micro" or "opensuse.leap"
            or "opensuse.tumbleweed" or "opensuse-leap" or "sles" or "rpm" or "coreos" or "bottlerocket" => "rpm",
        "arch" or "archlinux" => "alpm",
        "npm" or "yarn" or "pnpm" or "node-pkg" or "bun" => "npm",
        "jar" or "pom" or "gradle" or "sbt" or "java" => "maven",
        "pip" or "pipenv" or "poetry" or "python-pkg" or "uv" or "conda-pkg" => "pypi",
        "gomod" or "gobinary" => "golang",
        "nuget" or "dotnet-core" or "packages-props" => "nuget",
        "bundler" or "gemspec" or "rubygems" => "gem",
        "cargo" or "rustbinary" or "rust-binary" => "cargo",
        "composer" or "composer-vendor" => "composer",
        "conan" => "conan",
        "cocoapods" => "cocoapods",
        "swift" => "swift",
        "hex" or "mix" => "hex",
        "pub" => "pub",
        "conda-environment" => "conda",
        "julia" => "julia",
        "" => "unknown",
        var other => other,
    };

    /// <summary>Grype's artifact.type.</summary>
    public static string FromGrype(string? type) => (type ?? "").ToLowerInvariant() switch
    {
        "deb" => "deb",
        "rpm" => "rpm",
        "apk" => "apk",
        "alpm" => "alpm",
        "npm" => "npm",
        "python" => "pypi",
        "java-archive" or "jenkins-plugin" or "graalvm-native-image" => "maven",
        "go-module" => "golang",
        "dotnet" => "nuget",
        "gem" => "gem",
        "rust-crate" => "cargo",
        "php-composer" or "php-pecl" or "php-pear" => "composer",
        "conan" => "conan",
        "pod" => "cocoapods",
        "swift" => "swift",
        "hex" => "hex",
        "dart-pub" => "pub",
        "binary" => "generic",
        "" => "unknown",
        var other => other,
    };

    /// <summary>Snyk's packageManager, at project level ("deb", "npm") or record level ("debian:11", "golang").</summary>
    public static string FromSnyk(string? manager)
    {
        var m = (manager ?? "").ToLowerInvariant();
        var colon = m.IndexOf(':');
        if (colon >= 0) m = m[..colon];
        return m switch
        {
            "deb" or "dpkg" or "apt" or "debian" or "ubuntu" => "deb",
            "rpm" or "rhel" or "centos" or "amzn" or "sles" or "oracle" or "rocky" or "alma" or "fedora" or "photon" or "cbl-mariner" or "linux" => "rpm",
            "apk" or "alpine" or "wolfi" or "chainguard" => "apk",
            "npm" or "yarn" or "pnpm" => "npm",
            "maven" or "gradle" or "sbt" => "maven",
            "pip" or "poetry" or "pipenv" or "python" => "pypi",
            "gomodules" or "golang" or "golangdep" or "govendor" => "golang",
            "nuget" or "paket" => "nuget",
            "rubygems" => "gem",
            "cargo" => "cargo",
            "composer" => "composer",
            "cocoapods" => "cocoapods",
            "swift" => "swift",
            "hex" => "hex",
            "pub" => "pub",
            "conan" => "conan",
            "" => "unknown",
            var other => other,
        };
    }

    /// <summary>True for Snyk package managers whose names are "source/binary" (groundtruth's OS managers).</summary>
    public static bool IsSnykOsManager(string? manager)
    {
        var m = (manager ?? "").ToLowerInvariant();
        var colon = m.IndexOf(':');
        if (colon >= 0) m = m[..colon];
        return m is "deb" or "dpkg" or "apk" or "rpm" or "debian" or "ubuntu" or "alpine" or "linux" or "rhel" or "centos"
            or "amzn" or "sles" or "wolfi" or "chainguard" or "apt" or "oracle" or "rocky" or "alma" or "fedora" or "photon";
    }
}

/// <summary>The parts of a package URL that parsers need (type, namespace, name, qualifiers). Not a validator.</summary>
public sealed record Purl(string Type, string? Namespace, string Name, string? Version, IReadOnlyList<KeyValuePair<string, string>> Qualifiers)
{
    public static Purl? TryParse(string? purl)
    {
        if (purl is null || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var s = purl.AsSpan(4).TrimStart('/');
        var hash = s.IndexOf('#');
        if (hash >= 0) s = s[..hash];
        var qualifiers = Array.Empty<KeyValuePair<string, string>>() as IReadOnlyList<KeyValuePair<string, string>>;
        var q = s.IndexOf('?');
        if (q >= 0)
        {
            qualifiers = ParseQualifiers(s[(q + 1)..]);
            s = s[..q];
        }
        var slash = s.IndexOf('/');
        if (slash <= 0) return null;
        var type = s[..slash].ToString().ToLowerInvariant();
        s = s[(slash + 1)..].TrimEnd('/');
        string? version = null;
        var at = s.LastIndexOf('@');
        // '@' can also start an npm scope ("%40scope" when encoded, but some tools write it raw): a version follows the last '/'.
        if (at > s.LastIndexOf('/'))
        {
            version = Uri.UnescapeDataString(s[(at + 1)..].ToString());
            s = s[..at];
        }
        var lastSlash = s.LastIndexOf('/');
        var name = Uri.UnescapeDataString(s[(lastSlash + 1)..].ToString());
        var ns = lastSlash > 0 ? Uri.UnescapeDataString(s[..lastSlash].ToString()) : null;
        return name.Length == 0 ? null : new Purl(type, ns, name, version, qualifiers);
    }

    private static KeyValuePair<string, string>[] ParseQualifiers(ReadOnlySpan<char> s)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var range in s.Split('&'))
        {
            var part = s[range];
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            list.Add(new(part[..eq].ToString().ToLowerInvariant(), Uri.UnescapeDataString(part[(eq + 1)..].ToString())));
        }
        return [.. list];
    }
}
