namespace Triage.Core.Vex;

/// <summary>The statement that governs one finding, and why.</summary>
/// <param name="Effective">The winner, or null when no trusted, unexpired statement applies.</param>
/// <param name="Applicable">Every statement that applies, winner first, in precedence order.</param>
/// <param name="Set">Statements that apply but cannot win, each with its reason (expired, show-only author, ignored author).</param>
/// <param name="Explanation">One sentence for the UI/CLI.</param>
public sealed record VexResolution(
    VexStatement? Effective,
    IReadOnlyList<VexStatement> Applicable,
    IReadOnlyList<(VexStatement Statement, string Reason)> Set,
    string Explanation);

/// <summary>
/// Picks the effective statement for a finding. A statement applies when its vulnerability id or an alias is in the finding's
/// alias set, its scope covers the finding's image, and its subcomponent (if any) covers the finding's package.
/// Precedence: the more specific scope wins (Digest &gt; Repository &gt; Team &gt; Global); within one scope the later
/// timestamp wins (the OpenVEX time series); equal timestamps fall back to the order statements were recorded in.
/// Expired statements and statements from authors who are not trusted never win; they are listed with the reason.
/// </summary>
public static class VexResolver
{
    public static VexResolution Resolve(VexFinding finding, IEnumerable<VexStatement> statements, DateTimeOffset asOf, VexTrustPolicy? trust = null)
    {
        trust ??= VexTrustPolicy.TrustAll;
        var applicable = statements
            .Select((s, i) => (Statement: s, Sequence: i))
            .Where(x => AppliesTo(x.Statement, finding))
            .OrderByDescending(x => x.Statement.Scope.Specificity)
            .ThenByDescending(x => x.Statement.Timestamp)
            .ThenByDescending(x => x.Sequence)
            .Select(x => x.Statement)
            .ToArray();

        var set = new List<(VexStatement, string)>();
        VexStatement? effective = null;
        foreach (var s in applicable)
        {
            var t = trust.For(s.Source);
            if (t == VexTrust.Ignore) { set.Add((s, $"author {s.Author} is ignored by the trust policy")); continue; }
            if (t == VexTrust.ShowOnly) { set.Add((s, $"author {s.Author} is show-only in the trust policy")); continue; }
            if (s.IsExpired(asOf)) { set.Add((s, $"expired on {s.ExpiresAt:O}")); continue; }
            effective ??= s;
        }

        var explanation = effective is null
            ? applicable.Length == 0 ? "No VEX statement applies to this finding." : "Statements apply, but none is trusted and current."
            : $"{effective.Status.ToWire()} from {effective.Scope.Describe()} by {effective.Author} at {effective.Timestamp:O}"
              + (applicable.Length > 1 ? $"; wins over {applicable.Length - 1} other statement(s) by scope, then time" : "");
        return new VexResolution(effective, applicable, set, explanation);
    }

    /// <summary>True when the statement speaks about this finding (vulnerability, scope, package), before precedence.</summary>
    public static bool AppliesTo(VexStatement s, VexFinding finding)
    {
        if (!s.Vulnerability.Matches(finding.VulnerabilityIds)) return false;
        if (!s.Scope.Applies(finding)) return false;
        if (s.Subcomponent is null) return true;
        return finding.Package is { } p && s.Subcomponent.Covers(p);
    }
}

/// <summary>
/// The append-only record of statements (decisions are never edited or deleted; a change of mind is a later statement).
/// The lead persists it; this type holds the rule so an in-memory caller cannot rewrite history either.
/// </summary>
public sealed class VexHistory
{
    private readonly List<VexStatement> _entries = [];

    public VexHistory(IEnumerable<VexStatement>? existing = null)
    {
        foreach (var s in existing ?? []) Append(s);
    }

    /// <summary>In the order recorded.</summary>
    public IReadOnlyList<VexStatement> Entries => _entries;

    /// <summary>Adds a statement. A statement with an id already recorded is refused: it would rewrite history.</summary>
    public void Append(VexStatement statement)
    {
        if (_entries.Any(e => e.Id == statement.Id))
            throw new InvalidOperationException($"Statement {statement.Id} is already recorded; record a new statement instead of changing one.");
        _entries.Add(statement);
    }

    public VexResolution Resolve(VexFinding finding, DateTimeOffset asOf, VexTrustPolicy? trust = null) =>
        VexResolver.Resolve(finding, _entries, asOf, trust);

    /// <summary>Every statement about a finding, oldest first: the timeline a reviewer reads.</summary>
    public IReadOnlyList<VexStatement> TimelineFor(VexFinding finding) =>
        _entries.Where(s => VexResolver.AppliesTo(s, finding)).OrderBy(s => s.Timestamp).ToArray();
}
