namespace Triage.Core.Identity;

/// <summary>
/// A container image reference, normalised the way registries resolve it: "nginx" is docker.io/library/nginx:latest,
/// "ghcr.io/org/app@sha256:…" keeps its digest. Used to find the repository and the artifact of a report.
/// </summary>
public sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    /// <summary>"docker.io/library/nginx:1.27" or "…@sha256:…" (digest wins when both are present).</summary>
    public override string ToString() =>
        Digest is not null ? $"{Repository}@{Digest}" : Tag is not null ? $"{Repository}:{Tag}" : Repository;

    public static bool TryParse(string? text, out ImageReference? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        foreach (var prefix in (string[])["docker-pullable://", "docker://", "containerd://", "oci://"])
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) s = s[prefix.Length..];
        if (s.Length == 0 || s.Any(char.IsWhiteSpace) || s.Contains("..", StringComparison.Ordinal)) return false;

        string? digest = null;
        var at = s.IndexOf('@');
        if (at >= 0)
        {
            digest = s[(at + 1)..].ToLowerInvariant();
            s = s[..at];
            if (!IsDigest(digest)) return false;
        }
        string? tag = null;
        var lastSlash = s.LastIndexOf('/');
        var colon = s.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = s[(colon + 1)..];
            s = s[..colon];
            if (tag.Length == 0) return false;
        }
        if (s.Length == 0) return false;

        var parts = s.Split('/');
        string registry;
        string path;
        // The first component is a registry host when it has a dot or a port, or is "localhost".
        if (parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost"))
        {
            registry = parts[0].ToLowerInvariant();
            path = string.Join('/', parts.Skip(1));
        }
        else
        {
            registry = "docker.io";
            path = s;
        }
        if (registry is "index.docker.io" or "registry-1.docker.io") registry = "docker.io";
        if (registry == "docker.io" && !path.Contains('/')) path = "library/" + path;
        reference = new ImageReference($"{registry}/{path.ToLowerInvariant()}", tag, digest);
        return true;
    }

    public static ImageReference Parse(string text) =>
        TryParse(text, out var r) ? r! : throw new FormatException($"Not an image reference: '{text}'");

    /// <summary>"sha256:" followed by 64 hex digits (or other algorithms with their hex lengths).</summary>
    public static bool IsDigest(string? s)
    {
        if (s is null) return false;
        var colon = s.IndexOf(':');
        if (colon <= 0) return false;
        var hex = s.AsSpan(colon + 1);
        return hex.Length >= 32 && hex.IndexOfAnyExcept("0123456789abcdef") < 0;
    }
}
