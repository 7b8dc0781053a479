using MudBlazor;
using Triage.Core.Domain;
using Triage.Data.Metrics;
using Severity = Triage.Core.Domain.Severity;

namespace Triage.Web.Features.Metrics;

/// <summary>The series the review's charts draw, built from summed weekly snapshots (oldest first).</summary>
public static class ReviewCharts
{
    /// <summary>Severity colours, critical first (the same order as <see cref="TrendSeverities"/>).</summary>
    public static readonly string[] SeverityPalette = ["#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#9e9e9e"];

    public static readonly Severity[] TrendSeverities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Unknown];

    /// <summary>"W05" under each bar; a week in progress is marked "W07*".</summary>
    public static string[] Labels(IReadOnlyList<WeeklySnapshot> weeks) =>
        weeks.Select(w => $"W{w.Week:D2}{(w.Complete ? "" : "*")}").ToArray();

    /// <summary>Open findings per severity per week, for a stacked bar chart. Severities that are zero every week are left
    /// out (their colour too), so the legend lists only what is there.</summary>
    public static (List<ChartSeries<double>> Series, string[] Palette) OpenBySeverity(IReadOnlyList<WeeklySnapshot> weeks)
    {
        var series = new List<ChartSeries<double>>();
        var palette = new List<string>();
        for (var i = 0; i < TrendSeverities.Length; i++)
        {
            var s = TrendSeverities[i];
            var values = weeks.Select(w => (double)w.Open(s)).ToArray();
            if (values.All(v => v == 0)) continue;
            series.Add(new ChartSeries<double> { Name = s.ToWire(), Data = new ChartData<double>(values) });
            palette.Add(SeverityPalette[i]);
        }
        return (series, palette.ToArray());
    }

    /// <summary>The burndown: open findings, of which critical or high, out of SLA, and fixable, per week.</summary>
    public static List<ChartSeries<double>> Burndown(IReadOnlyList<WeeklySnapshot> weeks) =>
    [
        new() { Name = "open", Data = new ChartData<double>(weeks.Select(w => (double)w.OpenTotal).ToArray()) },
        new() { Name = "critical + high", Data = new ChartData<double>(weeks.Select(w => (double)(w.OpenCritical + w.OpenHigh)).ToArray()) },
        new() { Name = "out of SLA", Data = new ChartData<double>(weeks.Select(w => (double)w.SlaBreachesTotal).ToArray()) },
        new() { Name = "fixable", Data = new ChartData<double>(weeks.Select(w => (double)w.OpenFixable).ToArray()) },
    ];

    public static readonly string[] BurndownPalette = ["#1565c0", "#c62828", "#6a1b9a", "#2e7d32"];

    /// <summary>Findings per image of a lineage by severity, oldest image first (severities that are zero on every image left out).</summary>
    public static (List<ChartSeries<double>> Series, string[] Palette) FindingsPerImage(IReadOnlyList<LineageImage> images)
    {
        var series = new List<ChartSeries<double>>();
        var palette = new List<string>();
        for (var i = 0; i < TrendSeverities.Length; i++)
        {
            var s = TrendSeverities[i];
            var values = images.Select(image => (double)image.Findings[s]).ToArray();
            if (values.All(v => v == 0)) continue;
            series.Add(new ChartSeries<double> { Name = s.ToWire(), Data = new ChartData<double>(values) });
            palette.Add(SeverityPalette[i]);
        }
        return (series, palette.ToArray());
    }

    /// <summary>Under each bar: the repository's last path segment and the first tag or a short digest ("nginx-distroless@3f2a").</summary>
    public static string[] ImageLabels(IReadOnlyList<LineageImage> images) => images.Select(i =>
    {
        var name = i.Repository[(i.Repository.LastIndexOf('/') + 1)..];
        var version = i.Tags.Count > 0 ? ":" + i.Tags[0] : i.Digest is { Length: > 11 } d ? "@" + d[7..11] : "";
        return name + version;
    }).ToArray();
}
