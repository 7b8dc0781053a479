using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Data.Rollups;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Findings;

/// <summary>Which findings a person means: the state of the findings page, kept in its URL so it can be shared, and the
/// queue of a triage session. Parsing is lenient (an unknown word is ignored, never an error page).</summary>
public sealed record FindingsQuery
{
    public const int DefaultPageSize = 25;
    public static readonly int[] PageSizes = [10, 25, 50, 100];

    public IReadOnlyList<Severity> Severities { get; init; } = [];
    public string? Scanner { get; init; }
    public string? Package { get; init; }
    /// <summary>A vulnerability id or any alias of it.</summary>
    public string? Vulnerability { get; init; }
    public FindingStatusFilter Status { get; init; } = FindingStatusFilter.Active;
    public bool? FixAvailable { get; init; }
    public string? Image { get; init; }
    public long? TeamId { get; init; }
    public FindingGrouping Group { get; init; } = FindingGrouping.None;
    /// <summary>The grid lists the most urgent first: by the stored risk score and priority (issue 7: "the findings grid and the
    /// dashboard sort by it"), the ranker's total order; a column header sorts otherwise.</summary>
    public const FindingSort DefaultSort = FindingSort.Priority;
    public FindingSort Sort { get; init; } = DefaultSort;
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    // Equal when they mean the same view (the lists inside would otherwise compare by reference).
    public bool Equals(FindingsQuery? other) => other is not null && ToQueryString() == other.ToQueryString();

    public override int GetHashCode() => ToQueryString().GetHashCode(StringComparison.Ordinal);

    public static FindingsQuery Parse(string? queryString)
    {
        var q = QueryHelpers.ParseQuery(queryString is null ? "" : queryString.StartsWith('?') ? queryString : "?" + queryString);
        string? Get(string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

        var severities = (Get("severity") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => (Ok: SeverityNames.Parse(s) != Severity.Unknown || s.Equals("unknown", StringComparison.OrdinalIgnoreCase), Value: SeverityNames.Parse(s)))
            .Where(x => x.Ok).Select(x => x.Value).Distinct().OrderDescending().ToList();
        var sortWord = Get("sort");
        var sort = sortWord is null ? DefaultSort : ParseSort(sortWord) ?? DefaultSort;
        return new FindingsQuery
        {
            Severities = severities,
            Scanner = Get("scanner") is { } sc && ScannerKindNames.TryParse(sc, out var k) ? k.ToWire() : null,
            Package = Get("package"),
            Vulnerability = Get("vuln"),
            Status = ParseStatus(Get("status")),
            FixAvailable = Get("fix") switch { "yes" or "true" => true, "no" or "false" => false, _ => null },
            Image = Get("image"),
            TeamId = long.TryParse(Get("team"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null,
            Group = Get("group") switch { "vulnerability" => FindingGrouping.Vulnerability, "package" => FindingGrouping.SourcePackage, _ => FindingGrouping.None },
            Sort = sort,
            Descending = Get("dir") is { } dir ? dir != "asc" : sortWord is null || sort == DefaultSort,
            Page = int.TryParse(Get("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1,
            PageSize = int.TryParse(Get("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && PageSizes.Contains(s) ? s : DefaultPageSize,
        };
    }

    /// <summary>The query string (without '?') holding only what differs from the defaults, in a stable order.</summary>
    public string ToQueryString()
    {
        var parts = new List<(string, string)>();
        if (Severities.Count > 0) parts.Add(("severity", string.Join(',', Severities.Select(s => s.ToWire()))));
        if (Scanner is not null) parts.Add(("scanner", Scanner));
        if (Package is not null) parts.Add(("package", Package));
        if (Vulnerability is not null) parts.Add(("vuln", Vulnerability));
        if (Status != FindingStatusFilter.Active) parts.Add(("status", StatusWord(Status)));
        if (FixAvailable is { } fix) parts.Add(("fix", fix ? "yes" : "no"));
        if (Image is not null) parts.Add(("image", Image));
        if (TeamId is { } team) parts.Add(("team", team.ToString(CultureInfo.InvariantCulture)));
        if (Group != FindingGrouping.None) parts.Add(("group", Group == FindingGrouping.Vulnerability ? "vulnerability" : "package"));
        if (Sort != DefaultSort || !Descending)
        {
            parts.Add(("sort", SortWord(Sort)));
            parts.Add(("dir", Descending ? "desc" : "asc"));
        }
        if (Page != 1) parts.Add(("page", Page.ToString(CultureInfo.InvariantCulture)));
        if (PageSize != DefaultPageSize) parts.Add(("size", PageSize.ToString(CultureInfo.InvariantCulture)));
        return string.Join('&', parts.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
    }

    /// <summary>The same filter without paging, sorting and grouping: what a saved queue stores.</summary>
    public FindingsQuery FilterOnly() => this with { Group = FindingGrouping.None, Sort = DefaultSort, Descending = true, Page = 1, PageSize = DefaultPageSize };

    public bool HasFilter => Severities.Count > 0 || Scanner is not null || Package is not null || Vulnerability is not null
        || Status != FindingStatusFilter.Active || FixAvailable is not null || Image is not null || TeamId is not null;

    /// <summary>The findings this query selects that <paramref name="access"/> may see, unsorted and unpaged.</summary>
    public IQueryable<Finding> Apply(TriageDbContext db, UserAccess access, IDecisionStore decisions)
    {
        var q = FindingQueries.Filtered(db, ToFilter());
        q = Status switch
        {
            FindingStatusFilter.Active or FindingStatusFilter.All => q,
            FindingStatusFilter.Resolved => q.Where(f => !f.Active),
            FindingStatusFilter.Undecided => q.Where(f => !decisions.DecidedFindings(db).Contains(f.Id)),
            FindingStatusFilter.Affected => q.Where(f => decisions.FindingsWithStatus(db, DecisionStatus.Affected).Contains(f.Id)),
            FindingStatusFilter.NotAffected => q.Where(f => decisions.FindingsWithStatus(db, DecisionStatus.NotAffected).Contains(f.Id)),
            FindingStatusFilter.Fixed => q.Where(f => decisions.FindingsWithStatus(db, DecisionStatus.Fixed).Contains(f.Id)),
            FindingStatusFilter.UnderInvestigation => q.Where(f => decisions.FindingsWithStatus(db, DecisionStatus.UnderInvestigation).Contains(f.Id)),
        };
        return access.Visible(db, q);
    }

    /// <summary>How many findings <see cref="Apply"/> selects. Open findings narrowed by image, team, severity, fix and
    /// scanner are added up from the rollup rows; "open and undecided" is that minus the decided ones, also added up
    /// (and corrected by the decisions that expired since the last sweep, usually none); anything else is counted
    /// (docs/decisions/090-query-scale.md).</summary>
    public async Task<int> CountAsync(TriageDbContext db, UserAccess access, IDecisionStore decisions, CancellationToken ct = default)
    {
        var visible = access.VisibleArtifactIds(db);
        if (Status is FindingStatusFilter.Active or FindingStatusFilter.Undecided
            && await FindingCounts.TryCountAsync(db, ToFilter(), visible, ct) is { } open)
        {
            if (Status == FindingStatusFilter.Active) return open;
            var decidedRows = await FindingCounts.TryCountDecidedAsync(db, ToFilter(), visible, ct) ?? 0;
            var current = decisions.DecidedFindings(db);
            var expired = await db.EffectiveDecisions.AsNoTracking().Select(e => e.FindingId).Where(id => !current.Contains(id)).ToListAsync(ct);
            var expiredOpen = expired.Count == 0 ? 0
                : await (this with { Status = FindingStatusFilter.Active }).Apply(db, access, decisions).CountAsync(f => expired.Contains(f.Id), ct);
            return open - (decidedRows - expiredOpen);
        }
        return await Apply(db, access, decisions).CountAsync(ct);
    }

    /// <summary>One page of <see cref="Apply"/>'s findings grouped by vulnerability or source package (<see cref="Group"/>).
    /// Open findings narrowed by nothing but images (team, image, what the reader may see) are read from the rollups,
    /// whatever the number of findings; any other filter is aggregated from the findings it selects
    /// (docs/decisions/090-query-scale.md).</summary>
    public async Task<(List<FindingGroupRow> Rows, int Total)> GroupsAsync(TriageDbContext db, UserAccess access, IDecisionStore decisions, int skip, int take,
        CancellationToken ct = default)
    {
        var byVulnerability = Group != FindingGrouping.SourcePackage;
        if (Status == FindingStatusFilter.Active && Severities.Count == 0 && Scanner is null && Package is null && Vulnerability is null && FixAvailable is null)
        {
            var scope = FindingQueries.ArtifactScope(db, ToFilter());
            var visible = access.VisibleArtifactIds(db);
            var artifacts = scope is null ? visible : visible is null ? scope : scope.Where(id => visible.Contains(id));
            return byVulnerability
                ? await FindingGroupQueries.ByVulnerabilityFromRollupsAsync(db, artifacts, skip, take, ct)
                : await FindingGroupQueries.BySourcePackageFromRollupsAsync(db, artifacts, skip, take, ct);
        }
        var filtered = Apply(db, access, decisions);
        return byVulnerability
            ? await FindingGroupQueries.ByVulnerabilityAsync(db, filtered, skip, take, ct)
            : await FindingGroupQueries.BySourcePackageAsync(db, filtered, skip, take, ct);
    }

    private FindingFilter ToFilter() => new()
    {
        Severities = Severities.Count > 0 ? Severities : null,
        Scanner = Scanner,
        Package = Package,
        Vulnerability = Vulnerability,
        FixAvailable = FixAvailable,
        Image = Image,
        TeamId = TeamId,
        IncludeInactive = Status != FindingStatusFilter.Active && Status != FindingStatusFilter.Undecided,
    };

    public static FindingStatusFilter ParseStatus(string? value) => value switch
    {
        "all" => FindingStatusFilter.All,
        "resolved" => FindingStatusFilter.Resolved,
        "undecided" => FindingStatusFilter.Undecided,
        "affected" => FindingStatusFilter.Affected,
        "not_affected" => FindingStatusFilter.NotAffected,
        "fixed" => FindingStatusFilter.Fixed,
        "under_investigation" => FindingStatusFilter.UnderInvestigation,
        _ => FindingStatusFilter.Active,
    };

    public static string StatusWord(FindingStatusFilter s) => s switch
    {
        FindingStatusFilter.Active => "active",
        FindingStatusFilter.All => "all",
        FindingStatusFilter.Resolved => "resolved",
        FindingStatusFilter.Undecided => "undecided",
        FindingStatusFilter.Affected => "affected",
        FindingStatusFilter.NotAffected => "not_affected",
        FindingStatusFilter.Fixed => "fixed",
        FindingStatusFilter.UnderInvestigation => "under_investigation",
    };

    public static string StatusLabel(FindingStatusFilter s) => s switch
    {
        FindingStatusFilter.Active => "Open (reported now)",
        FindingStatusFilter.All => "All, including resolved",
        FindingStatusFilter.Resolved => "Resolved (no longer reported)",
        FindingStatusFilter.Undecided => "Open and undecided",
        FindingStatusFilter.Affected => "Decided: affected",
        FindingStatusFilter.NotAffected => "Decided: not affected",
        FindingStatusFilter.Fixed => "Decided: fixed",
        FindingStatusFilter.UnderInvestigation => "Decided: under investigation",
    };

    public static string SortWord(FindingSort s) => s switch
    {
        FindingSort.Severity => "severity",
        FindingSort.Vulnerability => "vulnerability",
        FindingSort.Package => "package",
        FindingSort.Image => "image",
        FindingSort.FirstSeen => "first-seen",
        FindingSort.LastSeen => "last-seen",
        FindingSort.Priority => "priority",
    };

    public static FindingSort? ParseSort(string? value) => value switch
    {
        "severity" => FindingSort.Severity,
        "vulnerability" => FindingSort.Vulnerability,
        "package" => FindingSort.Package,
        "image" => FindingSort.Image,
        "first-seen" => FindingSort.FirstSeen,
        "last-seen" => FindingSort.LastSeen,
        "priority" => FindingSort.Priority,
        _ => null,
    };
}

public enum FindingStatusFilter
{
    Active,
    All,
    Resolved,
    Undecided,
    Affected,
    NotAffected,
    Fixed,
    UnderInvestigation,
}

public enum FindingGrouping
{
    None,
    Vulnerability,
    SourcePackage,
}
