using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Audit;
using Triage.Data;
using Triage.Data.Audit;

namespace Triage.Web.Features.Decisions;

/// <summary>Decisions in the ProvisionalDecisions table: every decision is a row; the newest per finding is current.</summary>
public sealed class ProvisionalDecisionStore(IDbContextFactory<TriageDbContext> factory, TimeProvider time, AuditLog audit) : IDecisionStore
{
    public async Task<DecisionRecord> DecideAsync(DecisionRequest request, CancellationToken ct = default)
    {
        var decision = ProvisionalDecision.Create(request.FindingId, request.SessionId, request.Status, request.Justification,
            request.AuthorId, request.AuthorName, Truncate(time.GetUtcNow().UtcDateTime));
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Findings.AnyAsync(f => f.Id == request.FindingId, ct)) throw new ArgumentException($"finding {request.FindingId} does not exist");
        await db.ProvisionalDecisions.Where(d => d.FindingId == request.FindingId && d.IsCurrent)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.IsCurrent, false), ct);
        db.ProvisionalDecisions.Add(decision);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        // Pages and sessions run in a circuit: no request address at hand.
        await audit.AppendAsync(new AuditActor(request.AuthorName, request.AuthorId, AuditChannels.Web, null), AuditActions.DecisionRecorded,
            "finding", request.FindingId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            request.Status.ToWire() + (request.SessionId is { } s ? $" in session {s}" : ""), ct: CancellationToken.None);
        return ToRecord(decision);
    }

    public async Task<IReadOnlyDictionary<long, DecisionRecord>> CurrentAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default)
    {
        if (findingIds.Count == 0) return new Dictionary<long, DecisionRecord>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = findingIds.ToList();
        var rows = await db.ProvisionalDecisions.AsNoTracking().Where(d => d.IsCurrent && ids.Contains(d.FindingId)).ToListAsync(ct);
        return rows.GroupBy(d => d.FindingId).ToDictionary(g => g.Key, g => ToRecord(g.OrderByDescending(d => d.Id).First()));
    }

    public async Task<IReadOnlyList<DecisionRecord>> HistoryAsync(long findingId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.ProvisionalDecisions.AsNoTracking().Where(d => d.FindingId == findingId).OrderByDescending(d => d.Id).ToListAsync(ct);
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<DecisionRecord>> ForSessionAsync(long sessionId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.ProvisionalDecisions.AsNoTracking().Where(d => d.SessionId == sessionId).OrderBy(d => d.Id).ToListAsync(ct);
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<DecisionRecord>> SinceAsync(DateTime since, Func<TriageDbContext, IQueryable<long>?>? visibleFindings, int limit,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.ProvisionalDecisions.AsNoTracking().Where(d => d.CreatedAt >= since);
        if (visibleFindings?.Invoke(db) is { } visible) q = q.Where(d => visible.Contains(d.FindingId));
        var rows = await q.OrderByDescending(d => d.Id).Take(limit).ToListAsync(ct);
        return rows.Select(ToRecord).ToList();
    }

    public IQueryable<long> FindingsWithStatus(TriageDbContext db, DecisionStatus status) =>
        db.ProvisionalDecisions.Where(d => d.IsCurrent && d.Status == status).Select(d => d.FindingId);

    public IQueryable<long> DecidedFindings(TriageDbContext db) =>
        db.ProvisionalDecisions.Where(d => d.IsCurrent).Select(d => d.FindingId);

    private static DecisionRecord ToRecord(ProvisionalDecision d) =>
        new(d.Id, d.FindingId, d.SessionId, d.Status, d.Justification, d.AuthorId, d.AuthorName, DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc));

    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
