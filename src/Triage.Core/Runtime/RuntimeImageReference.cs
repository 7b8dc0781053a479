namespace Triage.Core.Runtime;

/// <summary>
/// An image as runtime sources name it. Kubernetes and trivy-operator spell images in several ways
/// ("nginx:1.27", "docker-pullable://nginx@sha256:…", "docker.io/library/nginx@sha256:…", a bare "sha256:…");
/// this keeps what was written and splits out what matching needs.
/// </summary>
/// <param name="Reference">The text as given, for display.</param>
/// <param name="Repository">Repository without tag or digest ("nginx", "quay.io/org/app"), as written: no registry is added.</param>
/// <param name="Tag">Tag, when the reference has one.</param>
/// <param name="Digest">Manifest (repository) digest "sha256:hex": what a registry serves and what scanners list as RepoDigests.</param>
/// <param name="ImageId">Image config digest "sha256:hex" (Trivy ImageID, Grype imageID), when the source gives that instead.</param>
public sealed record RuntimeImageReference(string Reference, string? Repository, string? Tag, string? Digest, string? ImageId)
{
    /// <summary>"repo@sha256:…" when both are known: the form the lead matches against a report's RepoDigests.</summary>
    public string? RepoDigest => Repository is not null && Digest is not null ? $"{Repository}@{Digest}" : null;

    /// <summary>The best single key for grouping: the repository digest, else the config digest, else the reference.</summary>
    public string Key => Digest ?? ImageId ?? Reference;

    /// <summary>Parses an image reference or a container runtime's imageID.</summary>
    /// <param name="value">e.g. "docker-pullable://repo@sha256:…", "repo:tag@sha256:…", "repo:tag", "sha256:…".</param>
    /// <param name="bareDigestIsImageId">A bare "sha256:…" is an image config id when it comes from a container runtime
    /// (containerd/CRI-O imageID) and a manifest digest when it comes from a profile that names images by digest.</param>
    public static RuntimeImageReference Parse(string value, bool bareDigestIsImageId = true)
    {
        var text = value.Trim();
        var rest = text;
        foreach (var scheme in Schemes)
            if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) { rest = rest[scheme.Length..]; break; }

        if (IsDigest(rest))
        {
            var d = rest.ToLowerInvariant();
            return bareDigestIsImageId ? new(text, null, null, null, d) : new(text, null, null, d, null);
        }

        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var candidate = rest[(at + 1)..];
            if (IsDigest(candidate)) digest = candidate.ToLowerInvariant();
            rest = rest[..at];
        }
        string? tag = null;
        // A colon after the last slash separates the tag; one before it belongs to a registry port ("host:5000/app").
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.IndexOf(':', lastSlash + 1);
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        return new(text, rest.Length == 0 ? null : rest, string.IsNullOrEmpty(tag) ? null : tag, digest, null);
    }

    /// <summary>True for "sha256:" followed by 64 hex digits (other algorithms are accepted by length 32–128).</summary>
    public static bool IsDigest(string s)
    {
        var colon = s.IndexOf(':');
        if (colon <= 0) return false;
        var alg = s.AsSpan(0, colon);
        foreach (var c in alg) if (!char.IsAsciiLetterOrDigit(c)) return false;
        var hex = s.AsSpan(colon + 1);
        if (hex.Length is < 32 or > 128) return false;
        foreach (var c in hex) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    private static readonly string[] Schemes = ["docker-pullable://", "docker://", "containerd://", "cri-o://"];
}
