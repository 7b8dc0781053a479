using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;

namespace Triage.Core.Metrics;

/// <summary>
/// Computes weekly snapshots from history, lineage by lineage (docs/decisions/060-reduction-and-weekly-metrics.md).
/// A problem (alias group on a package name) is open in a lineage while a current image reports it; the ledger follows
/// problems from scan to scan, so a problem carried from the debian image to its distroless successor keeps its age.
/// Each week is read as of its last instant (the week in progress as of now): counts of the current images' findings,
/// SLA breaches by problem age, problems remediated during the week with their days, and the week's change split by
/// <see cref="Attribution"/>. Repository rows compare a repository with itself; team, unowned and all rows compare each
/// lineage's part as a whole (so a switch inside a lineage shows as upgrades and removals, not as churn), and each still
/// adds up exactly.
/// <para>
/// "As of a week" for data Triage holds beside the scans: what was true at the week's as-of instant, reconstructed from
/// dated data, never today's value applied to the past. KEV listings carry CISA's date added, so a finding counts as
/// KEV-listed from that date (once any catalog is stored). Production is read from deployment inventories: an image runs
/// in production from the first to the last snapshot that showed it in a production environment (up to now while it
/// still runs), and is unknown before the first inventory. Priorities and runtime verdicts are read from their history
/// (the stored value since it took effect, and the values it replaced, each with its period; ADR 108): a week counts the
/// value in force at its instant, a week before a finding's first score does not know its priority, and a column that
/// cannot count every open finding of its row is null rather than a smaller number.
/// </para>
/// </summary>
public sealed class WeeklyCalculator(SlaPolicy sla)
{
    public const string AllName = "all";
    public const string UnownedName = "unowned";

    /// <summary>Computes every week from <paramref name="from"/> to the week of <paramref name="now"/> (in progress).</summary>
    /// <param name="history">Must hold the findings active at some moment of the period, the images' scans, and the
    /// ledger of problems open at the start of <paramref name="from"/>.</param>
    public WeeklyComputation Compute(MetricsHistory history, IsoWeek from, DateTime now)
    {
        var current = IsoWeek.Of(now);
        if (from > current) return new WeeklyComputation([], from, history.Ledger);
        var weeks = IsoWeek.Range(from, current).ToList();
        var computedAt = now;

        var digestsByRepository = history.Digests.ToLookup(d => d.RepositoryId);
        var findingsByArtifact = history.Findings.GroupBy(f => f.ArtifactId).ToDictionary(g => g.Key, g => g.ToList());
        var ledgerByRepository = history.Ledger.ToLookup(p => p.RepositoryId);

        var repositoryRows = new List<WeeklySnapshot>();
        var partitions = new Dictionary<(int Week, SnapshotScope Scope, long Id), AttributionCounts>();
        var ledgerOut = new List<OpenProblem>();
        foreach (var lineage in Lineage.Build(history.Repositories))
        {
            var sweep = new LineageSweep(this, history, lineage,
                lineage.Repositories.SelectMany(r => digestsByRepository[r.Id]).OrderBy(d => d.FirstScan).ThenBy(d => d.ArtifactId).ToList(),
                findingsByArtifact, lineage.Repositories.SelectMany(r => ledgerByRepository[r.Id]));
            sweep.Run(weeks, now, computedAt, repositoryRows, partitions, ledgerOut);
        }

        // Team, unowned and all rows: sums of repository rows, with each lineage part's attribution.
        var result = new List<WeeklySnapshot>(repositoryRows);
        var aggregates = new Dictionary<(IsoWeek, SnapshotScope, long), WeeklySnapshot>();
        foreach (var row in repositoryRows)
        {
            var week = row.IsoWeek;
            Into(week, SnapshotScope.All, 0, AllName).Add(row);
            if (row.TeamId is { } team) Into(week, SnapshotScope.Team, team, history.TeamNames.GetValueOrDefault(team, $"team {team}")).Add(row);
            else Into(week, SnapshotScope.Unowned, 0, UnownedName).Add(row);
        }
        foreach (var ((index, scope, id), counts) in partitions)
            if (aggregates.TryGetValue((weeks[index], scope, id), out var row)) row.SetWeekChange(counts);
        result.AddRange(aggregates.Values);
        return new WeeklyComputation(result, current, ledgerOut);

        WeeklySnapshot Into(IsoWeek week, SnapshotScope scope, long id, string name)
        {
            if (!aggregates.TryGetValue((week, scope, id), out var row))
            {
                aggregates[(week, scope, id)] = row = WeeklySnapshot.Empty(week, scope, id, name);
                row.AsOf = DateTime.MinValue;
            }
            return row;
        }
    }

    /// <summary>One lineage, swept from scan to scan over the weeks.</summary>
    private sealed class LineageSweep
    {
        private readonly WeeklyCalculator _owner;
        private readonly MetricsHistory _history;
        private readonly Lineage _lineage;
        private readonly List<DigestHistory> _digests;
        private readonly Dictionary<long, List<FindingHistory>> _findings;
        private readonly Dictionary<(long Group, PackageName Package), LedgerEntry> _open = [];
        private readonly List<OpenProblem> _initialLedger;
        private readonly Dictionary<long, long> _repositoryOfArtifact;

        private sealed class LedgerEntry
        {
            public long RepositoryId;
            public required string VulnerabilityId;
            public Severity Severity;
            public DateTime OpenedAt;
        }

        public LineageSweep(WeeklyCalculator owner, MetricsHistory history, Lineage lineage, List<DigestHistory> digests,
            Dictionary<long, List<FindingHistory>> findings, IEnumerable<OpenProblem> ledger)
        {
            _owner = owner;
            _history = history;
            _lineage = lineage;
            _digests = digests;
            _findings = findings;
            _initialLedger = ledger.ToList();
            _repositoryOfArtifact = digests.ToDictionary(d => d.ArtifactId, d => d.RepositoryId);
        }

        public void Run(List<IsoWeek> weeks, DateTime now, DateTime computedAt, List<WeeklySnapshot> rows,
            Dictionary<(int, SnapshotScope, long), AttributionCounts> partitions, List<OpenProblem> ledgerOut)
        {
            var first = weeks[0];
            var currentWeek = weeks[^1];
            var instants = _digests.SelectMany(d => d.ScanTimes).Where(t => t >= first.Start && t <= now).Distinct().Order().ToList();
            var next = 0;

            Reconcile(first.Start.AddTicks(-1));
            var start = State(first.Start.AddTicks(-1));
            var ledgerCaptured = false;
            for (var w = 0; w < weeks.Count; w++)
            {
                var week = weeks[w];
                var complete = week.End <= now;
                var asOf = complete ? week.LastInstant : now;
                if (week == currentWeek && !ledgerCaptured)
                {
                    Capture(ledgerOut);
                    ledgerCaptured = true;
                }
                var remediated = new Dictionary<long, RemediationTotals>();
                while (next < instants.Count && instants[next] <= asOf)
                {
                    Advance(instants[next], remediated);
                    next++;
                }
                var end = State(asOf);
                Emit(w, week, complete, asOf, computedAt, start, end, remediated, rows, partitions);
                start = end;
            }
            if (!ledgerCaptured) Capture(ledgerOut);
        }

        // ---- the problem ledger -----------------------------------------------------------------------------------

        /// <summary>Problems present at <paramref name="t"/>: each keyed by group and package, with the finding that
        /// shows it in the newest current image.</summary>
        private Dictionary<(long, PackageName), FindingHistory> Presence(DateTime t, List<DigestHistory> current)
        {
            var present = new Dictionary<(long, PackageName), FindingHistory>();
            foreach (var d in current)
                if (_findings.TryGetValue(d.ArtifactId, out var list))
                    foreach (var f in list)
                        if (f.ActiveAt(t))
                        {
                            var key = (f.GroupId, f.Package);
                            present[key] = present.TryGetValue(key, out var other) && other.Severity > f.Severity ? f with { Severity = other.Severity } : f;
                        }
            return present;
        }

        /// <summary>Aligns the stored ledger with what the history shows at the start: problems no longer present are
        /// dropped (their data was purged, or the lineage changed); problems the ledger lacks open at their earliest
        /// finding.</summary>
        private void Reconcile(DateTime t0)
        {
            foreach (var p in _initialLedger)
            {
                var key = (p.GroupId, p.Package);
                if (_open.TryGetValue(key, out var existing))
                {
                    if (p.OpenedAt < existing.OpenedAt) existing.OpenedAt = p.OpenedAt;
                    if (p.Severity > existing.Severity) existing.Severity = p.Severity;
                }
                else _open[key] = new LedgerEntry { RepositoryId = p.RepositoryId, VulnerabilityId = p.VulnerabilityId, Severity = p.Severity, OpenedAt = p.OpenedAt };
            }
            var current = CurrentImages.At(_digests, t0, _history.RunningInProduction);
            var present = Presence(t0, current);
            foreach (var key in _open.Keys.Where(k => !present.ContainsKey(k)).ToList()) _open.Remove(key);
            foreach (var (key, f) in present)
            {
                if (_open.TryGetValue(key, out var entry))
                {
                    entry.RepositoryId = RepositoryOf(f);
                    if (f.Severity > entry.Severity) entry.Severity = f.Severity;
                    continue;
                }
                var earliest = current.SelectMany(d => _findings.GetValueOrDefault(d.ArtifactId) ?? [])
                    .Where(x => x.GroupId == key.Item1 && x.Package == key.Item2 && x.ActiveAt(t0)).Min(x => x.FirstSeen);
                _open[key] = new LedgerEntry { RepositoryId = RepositoryOf(f), VulnerabilityId = f.VulnerabilityId, Severity = f.Severity, OpenedAt = earliest };
            }
        }

        /// <summary>Applies one import instant: problems gone are remediated now, problems new are opened now.</summary>
        private void Advance(DateTime t, Dictionary<long, RemediationTotals> remediated)
        {
            var present = Presence(t, CurrentImages.At(_digests, t, _history.RunningInProduction));
            foreach (var (key, entry) in _open.Where(kv => !present.ContainsKey(kv.Key)).ToList())
            {
                if (!remediated.TryGetValue(entry.RepositoryId, out var totals)) remediated[entry.RepositoryId] = totals = new RemediationTotals();
                totals.Add(entry.Severity, entry.OpenedAt, t);
                _open.Remove(key);
            }
            foreach (var (key, f) in present)
            {
                if (_open.TryGetValue(key, out var entry))
                {
                    entry.RepositoryId = RepositoryOf(f);
                    if (f.Severity > entry.Severity) entry.Severity = f.Severity;
                }
                else _open[key] = new LedgerEntry { RepositoryId = RepositoryOf(f), VulnerabilityId = f.VulnerabilityId, Severity = f.Severity, OpenedAt = t };
            }
        }

        private void Capture(List<OpenProblem> ledgerOut)
        {
            foreach (var ((group, package), e) in _open)
                ledgerOut.Add(new OpenProblem(e.RepositoryId, group, e.VulnerabilityId, package, e.Severity, e.OpenedAt));
        }

        private long RepositoryOf(FindingHistory f) => _repositoryOfArtifact[f.ArtifactId];

        // ---- state and rows ---------------------------------------------------------------------------------------

        /// <summary>The current images at a moment, with their findings and decision states, by repository.</summary>
        private sealed class RepositoryState
        {
            public readonly List<(DigestHistory Digest, List<(FindingHistory Finding, VexStatus? Status)> Findings)> Images = [];
        }

        private Dictionary<long, RepositoryState> State(DateTime t)
        {
            var state = new Dictionary<long, RepositoryState>();
            foreach (var d in CurrentImages.At(_digests, t, _history.RunningInProduction))
            {
                if (!state.TryGetValue(d.RepositoryId, out var rs)) state[d.RepositoryId] = rs = new RepositoryState();
                var findings = new List<(FindingHistory, VexStatus?)>();
                if (_findings.TryGetValue(d.ArtifactId, out var list))
                    foreach (var f in list)
                        if (f.ActiveAt(t)) findings.Add((f, _history.Decisions?.Invoke(f, t)));
                rs.Images.Add((d, findings));
            }
            return state;
        }

        private static bool Suppresses(VexStatus? s) => s is VexStatus.NotAffected or VexStatus.Fixed;

        /// <summary>The attribution of a change between two states. Most weeks of most lineages see no scan and no decision:
        /// the same images with the same findings in the same states compare to no change, so the full comparison is
        /// skipped for them (its result would be the open count on both sides and nothing else).</summary>
        private static AttributionCounts Change(IReadOnlyList<RepositoryState> start, IReadOnlyList<RepositoryState> end)
        {
            if (start.Count == end.Count && start.Zip(end).All(p => Same(p.First, p.Second)))
            {
                var open = start.Sum(rs => rs.Images.Sum(i => i.Findings.Count(x => !Suppresses(x.Status))));
                return new AttributionCounts(open, open, 0, 0, 0, 0, 0, 0, 0);
            }
            return Attribution.Compare(Side(start), Side(end)).Counts;
        }

        private static bool Same(RepositoryState a, RepositoryState b)
        {
            if (a.Images.Count != b.Images.Count) return false;
            for (var i = 0; i < a.Images.Count; i++)
            {
                var (x, y) = (a.Images[i], b.Images[i]);
                if (x.Digest.ArtifactId != y.Digest.ArtifactId || x.Findings.Count != y.Findings.Count) return false;
                for (var k = 0; k < x.Findings.Count; k++)
                    if (x.Findings[k].Finding.FindingId != y.Findings[k].Finding.FindingId
                        || Suppresses(x.Findings[k].Status) != Suppresses(y.Findings[k].Status)) return false;
            }
            return true;
        }

        private static ComparisonSide Side(IEnumerable<RepositoryState> repositories)
        {
            var side = new ComparisonSide();
            foreach (var rs in repositories)
                foreach (var (digest, findings) in rs.Images)
                    side.AddImage(digest.Packages, findings.Select(x => x.Finding.ToSide(x.Status)));
            return side;
        }

        private void Emit(int weekIndex, IsoWeek week, bool complete, DateTime asOf, DateTime computedAt, Dictionary<long, RepositoryState> start,
            Dictionary<long, RepositoryState> end, Dictionary<long, RemediationTotals> remediated, List<WeeklySnapshot> rows,
            Dictionary<(int, SnapshotScope, long), AttributionCounts> partitions)
        {
            var sla = _owner._sla;
            foreach (var repo in _lineage.Repositories)
            {
                var s = start.GetValueOrDefault(repo.Id);
                var e = end.GetValueOrDefault(repo.Id);
                var r = remediated.GetValueOrDefault(repo.Id);
                if (s is null && e is null && r is null) continue;
                var row = WeeklySnapshot.Empty(week, SnapshotScope.Repository, repo.Id, repo.Name);
                row.TeamId = repo.TeamId;
                row.Complete = complete;
                row.AsOf = asOf;
                row.ComputedAt = computedAt;
                // Columns whose data did not exist at the as-of instant stay null; a known column may still turn null
                // below, when a finding it would count has a value computed only after the instant.
                var production = _history.ProductionSince <= asOf;
                var priority = _history.PrioritySince <= asOf;
                var reachability = _history.ReachabilitySince <= asOf;
                var kev = _history.KevSince <= asOf;
                if (production) row.ImagesInProduction = 0;
                if (priority) (row.OpenAct, row.OpenAttend, row.OpenTrackStar, row.OpenTrack) = (0, 0, 0, 0);
                if (reachability) (row.OpenReachable, row.OpenLoaded) = (0, 0);
                if (kev) row.OpenKev = 0;
                foreach (var (digest, findings) in e?.Images ?? [])
                {
                    row.Images++;
                    row.Packages += digest.PackageCount;
                    if (digest.SizeBytes is { } size) row.SizeBytes = (row.SizeBytes ?? 0) + size;
                    if (production && _history.RunningInProduction?.Invoke(digest, asOf) == true) row.ImagesInProduction++;
                    foreach (var (f, status) in findings)
                    {
                        row.ActiveFindings++;
                        if (status is VexStatus.NotAffected or VexStatus.Affected or VexStatus.Fixed) row.Decided++;
                        if (status is VexStatus.NotAffected) row.NotAffected++;
                        if (Suppresses(status)) continue;
                        row.AddOpen(f.Severity);
                        if (f.FixAvailable) row.OpenFixable++;
                        if (priority)
                            switch (f.PriorityAsOf(asOf))
                            {
                                case SsvcPriority.Act: row.OpenAct++; break;
                                case SsvcPriority.Attend: row.OpenAttend++; break;
                                case SsvcPriority.TrackStar: row.OpenTrackStar++; break;
                                case SsvcPriority.Track: row.OpenTrack++; break;
                                case null: priority = false; break; // not scored then (or before Triage recorded changes)
                            }
                        if (reachability)
                        {
                            if (!f.VerdictAsOf(asOf, _history.VerdictsRecordedSince, out var verdict)) reachability = false;
                            else if (verdict == ReachabilityVerdict.Reachable) row.OpenReachable++;
                            else if (verdict == ReachabilityVerdict.Loaded) row.OpenLoaded++;
                        }
                        if (kev && f.KevListedAsOf(asOf)) row.OpenKev++;
                        if (_open.TryGetValue((f.GroupId, f.Package), out var problem) && sla.IsBreached(f.Severity, problem.OpenedAt, asOf))
                            row.AddSlaBreach(f.Severity);
                    }
                }
                // A partial count would read as a fall: a column some open finding cannot be counted in is unknown.
                if (!priority) (row.OpenAct, row.OpenAttend, row.OpenTrackStar, row.OpenTrack) = (null, null, null, null);
                if (!reachability) (row.OpenReachable, row.OpenLoaded) = (null, null);
                if (r is not null)
                    foreach (var sev in Enum.GetValues<Severity>())
                        row.AddRemediated(sev, r.Count(sev), r.Days(sev));
                row.SetWeekChange(Change(s is null ? [] : [s], e is null ? [] : [e]));
                rows.Add(row);
            }

            // The lineage's parts: as a whole (all), and per owning team (unowned for none).
            Part(SnapshotScope.All, 0, _ => true);
            foreach (var team in _lineage.Repositories.Select(r => r.TeamId).Distinct())
                Part(team is null ? SnapshotScope.Unowned : SnapshotScope.Team, team ?? 0, r => r.TeamId == team);

            void Part(SnapshotScope scope, long id, Func<LineageRepository, bool> member)
            {
                var ids = _lineage.Repositories.Where(member).Select(r => r.Id).ToList();
                var s = ids.Where(start.ContainsKey).Select(i => start[i]).ToList();
                var e = ids.Where(end.ContainsKey).Select(i => end[i]).ToList();
                if (s.Count == 0 && e.Count == 0) return;
                var counts = Change(s, e);
                partitions[(weekIndex, scope, id)] = partitions.GetValueOrDefault((weekIndex, scope, id)) + counts;
            }
        }
    }

    private readonly SlaPolicy _sla = sla.Validate();
}
