using Triage.Core.Domain;

namespace Triage.Core.Ingest.Trivy;

/// <summary>
/// One Trivy vulnerability record as the JSON gives it (wire type, STYLE.md habit 4). A single instance is reused for
/// every record of a parse: the record loop fills it, <see cref="TrivyReportParser"/> converts it, then it is reset.
/// </summary>
internal sealed class TrivyVulnerabilityWire
{
    public bool IsNull;
    public string? VulnerabilityId;
    public readonly List<string> VendorIds = [];
    public string? PkgId;
    public string? PkgName;
    public string? PkgPath;
    public string? Purl;
    public string? Uid;
    public string? InstalledVersion;
    public string? FixedVersion;
    public string? Status;
    /// <summary>Layer digest (DiffID, else Digest) as raw UTF-8: a string is made only for a package that has none
    /// yet, since most records repeat their package's layer.</summary>
    public readonly byte[] Layer = new byte[256];
    public int LayerLength;
    public string? SeveritySource;
    public string? PrimaryUrl;
    public string? DataSourceId;
    public string? DataSourceName;
    public string? Fingerprint;
    public string? Title;
    public string? Description;
    public Severity Severity;
    public readonly List<string> CweIds = [];
    public readonly List<(string Source, int Level)> VendorSeverity = [];
    public readonly List<CvssScore> Cvss = [];
    public readonly List<string> References = [];
    public DateTimeOffset? PublishedDate;
    public DateTimeOffset? LastModifiedDate;

    public void Reset()
    {
        IsNull = false;
        VulnerabilityId = PkgId = PkgName = PkgPath = Purl = Uid = InstalledVersion = FixedVersion = Status = null;
        LayerLength = 0;
        SeveritySource = PrimaryUrl = DataSourceId = DataSourceName = Fingerprint = null;
        Title = Description = null;
        Severity = Severity.Unknown;
        VendorIds.Clear();
        CweIds.Clear();
        VendorSeverity.Clear();
        Cvss.Clear();
        References.Clear();
        PublishedDate = LastModifiedDate = null;
    }
}

/// <summary>One element of a Result's Packages[] (trivy --list-all-pkgs): what a vulnerability record does not repeat.</summary>
internal sealed class TrivyPackageWire
{
    public string? Id;
    public string? Name;
    public string? Version;
    public string? Release;
    public int? Epoch;
    public string? Purl;
    public string? Uid;
    public string? SrcName;
    public string? SrcVersion;
    public string? SrcRelease;
    public int? SrcEpoch;
    public string? LayerDiffId;
    public string? FilePath;
    public List<string> InstalledFiles = [];

    public void Reset()
    {
        Id = Name = Version = Release = Purl = Uid = SrcName = SrcVersion = SrcRelease = LayerDiffId = FilePath = null;
        Epoch = SrcEpoch = null;
        InstalledFiles = [];
    }

    /// <summary>The source version as Trivy spells installed versions: [epoch:]version[-release].</summary>
    public string? SourceVersion()
    {
        if (SrcVersion is null) return null;
        var v = SrcRelease is { Length: > 0 } ? $"{SrcVersion}-{SrcRelease}" : SrcVersion;
        return SrcEpoch is > 0 ? $"{SrcEpoch}:{v}" : v;
    }
}

/// <summary>Image facts from a report's or a Kubernetes resource's Metadata.</summary>
internal sealed class TrivyMetadataWire
{
    public string? OsFamily;
    public string? OsName;
    public string? ImageId;
    public long? Size;
    public readonly List<string> RepoTags = [];
    public readonly List<string> RepoDigests = [];

    public bool HasImage => ImageId is not null || RepoTags.Count > 0 || RepoDigests.Count > 0;

    public void Reset()
    {
        OsFamily = OsName = ImageId = null;
        Size = null;
        RepoTags.Clear();
        RepoDigests.Clear();
    }

    public void ApplyTo(ParsedTarget t)
    {
        if (OsFamily is { Length: > 0 }) t.OsFamily ??= OsFamily;
        if (OsName is { Length: > 0 }) t.OsName ??= OsName;
        if (ImageId is { Length: > 0 }) t.ImageId ??= ImageId;
        t.SizeBytes ??= Size;
        foreach (var tag in RepoTags) if (!t.Tags.Contains(tag)) t.Tags.Add(tag);
        foreach (var d in RepoDigests) if (!t.RepoDigests.Contains(d)) t.RepoDigests.Add(d);
    }
}
