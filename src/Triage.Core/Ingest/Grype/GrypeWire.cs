namespace Triage.Core.Ingest.Grype;

/// <summary>A Grype vulnerability object: the match's own, or one of its relatedVulnerabilities (wire type).</summary>
internal sealed class GrypeVulnerabilityWire
{
    public string? Id;
    public string? DataSource;
    public string? Namespace;
    public string? Severity;
    public string? Description;
    public double? Risk;
    public string? FixState;
    public readonly List<string> FixVersions = [];
    public readonly List<string> Urls = [];
    public readonly List<string> Advisories = [];
    public readonly List<CvssScore> Cvss = [];
    public readonly List<(string? Cve, string Cwe)> Cwes = [];
    public readonly List<(string? Cve, double? Score, double? Percentile, DateOnly? Date)> Epss = [];
    public readonly List<string?> KnownExploited = [];

    public void Reset()
    {
        Id = DataSource = Namespace = Severity = Description = FixState = null;
        Risk = null;
        FixVersions.Clear();
        Urls.Clear();
        Advisories.Clear();
        Cvss.Clear();
        Cwes.Clear();
        Epss.Clear();
        KnownExploited.Clear();
    }
}

/// <summary>One element of Grype's matches[] (wire type); reused for every match of a parse.</summary>
internal sealed class GrypeMatchWire
{
    public readonly GrypeVulnerabilityWire Vulnerability = new();
    /// <summary>relatedVulnerabilities, pooled: only the first <see cref="RelatedCount"/> are this match's.</summary>
    public readonly List<GrypeVulnerabilityWire> Related = [];
    public int RelatedCount;
    public string? Name;
    public string? Version;
    public string? Type;
    public string? Purl;
    public readonly List<string> Locations = [];
    public string? FirstLayer;
    public string? UpstreamName;
    public string? UpstreamVersion;
    public bool IsNull;

    public GrypeVulnerabilityWire NextRelated()
    {
        if (RelatedCount == Related.Count) Related.Add(new GrypeVulnerabilityWire());
        var r = Related[RelatedCount++];
        r.Reset();
        return r;
    }

    public void Reset()
    {
        Vulnerability.Reset();
        RelatedCount = 0;
        Name = Version = Type = Purl = FirstLayer = UpstreamName = UpstreamVersion = null;
        Locations.Clear();
        IsNull = false;
    }
}

/// <summary>Grype's source, distro and descriptor sections (they follow matches[] in the file).</summary>
internal sealed class GrypeSourceWire
{
    public string? Type;
    public string? Name;
    public string? ImageId;
    public string? ManifestDigest;
    public long? ImageSize;
    public readonly List<string> Tags = [];
    public readonly List<string> RepoDigests = [];

    public void Reset()
    {
        Type = Name = ImageId = ManifestDigest = null;
        ImageSize = null;
        Tags.Clear();
        RepoDigests.Clear();
    }
}
