using System.Globalization;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Metrics;

namespace Triage.Data.Metrics;

/// <summary>
/// The weekly review as JSON (<c>triage metrics weekly --format json</c>, GET /api/v1/metrics/weekly), CSV (one line per
/// week, for spreadsheets and dashboards) and Markdown (the review to paste into a ticket or a wiki). Priority,
/// reachability, KEV and production are null in JSON, empty in CSV and "—" in Markdown for a week Triage did not know them
/// (<see cref="Core.Metrics.WeeklyCalculator"/>).
/// </summary>
public static class WeeklyReportExport
{
    private static readonly Severity[] Severities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Unknown];

    // ---- JSON -------------------------------------------------------------------------------------------------------

    public static void WriteJson(Utf8JsonWriter w, WeeklyReport r)
    {
        w.WriteStartObject();
        w.WriteString("scope", r.Scope.Name);
        w.WriteString("week", r.Week.ToString());
        w.WriteString("generatedAt", r.GeneratedAt);
        w.WriteStartArray("weeks");
        foreach (var s in r.Weeks) WriteWeek(w, s);
        w.WriteEndArray();
        w.WriteStartArray("changes");
        foreach (var s in r.Changes)
        {
            w.WriteStartObject();
            w.WriteString("repository", s.ScopeName);
            w.WriteNumber("repositoryId", s.ScopeId);
            WriteChange(w, s.WeekChange);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteMovers(w, "topImages", r.TopImages);
        WriteMovers(w, "topTeams", r.TopTeams);
        w.WriteStartArray("slimmingWins");
        foreach (var win in r.SlimmingWins)
        {
            var c = win.Comparison;
            w.WriteStartObject();
            w.WriteString("from", win.From);
            w.WriteString("to", win.To);
            w.WriteString("fromImage", c.Before.Images[0].DisplayName);
            w.WriteString("toImage", c.After.Images[0].DisplayName);
            Nullable(w, "sizeBytesBefore", c.Before.SizeBytes);
            Nullable(w, "sizeBytesAfter", c.After.SizeBytes);
            w.WriteNumber("packagesBefore", c.Before.Packages);
            w.WriteNumber("packagesAfter", c.After.Packages);
            w.WriteNumber("openBefore", c.Counts.Before);
            w.WriteNumber("openAfter", c.Counts.After);
            w.WriteNumber("removedWithPackage", c.Counts.RemovedWithPackage);
            w.WriteNumber("fixedByUpgrade", c.Counts.FixedByUpgrade);
            w.WriteNumber("suppressedByDecision", c.Counts.SuppressedByDecision);
            w.WriteNumber("newlyDisclosed", c.Counts.NewlyDisclosed);
            w.WriteNumber("introducedByPackage", c.Counts.IntroducedByPackage);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("expiringDecisions");
        foreach (var d in r.ExpiringDecisions)
        {
            w.WriteStartObject();
            w.WriteNumber("id", d.Id);
            w.WriteString("vulnerability", d.Vulnerability);
            w.WriteString("scope", d.Scope);
            w.WriteString("status", d.Status);
            w.WriteString("author", d.Author);
            w.WriteString("expiresAt", d.ExpiresAt);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteWeek(Utf8JsonWriter w, WeeklySnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("week", s.IsoWeek.ToString());
        w.WriteString("asOf", s.AsOf);
        w.WriteBoolean("complete", s.Complete);
        w.WriteNumber("images", s.Images);
        Nullable(w, "imagesInProduction", s.ImagesInProduction);
        w.WriteNumber("packages", s.Packages);
        Nullable(w, "sizeBytes", s.SizeBytes);
        w.WriteNumber("activeFindings", s.ActiveFindings);
        w.WriteStartObject("open");
        foreach (var sev in Severities) w.WriteNumber(sev.ToWire(), s.Open(sev));
        w.WriteNumber("total", s.OpenTotal);
        w.WriteEndObject();
        if (s.OpenAct is null) w.WriteNull("openByPriority");
        else
        {
            w.WriteStartObject("openByPriority");
            w.WriteNumber("act", s.OpenAct ?? 0);
            w.WriteNumber("attend", s.OpenAttend ?? 0);
            w.WriteNumber("track*", s.OpenTrackStar ?? 0);
            w.WriteNumber("track", s.OpenTrack ?? 0);
            w.WriteEndObject();
        }
        Nullable(w, "reachable", s.OpenReachable);
        Nullable(w, "loaded", s.OpenLoaded);
        Nullable(w, "kev", s.OpenKev);
        w.WriteNumber("fixable", s.OpenFixable);
        w.WriteNumber("decided", s.Decided);
        Nullable(w, "shareDecided", s.ShareDecided);
        w.WriteNumber("notAffected", s.NotAffected);
        Nullable(w, "shareNotAffected", s.ShareNotAffected);
        w.WriteStartObject("mttrDays");
        foreach (var sev in Severities) Nullable(w, sev.ToWire(), s.MttrDays(sev));
        w.WriteEndObject();
        w.WriteStartObject("remediated");
        foreach (var sev in Severities) w.WriteNumber(sev.ToWire(), s.Remediated(sev));
        w.WriteEndObject();
        w.WriteStartObject("slaBreaches");
        foreach (var sev in Severities) w.WriteNumber(sev.ToWire(), s.SlaBreaches(sev));
        w.WriteNumber("total", s.SlaBreachesTotal);
        w.WriteEndObject();
        w.WriteStartObject("change");
        WriteChange(w, s.WeekChange);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter w, AttributionCounts c)
    {
        w.WriteNumber("before", c.Before);
        w.WriteNumber("after", c.After);
        w.WriteNumber("removedWithPackage", c.RemovedWithPackage);
        w.WriteNumber("fixedByUpgrade", c.FixedByUpgrade);
        w.WriteNumber("suppressedByDecision", c.SuppressedByDecision);
        w.WriteNumber("newlyDisclosed", c.NewlyDisclosed);
        w.WriteNumber("introducedByPackage", c.IntroducedByPackage);
        w.WriteNumber("decisionsLifted", c.Lifted);
        w.WriteNumber("withdrawn", c.Withdrawn);
    }

    private static void WriteMovers(Utf8JsonWriter w, string name, IReadOnlyList<Mover> movers)
    {
        w.WriteStartArray(name);
        foreach (var m in movers)
        {
            w.WriteStartObject();
            w.WriteString("scope", m.Scope.ToWire());
            w.WriteNumber("id", m.Id);
            w.WriteString("name", m.Name);
            w.WriteNumber("delta", m.Delta);
            WriteChange(w, m.Change);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Nullable(Utf8JsonWriter w, string name, long? v)
    {
        if (v is { } x) w.WriteNumber(name, x);
        else w.WriteNull(name);
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x) w.WriteNumber(name, Math.Round(x, 4));
        else w.WriteNull(name);
    }

    // ---- CSV --------------------------------------------------------------------------------------------------------

    public static readonly string[] CsvColumns =
    [
        "week", "as_of", "complete", "images", "images_in_production", "packages", "size_bytes", "active_findings",
        "open_critical", "open_high", "open_medium", "open_low", "open_unknown", "open_total", "open_fixable",
        "open_act", "open_attend", "open_track_star", "open_track", "open_reachable", "open_loaded", "open_kev",
        "decided", "share_decided", "not_affected", "share_not_affected",
        "mttr_days_critical", "mttr_days_high", "mttr_days_medium", "mttr_days_low", "mttr_days_unknown",
        "remediated_critical", "remediated_high", "remediated_medium", "remediated_low", "remediated_unknown",
        "sla_breaches_critical", "sla_breaches_high", "sla_breaches_medium", "sla_breaches_low", "sla_breaches_unknown", "sla_breaches_total",
        "open_at_start", "removed_with_package", "fixed_by_upgrade", "suppressed_by_decision", "newly_disclosed", "introduced_by_package",
        "decisions_lifted", "withdrawn",
    ];

    public static void WriteCsv(TextWriter o, WeeklyReport r)
    {
        o.Write(string.Join(',', CsvColumns));
        o.Write("\r\n");
        foreach (var s in r.Weeks)
        {
            object?[] values =
            [
                s.IsoWeek.ToString(), s.AsOf.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), s.Complete ? "true" : "false",
                s.Images, s.ImagesInProduction, s.Packages, s.SizeBytes, s.ActiveFindings,
                s.OpenCritical, s.OpenHigh, s.OpenMedium, s.OpenLow, s.OpenUnknown, s.OpenTotal, s.OpenFixable,
                s.OpenAct, s.OpenAttend, s.OpenTrackStar, s.OpenTrack, s.OpenReachable, s.OpenLoaded, s.OpenKev,
                s.Decided, s.ShareDecided, s.NotAffected, s.ShareNotAffected,
                s.MttrDays(Severity.Critical), s.MttrDays(Severity.High), s.MttrDays(Severity.Medium), s.MttrDays(Severity.Low), s.MttrDays(Severity.Unknown),
                s.RemediatedCritical, s.RemediatedHigh, s.RemediatedMedium, s.RemediatedLow, s.RemediatedUnknown,
                s.SlaCritical, s.SlaHigh, s.SlaMedium, s.SlaLow, s.SlaUnknown, s.SlaBreachesTotal,
                s.OpenAtStart, s.RemovedWithPackage, s.FixedByUpgrade, s.SuppressedByDecision, s.NewlyDisclosed, s.IntroducedByPackage,
                s.DecisionsLifted, s.Withdrawn,
            ];
            o.Write(string.Join(',', values.Select(Cell)));
            o.Write("\r\n");
        }
    }

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    // ---- Markdown ---------------------------------------------------------------------------------------------------

    public static void WriteMarkdown(TextWriter o, WeeklyReport r)
    {
        var md = ComparisonExport.Md;
        o.WriteLine($"# Weekly review {r.Week}: {md(r.Scope.Name)}");
        o.WriteLine();
        if (r.Selected is not { } s)
        {
            o.WriteLine($"No snapshot for {r.Week} yet (run `triage metrics snapshot`).");
            return;
        }
        var c = s.WeekChange;
        var known = new List<string>();
        if (s.OpenAct is { } act) known.Add($"{act} to act on");
        if (s.OpenKev is { } kev) known.Add($"{kev} KEV-listed");
        if (s.OpenReachable is { } reachable && s.OpenLoaded is { } loaded) known.Add($"{reachable} reachable and {loaded} loaded at runtime");
        if (s.ImagesInProduction is { } production) known.Add($"{production} images running in production");
        o.WriteLine($"As of {s.AsOf:yyyy-MM-dd HH:mm} UTC{(s.Complete ? "" : " (week in progress)")}: **{s.OpenTotal}** open findings on {s.Images} images " +
                    $"({MetricsFormat.Signed(c.After - c.Before)} this week), {s.SlaBreachesTotal} out of SLA, {s.OpenFixable} fixable" +
                    (known.Count == 0 ? "." : $"; {string.Join(", ", known)}."));
        o.WriteLine();
        o.WriteLine("## Why the number moved");
        o.WriteLine();
        o.WriteLine("| Cause | Findings |");
        o.WriteLine("|---|---:|");
        o.WriteLine($"| Open at the start of the week | {c.Before} |");
        o.WriteLine($"| Removed with the package | {MetricsFormat.Signed(-c.RemovedWithPackage)} |");
        o.WriteLine($"| Fixed by an upgrade | {MetricsFormat.Signed(-c.FixedByUpgrade)} |");
        o.WriteLine($"| Suppressed by a VEX decision (net) | {MetricsFormat.Signed(-c.SuppressedByDecision)} |");
        o.WriteLine($"| Newly disclosed in an unchanged package (net) | {MetricsFormat.Signed(c.NewlyDisclosed)} |");
        o.WriteLine($"| Introduced by a new or changed package | {MetricsFormat.Signed(c.IntroducedByPackage)} |");
        o.WriteLine($"| **Open at the end** | **{c.After}** |");
        o.WriteLine();
        o.WriteLine("## Trend");
        o.WriteLine();
        o.WriteLine("| Week | Open | Critical | High | Medium | Low | Fixable | Out of SLA | Decided | not_affected | Images | Packages |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var x in r.Weeks)
            o.WriteLine($"| {x.IsoWeek}{(x.Complete ? "" : "*")} | {x.OpenTotal} | {x.OpenCritical} | {x.OpenHigh} | {x.OpenMedium} | {x.OpenLow} | {x.OpenFixable} | " +
                        $"{x.SlaBreachesTotal} | {Percent(x.ShareDecided)} | {Percent(x.ShareNotAffected)} | {x.Images} | {x.Packages} |");
        if (r.Weeks.Any(x => x.OpenAct is not null || x.OpenReachable is not null || x.OpenKev is not null || x.ImagesInProduction is not null))
        {
            o.WriteLine();
            o.WriteLine("## Priority, runtime and exposure");
            o.WriteLine();
            o.WriteLine("Open findings by priority, reachable or loaded at runtime, KEV-listed; images running in production. " +
                        "A dash: Triage did not know yet that week.");
            o.WriteLine();
            o.WriteLine("| Week | Act | Attend | Track* | Track | Reachable | Loaded | KEV | Images in production |");
            o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var x in r.Weeks)
                o.WriteLine($"| {x.IsoWeek}{(x.Complete ? "" : "*")} | {Known(x.OpenAct)} | {Known(x.OpenAttend)} | {Known(x.OpenTrackStar)} | {Known(x.OpenTrack)} | " +
                            $"{Known(x.OpenReachable)} | {Known(x.OpenLoaded)} | {Known(x.OpenKev)} | {Known(x.ImagesInProduction)} |");
        }
        o.WriteLine();
        o.WriteLine("## Time to remediate this week");
        o.WriteLine();
        o.WriteLine("| Severity | Remediated | Mean days | Out of SLA now |");
        o.WriteLine("|---|---:|---:|---:|");
        foreach (var sev in Severities)
            o.WriteLine($"| {sev.ToWire()} | {s.Remediated(sev)} | {(s.MttrDays(sev) is { } d ? d.ToString("0.0", CultureInfo.InvariantCulture) : "—")} | {s.SlaBreaches(sev)} |");
        if (r.Changes.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("## Changes by repository");
            o.WriteLine();
            o.WriteLine("| Repository | Before | After | Removed | Upgraded | Suppressed | Disclosed | Introduced |");
            o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var x in r.Changes)
            {
                var k = x.WeekChange;
                o.WriteLine($"| {md(x.ScopeName)} | {k.Before} | {k.After} | {k.RemovedWithPackage} | {k.FixedByUpgrade} | {k.SuppressedByDecision} | {k.NewlyDisclosed} | {k.IntroducedByPackage} |");
            }
        }
        if (r.TopTeams.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("## Top teams");
            o.WriteLine();
            foreach (var m in r.TopTeams) o.WriteLine($"- {md(m.Name)}: {m.Change.Before} → {m.Change.After} ({MetricsFormat.Signed(m.Delta)})");
        }
        if (r.SlimmingWins.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("## Slimming wins");
            o.WriteLine();
            o.WriteLine("| From | To | Size | Packages | Open findings | Removed | Upgraded |");
            o.WriteLine("|---|---|---|---:|---:|---:|---:|");
            foreach (var win in r.SlimmingWins)
            {
                var k = win.Comparison.Counts;
                o.WriteLine($"| {md(win.Comparison.Before.Images[0].DisplayName)} | {md(win.Comparison.After.Images[0].DisplayName)} | " +
                            $"{MetricsFormat.Size(win.Comparison.Before.SizeBytes)} → {MetricsFormat.Size(win.Comparison.After.SizeBytes)} | " +
                            $"{win.Comparison.Before.Packages} → {win.Comparison.After.Packages} | {k.Before} → {k.After} | {k.RemovedWithPackage} | {k.FixedByUpgrade} |");
            }
        }
        if (r.ExpiringDecisions.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("## Decisions expiring soon");
            o.WriteLine();
            foreach (var d in r.ExpiringDecisions)
                o.WriteLine($"- {d.ExpiresAt:yyyy-MM-dd}: {md(d.Vulnerability)} {d.Status} ({md(d.Scope)}, by {md(d.Author)})");
        }
    }

    private static string Known(int? n) => MetricsFormat.Known(n);

    private static string Percent(double? share) => share is { } v ? v.ToString("0%", CultureInfo.InvariantCulture) : "—";
}
