using System.Text.RegularExpressions;
using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>
/// Normalises image repositories and digests so a decision made on "alpine" matches "docker.io/library/alpine" and
/// "index.docker.io/library/alpine" (the spellings Docker, Trivy and Grype use for one Docker Hub repository).
/// </summary>
public static partial class VexImageNames
{
    /// <summary>"registry/path" in lower case with Docker Hub's implicit host and "library/" made explicit; tags and
    /// digests are cut off. Returns the input trimmed when it cannot be read as a repository.</summary>
    public static string NormalizeRepository(string repository)
    {
        var r = repository.Trim();
        // repository_url qualifiers sometimes carry a scheme; image references never do.
        foreach (var scheme in new[] { "https://", "http://" })
            if (r.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) r = r[scheme.Length..];
        r = r.TrimEnd('/');
        return ImageReference.TryParse(r, out var reference) ? reference!.Repository : r.ToLowerInvariant();
    }

    /// <summary>The last path segment of a repository: the name in a <c>pkg:oci/&lt;name&gt;</c> purl.</summary>
    public static string ShortName(string repository)
    {
        var n = NormalizeRepository(repository);
        return n[(n.LastIndexOf('/') + 1)..];
    }

    /// <summary>"sha256:&lt;64 lower-case hex&gt;" from "sha256:…", "SHA256:…" or 64 bare hex digits; false otherwise.</summary>
    public static bool TryNormalizeDigest(string? digest, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(digest)) return false;
        var d = digest.Trim().ToLowerInvariant();
        if (!d.StartsWith("sha256:", StringComparison.Ordinal)) d = "sha256:" + d;
        if (!Sha256().IsMatch(d)) return false;
        normalized = d;
        return true;
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
