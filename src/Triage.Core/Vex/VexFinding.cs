using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>
/// Where one finding lives, as far as VEX cares: the image (repository + digest), the teams owning it, the package and the
/// vulnerability's alias set. The lead builds it from a stored finding; <see cref="VexResolver"/> picks the statement that
/// governs it.
/// </summary>
public sealed record VexFinding
{
    public VexFinding(string? repository, string? digest, Purl? package, IEnumerable<string> vulnerabilityIds, IEnumerable<string>? teams = null)
    {
        Repository = string.IsNullOrWhiteSpace(repository) ? null : VexImageNames.NormalizeRepository(repository);
        Digest = VexImageNames.TryNormalizeDigest(digest, out var d) ? d : null;
        Package = package;
        VulnerabilityIds = vulnerabilityIds.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (VulnerabilityIds.Count == 0) throw new ArgumentException("A finding needs at least one vulnerability id.", nameof(vulnerabilityIds));
        Teams = (teams ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToArray();
    }

    public string? Repository { get; }
    public string? Digest { get; }
    public Purl? Package { get; }
    public IReadOnlyList<string> VulnerabilityIds { get; }
    public IReadOnlyList<string> Teams { get; }
}
