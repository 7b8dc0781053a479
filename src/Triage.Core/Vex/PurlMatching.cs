using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>What VEX needs from a <see cref="Purl"/> beyond parsing: go-vex's general → specific match and a few helpers.</summary>
public static class PurlMatching
{
    private static readonly IReadOnlyDictionary<string, string> NoQualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="vexSide"/>, read as a VEX product or subcomponent, covers <paramref name="target"/>: type,
    /// namespace and name are equal; a missing version matches every version; every qualifier given on the VEX side is on
    /// the target with the same value (extra target qualifiers are fine); a VEX subpath must be equal. This is go-vex's rule
    /// (openvex/go-vex pkg/vex/statement.go), which Trivy and Grype apply.
    /// </summary>
    public static bool Covers(this Purl vexSide, Purl target)
    {
        if (!string.Equals(vexSide.Type, target.Type, StringComparison.OrdinalIgnoreCase)) return false;
        var type = vexSide.Type.ToLowerInvariant();
        if (!NameEquals(type, vexSide.Namespace ?? "", target.Namespace ?? "")) return false;
        if (!NameEquals(type, vexSide.Name, target.Name)) return false;
        if (vexSide.Version is { } v && (target.Version is null || !VersionEquals(type, v, target.Version))) return false;
        foreach (var (k, val) in vexSide.Qualifiers)
            if (!target.Qualifiers.TryGetValue(k, out var tv) || !QualifierEquals(k, val, tv)) return false;
        if (vexSide.Subpath is { } sp && !string.Equals(sp, target.Subpath, StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>Same package URL once written canonically (the shared <see cref="Purl"/> compares its qualifier map by reference).</summary>
    public static bool SameAs(this Purl a, Purl? b) => b is not null && string.Equals(a.ToString(), b.ToString(), StringComparison.Ordinal);

    public static Purl WithVersion(this Purl p, string? version) => p with { Version = string.IsNullOrEmpty(version) ? null : version };

    public static Purl WithoutQualifiers(this Purl p) => p with { Qualifiers = NoQualifiers };

    public static string? Qualifier(this Purl p, string key) => p.Qualifiers.TryGetValue(key, out var v) ? v : null;

    // Ecosystems whose names are case-insensitive (purl-spec type list); PyPI also treats '_' and '-' alike (PEP 503).
    private static bool NameEquals(string type, string a, string b) => type switch
    {
        "pypi" => string.Equals(a.Replace('_', '-'), b.Replace('_', '-'), StringComparison.OrdinalIgnoreCase),
        "npm" or "apk" or "deb" or "oci" or "github" or "bitbucket" or "nuget" or "composer" or "alpm" => string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
        _ => string.Equals(a, b, StringComparison.Ordinal),
    };

    // OCI versions are digests: hex is case-insensitive.
    private static bool VersionEquals(string type, string a, string b) =>
        type == "oci" ? string.Equals(a, b, StringComparison.OrdinalIgnoreCase) : string.Equals(a, b, StringComparison.Ordinal);

    // Registries are host names (case-insensitive) and a trailing '/' means nothing.
    private static bool QualifierEquals(string key, string a, string b) =>
        key == "repository_url"
            ? string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            : string.Equals(a, b, StringComparison.Ordinal);
}
