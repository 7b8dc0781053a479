using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Sessions;

/// <summary>Starting, running and closing triage sessions: the stored side (queue, position, proposals, decisions) and
/// the events that tell every tab about it. Rights are checked here, not only in the page: who may see a session follows
/// the images of its queue (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md).</summary>
public sealed class SessionService(IDbContextFactory<TriageDbContext> factory, IDecisionStore decisions, TimeProvider time)
{
    /// <summary>A session is a meeting, not a backlog: its queue holds at most this many findings, worst first.</summary>
    public const int MaxQueue = 200;

    /// <summary>The newest sessions <paramref name="user"/> may see.</summary>
    public async Task<List<SessionListItem>> ListAsync(UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await Visible(db, user, db.TriageSessions.AsNoTracking()).OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id).Take(100)
            .Select(s => new
            {
                s.Id, s.Name, s.Query, s.FacilitatorName, s.StartedAt, s.ClosedAt,
                Items = db.SessionItems.Count(i => i.SessionId == s.Id),
                Decided = db.DecisionOrigins.Where(d => d.SessionId == s.Id && d.FindingId != null).Select(d => d.FindingId).Distinct().Count(),
            }).ToListAsync(ct);
        return rows.Select(r => new SessionListItem(r.Id, r.Name, r.Query, r.FacilitatorName, Utc(r.StartedAt), r.ClosedAt is { } c ? Utc(c) : null,
            r.Items, r.Decided)).ToList();
    }

    /// <summary>The saved queues <paramref name="user"/> may start a session from: those naming a team or an image of theirs,
    /// or none (queues are shared; one naming another team's images is not offered).</summary>
    public async Task<List<SavedFilter>> SavedFiltersAsync(UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var all = await db.SavedFilters.AsNoTracking().OrderBy(f => f.Name).ToListAsync(ct);
        var offered = new List<SavedFilter>(all.Count);
        foreach (var f in all)
            if (await NamesOnlyVisibleImagesAsync(db, FindingsQuery.Parse(f.Query), user, ct)) offered.Add(f);
        return offered;
    }

    public async Task<SavedFilter> SaveFilterAsync(string name, FindingsQuery query, UserAccess user, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("give the queue a name");
        await using var db = await factory.CreateDbContextAsync(ct);
        var f = new SavedFilter { Name = name.Trim(), Query = query.FilterOnly().ToQueryString(), CreatedBy = user.Name, CreatedAt = Now() };
        db.SavedFilters.Add(f);
        await db.SaveChangesAsync(ct);
        return f;
    }

    /// <summary>Whether the form may offer <paramref name="query"/> to <paramref name="user"/> as a queue (its team and image are theirs).</summary>
    public async Task<bool> MayQueueAsync(FindingsQuery query, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await NamesOnlyVisibleImagesAsync(db, query, user, ct);
    }

    /// <summary>Starts a session: the queue is the findings of <paramref name="query"/> the starter can see, worst first.</summary>
    public async Task<long> StartAsync(string name, FindingsQuery query, UserAccess user, CancellationToken ct = default)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("only triagers start sessions");
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("give the session a name");
        await using var db = await factory.CreateDbContextAsync(ct);
        // Another team's team or image is refused as a queue that selects nothing is: it says no more about that team.
        if (!await NamesOnlyVisibleImagesAsync(db, query, user, ct)) throw new ArgumentException(NothingToSee);
        var filtered = query.FilterOnly().Apply(db, user, decisions);
        var ids = await FindingQueries.Sort(filtered, db, FindingSort.Severity, descending: true).Select(f => f.Id).Take(MaxQueue).ToListAsync(ct);
        if (ids.Count == 0) throw new ArgumentException(NothingToSee);
        var session = new TriageSession
        {
            Name = name.Trim(), Query = query.FilterOnly().ToQueryString(), FacilitatorId = user.UserId, FacilitatorName = user.Name, StartedAt = Now(),
        };
        db.TriageSessions.Add(session);
        await db.SaveChangesAsync(ct);
        db.SessionItems.AddRange(ids.Select((id, i) => new SessionItem { SessionId = session.Id, Position = i, FindingId = id }));
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    /// <summary>The session with its queue, proposals and decisions; null when it does not exist or <paramref name="user"/> may
    /// not see it (the same answer, so the page and the export tell nothing about another team's session).</summary>
    public async Task<SessionState?> LoadAsync(long sessionId, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await Visible(db, user, db.TriageSessions.AsNoTracking()).FirstOrDefaultAsync(x => x.Id == sessionId, ct);
        if (s is null) return null;
        var items = await db.SessionItems.AsNoTracking().Where(i => i.SessionId == sessionId).OrderBy(i => i.Position).Select(i => i.FindingId).ToListAsync(ct);
        var proposals = await db.SessionProposals.AsNoTracking().Where(p => p.SessionId == sessionId).OrderBy(p => p.Id).ToListAsync(ct);
        var made = await decisions.ForSessionAsync(sessionId, ct);
        return new SessionState(s, items, proposals, made);
    }

    /// <summary>The finding at a queue position, if the reader may see it.</summary>
    public async Task<FindingView?> FindingAsync(long findingId, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var views = await FindingQueries.ToViewsAsync(db, user.Visible(db, db.Findings.AsNoTracking().Where(f => f.Id == findingId)), ct);
        return views.FirstOrDefault();
    }

    /// <summary>"CVE-… in package" for each queue item the reader may see (the queue list and the activity feed).</summary>
    public async Task<Dictionary<long, string>> LabelsAsync(IReadOnlyList<long> findingIds, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var result = new Dictionary<long, string>();
        foreach (var chunk in findingIds.Chunk(500))
        {
            var ids = chunk.ToList();
            var rows = await (from f in user.Visible(db, db.Findings.AsNoTracking().Where(f => ids.Contains(f.Id)))
                              join g in db.AliasGroups on f.GroupId equals g.Id
                              join p in db.Packages on f.PackageId equals p.Id
                              select new { f.Id, g.CanonicalId, p.Type, p.Namespace, p.Name }).ToListAsync(ct);
            foreach (var r in rows) result[r.Id] = $"{r.CanonicalId} in {FindingQueries.DisplayName(r.Type, r.Namespace, r.Name)}";
        }
        return result;
    }

    public async Task MoveAsync(SessionRoom room, int position, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await OpenSessionAsync(db, room.SessionId, user, ct);
        if (s.FacilitatorId != user.UserId && !user.IsAdmin) throw new UnauthorizedAccessException("only the facilitator moves the queue");
        var count = await db.SessionItems.CountAsync(i => i.SessionId == s.Id, ct);
        var to = Math.Clamp(position, 0, Math.Max(0, count - 1));
        if (to == s.CurrentPosition) return;
        s.CurrentPosition = to;
        await db.SaveChangesAsync(ct);
        await room.PublishAsync(room.Event(SessionEventKind.Moved) with { Position = to }, ct);
    }

    /// <summary>Hands the queue to another person present (the facilitator or an admin may).</summary>
    public async Task HandOverAsync(SessionRoom room, Participant to, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await OpenSessionAsync(db, room.SessionId, user, ct);
        if (s.FacilitatorId != user.UserId && !user.IsAdmin) throw new UnauthorizedAccessException("only the facilitator hands over the queue");
        s.FacilitatorId = to.UserId;
        s.FacilitatorName = to.Name;
        await db.SaveChangesAsync(ct);
        await room.PublishAsync(room.Event(SessionEventKind.HandedOver) with { TargetUserId = to.UserId, TargetName = to.Name }, ct);
    }

    public async Task<SessionProposal> ProposeAsync(SessionRoom room, long findingId, DecisionStatus status, string? note, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await OpenSessionAsync(db, room.SessionId, user, ct);
        await EnsureInQueueAndVisibleAsync(db, room.SessionId, findingId, user, ct);
        var p = new SessionProposal
        {
            SessionId = room.SessionId, FindingId = findingId, Status = status, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            AuthorId = user.UserId, AuthorName = user.Name, CreatedAt = Now(),
        };
        db.SessionProposals.Add(p);
        await db.SaveChangesAsync(ct);
        await room.PublishAsync(room.Event(SessionEventKind.Proposed) with { FindingId = findingId, Status = status.ToWire(), Text = p.Note, RecordId = p.Id }, ct);
        return p;
    }

    /// <summary>Records a VEX decision made in the session on one finding (scope chosen in the dialog), with what the deciding
    /// tab saw in force as "seen": a decision made meanwhile elsewhere is a <see cref="Data.Vex.DecisionConflictException"/>.</summary>
    public async Task<DecisionRecord> DecideAsync(SessionRoom room, long findingId, DecisionInput input, long? seenDecisionId, UserAccess user,
        CancellationToken ct = default)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("viewers propose; triagers decide");
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await OpenSessionAsync(db, room.SessionId, user, ct);
            await EnsureInQueueAndVisibleAsync(db, room.SessionId, findingId, user, ct);
        }
        var record = await decisions.DecideAsync(input.ToDecision([findingId], room.SessionId, user,
            new Dictionary<long, long?> { [findingId] = seenDecisionId }), ct);
        record = record with { FindingId = findingId };
        await room.PublishAsync(room.Event(SessionEventKind.Decided) with
        {
            FindingId = findingId, Status = input.Status.ToWire(), Text = record.Why, RecordId = record.Id, At = record.CreatedAt,
        }, ct);
        return record;
    }

    public async Task CloseAsync(SessionRoom room, UserAccess user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await OpenSessionAsync(db, room.SessionId, user, ct);
        if (s.FacilitatorId != user.UserId && !user.IsAdmin) throw new UnauthorizedAccessException("only the facilitator closes the session");
        s.ClosedAt = Now();
        await db.SaveChangesAsync(ct);
        await room.PublishAsync(room.Event(SessionEventKind.Closed), ct);
    }

    /// <summary>What the session decided and what it left for later, finding by finding, with who decided.</summary>
    public async Task<SessionSummary?> SummaryAsync(long sessionId, UserAccess user, CancellationToken ct = default)
    {
        var state = await LoadAsync(sessionId, user, ct);
        if (state is null) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = state.Items;
        var views = new List<FindingView>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            var c = chunk.ToList();
            views.AddRange(await FindingQueries.ToViewsAsync(db, user.Visible(db, db.Findings.AsNoTracking().Where(f => c.Contains(f.Id))), ct));
        }
        var byId = views.ToDictionary(v => v.Id);
        var lastDecision = state.Decisions.GroupBy(d => d.FindingId).ToDictionary(g => g.Key, g => g.OrderBy(d => d.Id).Last());
        var lines = ids.Select((id, i) =>
        {
            byId.TryGetValue(id, out var v);
            lastDecision.TryGetValue(id, out var d);
            return new SessionSummaryLine(i + 1, id, v?.Vulnerability.Id ?? "(not visible to you)", v is null ? "" : $"{v.Package.Name} {v.Package.Version}",
                v?.Image ?? "", v?.Severity, d?.Status, d?.Why, d?.AuthorName, d?.CreatedAt);
        }).ToList();
        return new SessionSummary(state.Session.Id, state.Session.Name, state.Session.Query, state.Session.FacilitatorName, Utc(state.Session.StartedAt),
            state.Session.ClosedAt is { } closed ? Utc(closed) : null, lines);
    }

    private const string NothingToSee = "this queue selects no findings you can see: widen the filter";

    /// <summary>
    /// The sessions <paramref name="user"/> may see: all for an admin; for anyone else those whose queue is not empty and
    /// holds only findings on images they may see (<see cref="UserAccess.Images"/>, the rule of reads and decisions). A
    /// session is one conversation: its feed, proposals and notes are about the whole queue, so it is not shown in part.
    /// </summary>
    private static IQueryable<TriageSession> Visible(TriageDbContext db, UserAccess user, IQueryable<TriageSession> sessions)
    {
        if (user.VisibleRepositoryIds(db) is not { } repositories) return sessions;
        // Correlated per session (a queue holds at most MaxQueue items) and against the repositories, never the findings, a
        // user may see: that set is the small one.
        return sessions.Where(s => db.SessionItems.Any(i => i.SessionId == s.Id)
            && !(from i in db.SessionItems
                 join f in db.Findings on i.FindingId equals f.Id
                 join a in db.Artifacts on f.ArtifactId equals a.Id
                 where i.SessionId == s.Id && !repositories.Contains(a.RepositoryId)
                 select i.SessionId).Any());
    }

    /// <summary>Whether a queue's filter names only a team of the user's or an image they may see (or neither). An admin's always does.</summary>
    private static async Task<bool> NamesOnlyVisibleImagesAsync(TriageDbContext db, FindingsQuery query, UserAccess user, CancellationToken ct)
    {
        if (user.Images is not { } sees) return true;
        if (query.TeamId is { } team && !user.TeamIds.Contains(team)) return false;
        if (query.Image is not { } image) return true;
        // The repository the findings filter reads the image as (FindingQueries.ArtifactsFor); an unknown one selects nothing.
        var repository = await Data.Vex.ImageScopes.RepositoryNameAsync(db, image, ct);
        return repository is null || sees.Sees(await db.Repositories.AsNoTracking().Where(r => r.Name == repository).Select(r => r.TeamId).FirstAsync(ct));
    }

    private static async Task<TriageSession> OpenSessionAsync(TriageDbContext db, long sessionId, UserAccess user, CancellationToken ct)
    {
        var s = await Visible(db, user, db.TriageSessions).FirstOrDefaultAsync(x => x.Id == sessionId, ct) ?? throw new ArgumentException("this session does not exist");
        if (s.ClosedAt is not null) throw new ArgumentException("this session is closed");
        return s;
    }

    private static async Task EnsureInQueueAndVisibleAsync(TriageDbContext db, long sessionId, long findingId, UserAccess user, CancellationToken ct)
    {
        if (!await db.SessionItems.AnyAsync(i => i.SessionId == sessionId && i.FindingId == findingId, ct))
            throw new ArgumentException("this finding is not in the session's queue");
        if (!await user.CanSeeFindingAsync(db, findingId, ct)) throw new UnauthorizedAccessException("this finding belongs to another team");
    }

    private DateTime Now()
    {
        var t = time.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}

public sealed record SessionListItem(long Id, string Name, string Query, string Facilitator, DateTime StartedAt, DateTime? ClosedAt, int Items, int Decided);

public sealed record SessionState(TriageSession Session, IReadOnlyList<long> Items, IReadOnlyList<SessionProposal> Proposals, IReadOnlyList<DecisionRecord> Decisions);

public sealed record SessionSummaryLine(int Position, long FindingId, string Vulnerability, string Package, string Image, Severity? Severity,
    DecisionStatus? Decision, string? Justification, string? DecidedBy, DateTime? DecidedAt)
{
    public bool Deferred => Decision is null;
}

public sealed record SessionSummary(long Id, string Name, string Query, string Facilitator, DateTime StartedAt, DateTime? ClosedAt, IReadOnlyList<SessionSummaryLine> Lines)
{
    public IEnumerable<SessionSummaryLine> Decided => Lines.Where(l => !l.Deferred);
    public IEnumerable<SessionSummaryLine> Deferred => Lines.Where(l => l.Deferred);
}
