namespace Triage.Core.Enrichment;

/// <summary>One FIRST EPSS score: probability of exploitation activity in the next 30 days, and its percentile.</summary>
public readonly record struct EpssScore(string Cve, double Epss, double Percentile);

/// <summary>A day's EPSS scores.</summary>
public sealed class EpssSnapshot
{
    public EpssSnapshot(int capacity = 0) => Scores = new Dictionary<string, EpssScore>(capacity, StringComparer.OrdinalIgnoreCase);

    /// <summary>From the CSV's first line (#model_version:…); null for the JSON form.</summary>
    public string? ModelVersion { get; init; }
    /// <summary>From the CSV's first line (score_date:…) or the JSON rows' "date".</summary>
    public DateOnly? ScoreDate { get; set; }
    /// <summary>"csv", "csv.gz", "json" or "json.gz".</summary>
    public required string Format { get; init; }
    public Dictionary<string, EpssScore> Scores { get; }

    public EpssScore? Find(string cve) => Scores.TryGetValue(cve, out var s) ? s : null;
}
