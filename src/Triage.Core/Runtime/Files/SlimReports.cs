namespace Triage.Core.Runtime.Files;

/// <summary>slim's container report (<c>creport.json</c>): what the profiled container used, and what the minified image keeps.</summary>
public sealed class SlimContainerReport
{
    public required FileAccessProfile Accesses { get; init; }
    /// <summary>Files kept in the minified image (image.files): a complete inventory of that image.</summary>
    public required ImageFileInventory KeptFiles { get; init; }
    /// <summary>The profiled (original) image when the report names it (newer slim versions); null for old reports.</summary>
    public RuntimeImageReference? Image { get; init; }
    public string? MainProcess { get; init; }
    public string? Distro { get; init; }
    public int ProcessCount { get; init; }
}

/// <summary>slim's command report (<c>slim.report.json</c>): the build's before/after, for reduction reviews.</summary>
public sealed class SlimCommandReport
{
    public string? Engine { get; init; }
    /// <summary>build, xray, profile…</summary>
    public string? Type { get; init; }
    /// <summary>"done" for a finished run; anything else means the minified image may be missing or partial.</summary>
    public string? State { get; init; }
    public string? TargetReference { get; init; }
    public RuntimeImageReference? OriginalImage { get; init; }
    public long? OriginalSize { get; init; }
    public string? MinifiedImage { get; init; }
    public string? MinifiedImageId { get; init; }
    public string? MinifiedImageDigest { get; init; }
    public long? MinifiedSize { get; init; }
    /// <summary>Size reduction factor as slim computes it (original / minified).</summary>
    public double? MinifiedBy { get; init; }
    public string? ContainerReportName { get; init; }
    public IReadOnlyList<SlimStackImage> ImageStack { get; init; } = [];
}

/// <summary>One image of the stack the original image is built on (base images first, as slim lists them).</summary>
public sealed record SlimStackImage(string? Id, string? FullName, string? RepoName, string? VersionTag, bool IsTopImage, long? NewSize, string? BaseImageId, int Instructions);
