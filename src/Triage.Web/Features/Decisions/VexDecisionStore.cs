using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Web.Infrastructure;

namespace Triage.Web.Features.Decisions;

/// <summary>
/// <see cref="IDecisionStore"/> on <see cref="DecisionService"/>: the app records real VEX decisions (with the session and
/// the signed-in user as origin, the person's name as author) and reads the materialised decision in force per finding.
/// </summary>
public sealed class VexDecisionStore(TriageConnection connection, TimeProvider time, Triage.Data.Audit.AuditLog? audit = null) : IDecisionStore
{
    private DecisionService Service => new(connection.ConnectionString, time);

    public async Task<DecisionRecord> DecideAsync(FindingDecision request, CancellationToken ct = default)
    {
        DecisionOutcome outcome;
        try
        {
            outcome = await Service.RecordAsync(ToRequest(request), ct);
        }
        catch (VexRuleException e)
        {
            throw new ArgumentException(e.Violation.Reason, e);
        }
        catch (DecisionTargetException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        var first = outcome.Decisions[0];
        if (audit is not null)
        {
            // Pages and sessions run in a circuit: no request address at hand.
            var findings = string.Join(',', request.FindingIds.Take(20).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await audit.AppendAsync(new Triage.Core.Audit.AuditActor(request.AuthorName, request.AuthorId, Triage.Core.Audit.AuditChannels.Web, null),
                Triage.Core.Audit.AuditActions.DecisionRecorded, "finding", findings,
                $"{first.Status.ToWire()} at {request.Scope} scope ({outcome.Decisions.Count} statement(s))" + (request.SessionId is { } s ? $" in session {s}" : ""),
                ct: CancellationToken.None);
        }
        return ToRecord(first, request.FindingIds.Count > 0 ? request.FindingIds[0] : 0, request.SessionId, request.AuthorId);
    }

    public async Task<DecisionOutcome> PreviewAsync(FindingDecision request, CancellationToken ct = default)
    {
        try
        {
            return await Service.PreviewAsync(ToRequest(request), ct);
        }
        catch (VexRuleException e)
        {
            throw new ArgumentException(e.Violation.Reason, e);
        }
        catch (DecisionTargetException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    public async Task<IReadOnlyDictionary<long, DecisionRecord>> CurrentAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default)
    {
        var effective = await Service.EffectiveAsync(findingIds, ct);
        return effective.ToDictionary(kv => kv.Key, kv => new DecisionRecord(kv.Value.DecisionId, kv.Key, null, kv.Value.Status.ToDecisionStatus(),
            kv.Value.Justification, "", kv.Value.Author, kv.Value.Timestamp.UtcDateTime)
        {
            Scope = kv.Value.Scope,
            ScopeText = kv.Value.Scope.ToWire(),
            Source = kv.Value.Source,
        });
    }

    public async Task<IReadOnlyList<DecisionRecord>> HistoryAsync(long findingId, CancellationToken ct = default)
    {
        var history = await Service.HistoryAsync(findingId, ct);
        if (history is null) return [];
        return history.Timeline.Reverse().Select(e => ToRecord(e.Decision, findingId, null, "") with { InForce = e.Effective, NotInForceReason = e.Reason }).ToList();
    }

    public async Task<IReadOnlyList<DecisionRecord>> ForSessionAsync(long sessionId, CancellationToken ct = default) =>
        (await Service.ForSessionAsync(sessionId, ct)).Select(e => ToRecord(e.Decision, e.FindingId ?? 0, e.SessionId, e.UserId ?? "")).ToList();

    public async Task<IReadOnlyList<DecisionRecord>> SinceAsync(DateTime since, Func<TriageDbContext, IQueryable<long>?>? visibleFindings, int limit,
        CancellationToken ct = default) =>
        (await Service.SinceAsync(new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)), visibleFindings, limit, ct))
            .Select(e => ToRecord(e.Decision, e.FindingId ?? 0, e.SessionId, e.UserId ?? "")).ToList();

    public IQueryable<long> FindingsWithStatus(TriageDbContext db, DecisionStatus status) =>
        EffectiveDecisions.WithStatus(db, status.ToVex(), time.GetUtcNow().UtcDateTime);

    public IQueryable<long> DecidedFindings(TriageDbContext db) => EffectiveDecisions.Decided(db, time.GetUtcNow().UtcDateTime);

    internal static DecisionRequest ToRequest(FindingDecision r)
    {
        DecisionTarget target = r.Team is { Length: > 0 } team
            ? new DecisionTarget.Team(team)
            : new DecisionTarget.Findings(r.FindingIds, r.Scope);
        return new DecisionRequest
        {
            Vulnerability = r.Team is { Length: > 0 } ? r.Vulnerability : null,
            Target = target,
            Status = r.Status.ToVex(),
            Justification = r.Status == DecisionStatus.NotAffected ? r.Justification : null,
            ImpactStatement = Blank(r.ImpactStatement),
            ActionStatement = Blank(r.ActionStatement),
            ExpiresAt = r.ExpiresAt,
            Notes = Blank(r.Notes),
            Author = r.AuthorName,
            Seen = r.Seen,
            AuthorSees = r.AuthorSees,
            Origin = new DecisionOriginInfo(r.FindingIds.Count == 1 ? r.FindingIds[0] : null, r.SessionId, r.AuthorId),
        };
    }

    internal static DecisionRecord ToRecord(DecisionView d, long findingId, long? sessionId, string userId) =>
        new(d.Id, findingId, sessionId, d.Status.ToDecisionStatus(), d.Justification?.ToWire() ?? d.CycloneDxJustification?.ToWire(), userId, d.Author,
            (d.RecordedAt ?? d.Timestamp).UtcDateTime)
        {
            Vulnerability = d.Vulnerability,
            Package = d.Package,
            Scope = d.ScopeKind,
            ScopeText = d.ScopeText,
            ImpactStatement = d.ImpactStatement,
            ActionStatement = d.ActionStatement,
            Notes = d.Notes,
            ExpiresAt = d.ExpiresAt,
            Source = d.Source.Kind == DecisionSourceView.User ? "user" : d.Source.Format?.ToWire() ?? "document",
        };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
