using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Ranking;

/// <summary>
/// Weights and thresholds of the risk score (docs/decisions/032-ranking-policy.md). Points add up to a 0–100 score;
/// every property has a default and a setter so the policy binds from configuration (section "Triage:Ranking").
/// Call <see cref="Validate"/> after binding.
/// </summary>
public sealed record RankingPolicy
{
    public static RankingPolicy Default { get; } = new();

    // Exploitation: KEV outranks any EPSS. With KEV the EPSS points are not added (KEV already shows exploitation).
    /// <summary>Points for a CISA KEV listing. Must exceed <see cref="EpssWeight"/>.</summary>
    public double KevWeight { get; init; } = 35;
    /// <summary>Extra points when CISA lists known ransomware campaign use.</summary>
    public double KevRansomwareBonus { get; init; } = 5;
    /// <summary>Points for EPSS = 1; a score e gives EpssWeight · e^EpssExponent.</summary>
    public double EpssWeight { get; init; } = 30;
    /// <summary>Below 1 lifts the long tail of small EPSS values (0.5: EPSS 0.01 → 10% of the weight, 0.25 → 50%).</summary>
    public double EpssExponent { get; init; } = 0.5;

    // Technical impact.
    /// <summary>Points for CVSS 10; CVSS s gives ImpactWeight · s / 10.</summary>
    public double ImpactWeight { get; init; } = 25;
    /// <summary>CVSS-equivalents used when no CVSS score is known (mid-band values; Unknown is neutral, not low).</summary>
    public double CriticalScore { get; init; } = 9.5;
    public double HighScore { get; init; } = 8.0;
    public double MediumScore { get; init; } = 5.5;
    public double LowScore { get; init; } = 2.5;
    public double UnknownSeverityScore { get; init; } = 5.5;

    // Exposure.
    public double ExposureProd { get; init; } = 15;
    public double ExposureStaging { get; init; } = 8;
    public double ExposureOther { get; init; } = 5;
    /// <summary>No inventory imported at all: unknown exposure counts like a non-production deployment, never as absent.</summary>
    public double ExposureUnknown { get; init; } = 5;
    /// <summary>Inventories exist and none shows the image running.</summary>
    public double ExposureNotRunning { get; init; } = 0;
    public double WorkloadBonusPerExtra { get; init; } = 1;
    public double WorkloadBonusMax { get; init; } = 5;
    public IReadOnlyList<string> ProdEnvironments { get; init; } = ["prod", "production", "prd", "live"];
    public IReadOnlyList<string> StagingEnvironments { get; init; } = ["staging", "stage", "stg", "preprod", "pre-prod", "uat", "qa"];

    // Reachability. Unknown is always 0: missing evidence never lowers priority.
    public double Reachable { get; init; } = 15;
    public double Loaded { get; init; } = 8;
    public double PresentNotLoaded { get; init; } = -15;
    public double NotPresent { get; init; } = -25;
    /// <summary>Verdicts below this confidence do not lower the score.</summary>
    public VerdictConfidence MinConfidenceToLower { get; init; } = VerdictConfidence.Medium;

    /// <summary>Points when a fixed version exists: the finding is actionable now.</summary>
    public double FixAvailableBonus { get; init; } = 5;

    // Priority thresholds on the score, and SSVC-style guards.
    public double ActAt { get; init; } = 75;
    public double AttendAt { get; init; } = 50;
    public double TrackStarAt { get; init; } = 30;
    /// <summary>Act needs exploitation evidence: KEV, or EPSS at least this.</summary>
    public double ActMinEpss { get; init; } = 0.1;
    /// <summary>Act needs production exposure (or unknown exposure: missing inventory does not block).</summary>
    public bool ActRequiresProd { get; init; } = true;
    /// <summary>KEV-listed findings never rank below this, whatever the other factors say.</summary>
    public SsvcPriority KevMinimumPriority { get; init; } = SsvcPriority.Attend;

    /// <summary>Problems with a bound policy, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (KevWeight <= EpssWeight) errors.Add($"KevWeight ({KevWeight}) must be greater than EpssWeight ({EpssWeight}): KEV ranks above any EPSS.");
        foreach (var (name, value) in new[]
                 {
                     (nameof(KevWeight), KevWeight), (nameof(KevRansomwareBonus), KevRansomwareBonus), (nameof(EpssWeight), EpssWeight),
                     (nameof(ImpactWeight), ImpactWeight), (nameof(ExposureProd), ExposureProd), (nameof(ExposureStaging), ExposureStaging),
                     (nameof(ExposureOther), ExposureOther), (nameof(ExposureUnknown), ExposureUnknown), (nameof(ExposureNotRunning), ExposureNotRunning),
                     (nameof(WorkloadBonusPerExtra), WorkloadBonusPerExtra), (nameof(WorkloadBonusMax), WorkloadBonusMax),
                     (nameof(Reachable), Reachable), (nameof(Loaded), Loaded), (nameof(FixAvailableBonus), FixAvailableBonus),
                 })
            if (value < 0 || double.IsNaN(value)) errors.Add($"{name} must be zero or positive.");
        if (PresentNotLoaded > 0 || NotPresent > 0) errors.Add("PresentNotLoaded and NotPresent must be zero or negative.");
        if (EpssExponent is <= 0 or > 1) errors.Add("EpssExponent must be in (0, 1].");
        if (!(TrackStarAt <= AttendAt && AttendAt <= ActAt)) errors.Add("Thresholds must satisfy TrackStarAt ≤ AttendAt ≤ ActAt.");
        if (ActAt > 100 || TrackStarAt < 0) errors.Add("Thresholds must lie within 0..100.");
        if (ActMinEpss is < 0 or > 1) errors.Add("ActMinEpss must be in 0..1.");
        foreach (var s in new[] { CriticalScore, HighScore, MediumScore, LowScore, UnknownSeverityScore })
            if (s is < 0 or > 10) { errors.Add("Severity scores must be CVSS values in 0..10."); break; }
        return errors;
    }

    public EnvironmentClass Classify(string environment)
    {
        foreach (var p in ProdEnvironments) if (string.Equals(p, environment, StringComparison.OrdinalIgnoreCase)) return EnvironmentClass.Prod;
        foreach (var s in StagingEnvironments) if (string.Equals(s, environment, StringComparison.OrdinalIgnoreCase)) return EnvironmentClass.Staging;
        return EnvironmentClass.Other;
    }
}
