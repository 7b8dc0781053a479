using System.Globalization;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Metrics;

namespace Triage.Data.Metrics;

/// <summary>How the metrics print numbers people read.</summary>
public static class MetricsFormat
{
    /// <summary>"+3", "−2" (a real minus sign), "0".</summary>
    public static string Signed(int n) => n > 0 ? $"+{n}" : n < 0 ? $"−{-n}" : "0";

    /// <summary>A count, or "—" when it was not known (a weekly column before its data existed).</summary>
    public static string Known(int? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";

    /// <summary>"157.0 MiB", or "unknown".</summary>
    public static string Size(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:0.0} MiB") : "unknown";
}

/// <summary>
/// A comparison as JSON (the contract of <c>triage compare --format json</c> and GET /api/v1/compare) and as Markdown.
/// The JSON's top level has the issue's fields: before, after, removedWithPackage, fixedByUpgrade, suppressedByDecision,
/// newlyDisclosed, introducedByPackage (after = before − removed − fixed − suppressed + newly disclosed + introduced),
/// packages {before, after} and sizeBytes {before, after} (null when unknown); then the sides, the gross counts behind the
/// two nets, and every change.
/// </summary>
public static class ComparisonExport
{
    public static void WriteJson(Utf8JsonWriter w, Comparison c)
    {
        var n = c.Counts;
        w.WriteStartObject();
        w.WriteNumber("before", n.Before);
        w.WriteNumber("after", n.After);
        w.WriteNumber("removedWithPackage", n.RemovedWithPackage);
        w.WriteNumber("fixedByUpgrade", n.FixedByUpgrade);
        w.WriteNumber("suppressedByDecision", n.SuppressedByDecision);
        w.WriteNumber("newlyDisclosed", n.NewlyDisclosed);
        w.WriteNumber("introducedByPackage", n.IntroducedByPackage);
        w.WriteStartObject("packages");
        w.WriteNumber("before", c.Before.Packages);
        w.WriteNumber("after", c.After.Packages);
        w.WriteEndObject();
        w.WriteStartObject("sizeBytes");
        WriteNumberOrNull(w, "before", c.Before.SizeBytes);
        WriteNumberOrNull(w, "after", c.After.SizeBytes);
        w.WriteEndObject();

        WriteSide(w, "a", c.Before);
        WriteSide(w, "b", c.After);
        w.WriteStartObject("gross");
        w.WriteNumber("suppressed", n.Suppressed);
        w.WriteNumber("decisionsLifted", n.Lifted);
        w.WriteNumber("disclosed", n.Disclosed);
        w.WriteNumber("withdrawn", n.Withdrawn);
        w.WriteEndObject();
        w.WriteStartArray("changes");
        foreach (var change in c.Attribution.Changes)
        {
            var f = change.Finding;
            w.WriteStartObject();
            w.WriteString("kind", change.Kind.ToWire());
            w.WriteNumber("effect", change.Kind.Effect());
            w.WriteString("vulnerability", f.VulnerabilityId);
            w.WriteString("severity", f.Severity.ToWire());
            w.WriteString("package", f.Package.Display);
            w.WriteString("packageType", f.Package.Type);
            w.WriteString("version", f.Version);
            w.WriteStartArray("otherVersions");
            foreach (var v in change.OtherVersions) w.WriteStringValue(v);
            w.WriteEndArray();
            w.WriteNumber("findingId", f.FindingId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSide(Utf8JsonWriter w, string name, CompareSide side)
    {
        w.WriteStartObject(name);
        w.WriteString("label", side.Label);
        w.WriteString("asOf", side.AsOf);
        w.WriteStartArray("images");
        foreach (var i in side.Images)
        {
            w.WriteStartObject();
            w.WriteString("repository", i.Repository);
            w.WriteString("digest", i.Digest);
            w.WriteStartArray("tags");
            foreach (var t in i.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteString("os", i.Os);
            w.WriteString("baseImage", i.BaseImage);
            WriteNumberOrNull(w, "sizeBytes", i.SizeBytes);
            w.WriteNumber("packages", i.PackageCount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void WriteMarkdown(TextWriter o, Comparison c)
    {
        var n = c.Counts;
        o.WriteLine($"# {Md(c.Before.Label)} → {Md(c.After.Label)}");
        o.WriteLine();
        o.WriteLine($"Open findings went from **{n.Before}** to **{n.After}** ({MetricsFormat.Signed(n.After - n.Before)}).");
        o.WriteLine();
        o.WriteLine("| | Before | After |");
        o.WriteLine("|---|---:|---:|");
        o.WriteLine($"| Image | {Md(string.Join(", ", c.Before.Images.Select(i => i.DisplayName)))} | {Md(string.Join(", ", c.After.Images.Select(i => i.DisplayName)))} |");
        o.WriteLine($"| OS | {Md(string.Join(", ", c.Before.Images.Select(i => i.Os ?? "?").Distinct()))} | {Md(string.Join(", ", c.After.Images.Select(i => i.Os ?? "?").Distinct()))} |");
        o.WriteLine($"| Open findings | {n.Before} | {n.After} |");
        o.WriteLine($"| Packages | {c.Before.Packages} | {c.After.Packages} |");
        o.WriteLine($"| Size | {MetricsFormat.Size(c.Before.SizeBytes)} | {MetricsFormat.Size(c.After.SizeBytes)} |");
        o.WriteLine();
        o.WriteLine("| Cause | Findings |");
        o.WriteLine("|---|---:|");
        o.WriteLine($"| Removed with the package | {MetricsFormat.Signed(-n.RemovedWithPackage)} |");
        o.WriteLine($"| Fixed by an upgrade | {MetricsFormat.Signed(-n.FixedByUpgrade)} |");
        o.WriteLine($"| Suppressed by a VEX decision (net: {n.Suppressed} suppressed, {n.Lifted} lifted) | {MetricsFormat.Signed(-n.SuppressedByDecision)} |");
        o.WriteLine($"| Newly disclosed in an unchanged package (net: {n.Disclosed} disclosed, {n.Withdrawn} withdrawn) | {MetricsFormat.Signed(n.NewlyDisclosed)} |");
        o.WriteLine($"| Introduced by a new or changed package | {MetricsFormat.Signed(n.IntroducedByPackage)} |");
        o.WriteLine();
        o.WriteLine($"{n.Before} − {n.RemovedWithPackage} − {n.FixedByUpgrade} − ({n.SuppressedByDecision}) + ({n.NewlyDisclosed}) + {n.IntroducedByPackage} = **{n.After}**");
        foreach (var group in c.Attribution.Changes.GroupBy(x => x.Kind))
        {
            o.WriteLine();
            o.WriteLine($"## {group.Key.ToLabel()} ({group.Count()})");
            o.WriteLine();
            o.WriteLine("| Vulnerability | Severity | Package | Version | Other side |");
            o.WriteLine("|---|---|---|---|---|");
            foreach (var x in group)
                o.WriteLine($"| {Md(x.Finding.VulnerabilityId)} | {x.Finding.Severity.ToWire()} | {Md(x.Finding.Package.Display)} | {Md(x.Finding.Version)} | " +
                            $"{(x.OtherVersions.Count == 0 ? "absent" : Md(string.Join(", ", x.OtherVersions)))} |");
        }
    }

    /// <summary>Scanner and registry text in a Markdown table cell: no pipes, no line breaks, no HTML.</summary>
    internal static string Md(string? s) => (s ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
