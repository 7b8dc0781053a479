namespace Triage.Core.Ingest.Snyk;

/// <summary>One element of a Snyk project's vulnerabilities[] (wire type); reused for every issue of a parse.</summary>
internal sealed class SnykIssueWire
{
    public bool IsNull;
    public string? Id;
    public string? Title;
    public string? Type;
    public string? Severity;
    public string? SeverityWithCritical;
    public string? NvdSeverity;
    public string? Name;
    public string? PackageName;
    public string? Version;
    public string? PackageManager;
    public string? Language;
    public string? Description;
    public string? CvssV3;
    public double? CvssScore;
    public bool? IsUpgradable;
    public bool? IsPatchable;
    public bool HasFixedIn;
    public string? NearestFixedInVersion;
    public string? Reachability;
    public double? RiskScore;
    public double? EpssProbability;
    public double? EpssPercentile;
    public DateTimeOffset? PublicationTime;
    public DateTimeOffset? ModificationTime;
    public readonly List<string> From = [];
    public readonly List<string> FixedIn = [];
    public readonly List<string> References = [];
    public readonly List<string> Cves = [];
    public readonly List<string> Cwes = [];
    /// <summary>Other identifiers: (kind, value), e.g. (GHSA, GHSA-…), (ALTERNATIVE, SNYK-…), (SUSE, SUSE-SU-…), (NSP, 154).</summary>
    public readonly List<(string Kind, string Value)> OtherIds = [];
    public readonly List<CvssScore> Cvss = [];

    public void Reset()
    {
        IsNull = false;
        Id = Title = Type = Severity = SeverityWithCritical = NvdSeverity = Name = PackageName = Version = null;
        PackageManager = Language = Description = CvssV3 = NearestFixedInVersion = Reachability = null;
        CvssScore = RiskScore = EpssProbability = EpssPercentile = null;
        IsUpgradable = IsPatchable = null;
        HasFixedIn = false;
        PublicationTime = ModificationTime = null;
        From.Clear();
        FixedIn.Clear();
        References.Clear();
        Cves.Clear();
        Cwes.Clear();
        OtherIds.Clear();
        Cvss.Clear();
    }
}
