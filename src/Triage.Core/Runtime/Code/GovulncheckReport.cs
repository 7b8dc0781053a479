namespace Triage.Core.Runtime.Code;

/// <summary>How far govulncheck followed a vulnerability into the code. Ordered: a larger value is closer to use.</summary>
public enum GoReachLevel
{
    /// <summary>The module is required (go.mod / build info) but no vulnerable package is imported.</summary>
    Required = 0,
    /// <summary>A vulnerable package is imported; at symbol scan level this means no vulnerable function is called.</summary>
    Imported = 1,
    /// <summary>A vulnerable function is called (a symbol-level trace exists).</summary>
    Called = 2,
}

public static class GoReachLevelNames
{
    public static string ToWire(this GoReachLevel l) => l switch
    {
        GoReachLevel.Required => "required",
        GoReachLevel.Imported => "imported",
        GoReachLevel.Called => "called",
    };
}

/// <summary>Which of govulncheck's JSON layouts a file used.</summary>
public enum GovulncheckFormat
{
    /// <summary>v1 protocol: concatenated message objects (config, progress, SBOM, osv, finding).</summary>
    Stream,
    /// <summary>The same messages wrapped in one JSON array (as some CI tools save them).</summary>
    Array,
    /// <summary>Pre-1.0 layout: one object with Calls, Imports, Requires, Vulns, Modules.</summary>
    Legacy,
}

public static class GovulncheckFormatNames
{
    public static string ToWire(this GovulncheckFormat f) => f switch
    {
        GovulncheckFormat.Stream => "stream",
        GovulncheckFormat.Array => "array",
        GovulncheckFormat.Legacy => "legacy",
    };
}

/// <summary>An OSV entry as govulncheck sent it: the Go id and the ids it says are the same vulnerability.</summary>
public sealed record GoOsvEntry(string Id, IReadOnlyList<string> Aliases, string? Summary);

/// <summary>One govulncheck finding.</summary>
/// <param name="Function">"Receiver.Function" or "Function" for the vulnerable symbol when called; null otherwise.</param>
/// <param name="Trace">Call path from the vulnerable symbol outwards ("pkg.Func"), for evidence.</param>
public sealed record GoVulnFinding(string OsvId, string Module, string? Version, string? Package, string? Function, GoReachLevel Level,
    string? FixedVersion, IReadOnlyList<string> Trace);

/// <summary>The strongest level per (OSV id, module), with the packages and functions that support it.</summary>
public sealed record GoVulnSummary(string OsvId, IReadOnlyList<string> Aliases, string Module, string? Version, GoReachLevel Level,
    IReadOnlyList<string> Packages, IReadOnlyList<string> Functions, string? FixedVersion);

/// <summary>A parsed govulncheck run.</summary>
public sealed class GovulncheckReport
{
    public required GovulncheckFormat Format { get; init; }
    public string? ScannerVersion { get; init; }
    public string? ProtocolVersion { get; init; }
    /// <summary>module, package or symbol. Only a symbol-level scan can say "imported but not called".</summary>
    public string? ScanLevel { get; init; }
    /// <summary>source, binary, convert, query, extract.</summary>
    public string? ScanMode { get; init; }
    public string? GoVersion { get; init; }
    public DateTimeOffset? DbLastModified { get; init; }
    public Dictionary<string, GoOsvEntry> Osv { get; } = new(StringComparer.Ordinal);
    public List<GoVulnFinding> Findings { get; } = [];

    /// <summary>True when absence of a call is meaningful: symbol level (the default of govulncheck and of the legacy layout).</summary>
    public bool SymbolLevel => ScanLevel is null or "symbol";

    /// <summary>Aliases of an OSV id (CVE, GHSA), without the id itself, de-duplicated.</summary>
    public IReadOnlyList<string> AliasesOf(string osvId) => Osv.TryGetValue(osvId, out var e) ? e.Aliases : [];

    public IReadOnlyList<GoVulnSummary> Summarize()
    {
        var result = new List<GoVulnSummary>();
        foreach (var g in Findings.GroupBy(f => (f.OsvId, f.Module)).OrderBy(g => g.Key.OsvId, StringComparer.Ordinal).ThenBy(g => g.Key.Module, StringComparer.Ordinal))
        {
            var level = g.Max(f => f.Level);
            result.Add(new GoVulnSummary(
                g.Key.OsvId,
                AliasesOf(g.Key.OsvId),
                g.Key.Module,
                g.Select(f => f.Version).FirstOrDefault(v => v is not null),
                level,
                [.. g.Where(f => f.Package is not null).Select(f => f.Package!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                [.. g.Where(f => f.Function is not null).Select(f => $"{f.Package}.{f.Function}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                g.Select(f => f.FixedVersion).FirstOrDefault(v => v is not null)));
        }
        return result;
    }
}
