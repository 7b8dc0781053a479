namespace Triage.Core.Runtime.Files;

/// <summary>What a process did with a file. Flags: one file can be read and executed.</summary>
[Flags]
public enum FileOps
{
    None = 0,
    /// <summary>Opened without a recorded read, write or exec (an open/stat event).</summary>
    Open = 1,
    Read = 2,
    Write = 4,
    Execute = 8,
}

/// <summary>Whether a runtime profile saw everything the workload does, or only part of it.</summary>
public enum ProfileCompleteness
{
    /// <summary>Not known to be complete: it may only prove use, never non-use.</summary>
    Partial,
    /// <summary>Covers the workload's whole run as far as the producer can tell: "never touched" is meaningful.</summary>
    Complete,
}

public static class ProfileCompletenessNames
{
    public static string ToWire(this ProfileCompleteness c) => c switch
    {
        ProfileCompleteness.Partial => "partial",
        ProfileCompleteness.Complete => "complete",
    };
}

/// <summary>One file touched at runtime, with counters when the source has them.</summary>
public sealed record FileUse(string Path, FileOps Ops, long Reads = 0, long Writes = 0, long Executions = 0);

/// <summary>
/// Files used by a running container, from one source (slim monitors, an eBPF/strace/Tetragon export).
/// Proves use; proves non-use only when <see cref="Completeness"/> is Complete.
/// </summary>
public sealed class FileAccessProfile
{
    public FileAccessProfile(string source, ProfileCompleteness completeness, RuntimeImageReference? image)
    {
        Source = source;
        Completeness = completeness;
        Image = image;
    }

    /// <summary>Source name shown with verdicts ("slim-creport", "file-access:tetragon"…).</summary>
    public string Source { get; }
    public ProfileCompleteness Completeness { get; }
    /// <summary>The image the profile was recorded on, when the source names it.</summary>
    public RuntimeImageReference? Image { get; }
    /// <summary>Accessed files by normalised absolute path.</summary>
    public Dictionary<string, FileUse> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>Why the profile is partial, when it is (shown to users).</summary>
    public string? PartialReason { get; init; }

    internal void Add(string path, FileOps ops, long reads = 0, long writes = 0, long execs = 0)
    {
        var p = PathNormalizer.Normalize(path);
        if (p is null) return;
        Files[p] = Files.TryGetValue(p, out var f)
            ? f with { Ops = f.Ops | ops, Reads = f.Reads + reads, Writes = f.Writes + writes, Executions = f.Executions + execs }
            : new FileUse(p, ops, reads, writes, execs);
    }
}

/// <summary>
/// The complete list of files present in an image (slim's kept files of a minified image). Absence from it is
/// meaningful: a package none of whose files are listed is not in that image.
/// </summary>
public sealed class ImageFileInventory
{
    public ImageFileInventory(string source, RuntimeImageReference? image)
    {
        Source = source;
        Image = image;
    }

    public string Source { get; }
    public RuntimeImageReference? Image { get; }
    public HashSet<string> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>Symlinks kept in the image and their resolved targets, so "/lib/libz.so.1" finds "/lib/libz.so.1.2.8".</summary>
    public Dictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

    public bool Contains(string normalizedPath) => Files.Contains(normalizedPath) || Links.ContainsKey(normalizedPath);
}

/// <summary>Paths are compared as absolute, '/'-separated, without "." segments or doubled slashes; scanners differ
/// (Trivy writes "usr/lib/x", Syft "/usr/lib/x").</summary>
internal static class PathNormalizer
{
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var p = path.Trim().Replace('\\', '/');
        if (p.StartsWith("./", StringComparison.Ordinal)) p = p[1..];
        if (!p.StartsWith('/')) p = "/" + p;
        if (!p.Contains("//", StringComparison.Ordinal) && !p.Contains("/./", StringComparison.Ordinal) && !p.Contains("/..", StringComparison.Ordinal))
            return p.Length > 1 ? p.TrimEnd('/') : p;
        var parts = new List<string>();
        foreach (var seg in p.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>Resolves a symlink target relative to the link's directory.</summary>
    public static string? ResolveLink(string linkPath, string target) =>
        target.StartsWith('/') ? Normalize(target) : Normalize(linkPath[..(linkPath.LastIndexOf('/') + 1)] + target);
}
