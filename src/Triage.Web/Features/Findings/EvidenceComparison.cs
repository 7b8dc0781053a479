using System.Text.Json;
using Triage.Core.Domain;
using Triage.Data.Queries;

namespace Triage.Web.Features.Findings;

/// <summary>
/// Every scanner's evidence for one finding, side by side, with the rows where active scanners disagree marked:
/// different severities, one naming a fix and another none, different fixed versions, different fix states.
/// </summary>
public static class EvidenceComparison
{
    /// <param name="cvssByVulnerabilityId">CVSS JSON of the vulnerability records by id: the parsers keep a scanner's
    /// scores on the record of the id it reported, so each scanner's column shows the scores of its own id.</param>
    public static IReadOnlyList<EvidenceRow> Compare(IReadOnlyList<ObservationView> observations,
        IReadOnlyDictionary<string, string?>? cvssByVulnerabilityId = null)
    {
        var active = observations.Where(o => o.Active).ToList();
        var rows = new List<EvidenceRow>
        {
            Row("Scanner's id", observations, o => o.RawId, compare: false),
            Row("Severity", observations, o => o.Severity.ToWire() + (o.SeveritySource is { Length: > 0 } s ? $" ({s})" : ""), active, o => o.Severity.ToWire()),
            Row("Fixed in", observations, o => o.FixedVersions.Count > 0 ? string.Join(", ", o.FixedVersions) : "no fix", active,
                o => string.Join(",", o.FixedVersions.Order(StringComparer.Ordinal))),
            Row("Fix state", observations, o => o.FixState.ToWire(), active, o => FixCategory(o.FixState)),
            Row("Scanner status", observations, o => o.Status ?? "", compare: false),
            Row("CVSS", observations, o => CvssSummary(o.CvssJson ?? cvssByVulnerabilityId?.GetValueOrDefault(o.RawId)), compare: false),
            Row("Reported now", observations, o => o.Active ? "yes" : "no (no longer reported)", compare: false),
        };
        return rows;
    }

    public static bool AnyDisagreement(IReadOnlyList<EvidenceRow> rows) => rows.Any(r => r.Disagree);

    private static EvidenceRow Row(string label, IReadOnlyList<ObservationView> all, Func<ObservationView, string> show, bool compare) =>
        new(label, all.Select(show).ToList(), false);

    private static EvidenceRow Row(string label, IReadOnlyList<ObservationView> all, Func<ObservationView, string> show,
        IReadOnlyList<ObservationView> active, Func<ObservationView, string> key) =>
        new(label, all.Select(show).ToList(), active.Count > 1 && active.Select(key).Distinct(StringComparer.Ordinal).Count() > 1);

    // "fixed" vs "not fixed" is the disagreement that matters; wont-fix and end-of-life are both "no fix coming".
    private static string FixCategory(FixState s) => s switch
    {
        FixState.Fixed => "fixed",
        FixState.NotFixed or FixState.Deferred => "open",
        FixState.WontFix or FixState.EndOfLife => "never",
        FixState.Unknown => "unknown",
    };

    /// <summary>"7.5 (nvd v3.1)" for each entry of a CVSS JSON list; empty when there is none or it cannot be read.</summary>
    public static string CvssSummary(string? json) => string.Join("; ", ParseCvss(json).Select(c =>
        $"{(c.Score is { } s ? s.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "?")} ({c.Source} v{c.Version})"));

    public static IReadOnlyList<CvssEntry> ParseCvss(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return [];
            var list = new List<CvssEntry>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                list.Add(new CvssEntry(
                    Str(e, "source") ?? "?", Str(e, "version") ?? "?", Str(e, "vector"),
                    e.TryGetProperty("score", out var sc) && sc.ValueKind == JsonValueKind.Number ? sc.GetDouble() : null));
            }
            return list;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>One aspect (severity, fix…) across scanners: one value per observation, in observation order.</summary>
public sealed record EvidenceRow(string Label, IReadOnlyList<string> Values, bool Disagree);

public sealed record CvssEntry(string Source, string Version, string? Vector, double? Score);

/// <summary>Where to read about an advisory id: NVD for CVEs, GitHub for GHSAs, OSV for the rest.</summary>
public static class AdvisoryLinks
{
    public static string For(string id)
    {
        var e = Uri.EscapeDataString(id);
        if (id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase)) return $"https://nvd.nist.gov/vuln/detail/{e}";
        if (id.StartsWith("GHSA-", StringComparison.OrdinalIgnoreCase)) return $"https://github.com/advisories/{e}";
        return $"https://osv.dev/vulnerability/{e}";
    }

    /// <summary>A reference from a report, only if it is a plain http(s) URL (never javascript: or data:).</summary>
    public static string? SafeUrl(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? u.AbsoluteUri : null;
}
