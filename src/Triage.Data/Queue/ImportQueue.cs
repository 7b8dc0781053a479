using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Triage.Data.Queue;

/// <summary>A job this instance holds: its id and the attempt that is its claim token.</summary>
public sealed record ImportJobClaim(long JobId, int Attempt);

/// <summary>What a client asked to import, as stored on the job.</summary>
public sealed record ImportJobRequest(string FileName, string? Image, string? Scanner, string? ImportedBy, long MaxBytes);

/// <summary>Queued and running jobs (readiness, metrics).</summary>
public sealed record ImportQueueDepth(int Queued, int Running, DateTime? OldestQueuedAt);

/// <summary>
/// The durable import queue (docs/decisions/070-scale-out-and-queue.md): jobs are rows of <c>ImportJobs</c>, claimed with
/// a lease that the holder renews. PostgreSQL claims with <c>FOR UPDATE SKIP LOCKED</c>, so any number of instances take
/// different jobs; SQLite runs the same statement under its single writer. A holder whose lease ran out (its instance
/// died) loses the job to whichever instance claims it next; completion checks the claim token, so the old holder cannot
/// overwrite the new one's outcome. Importing the same bytes twice is a duplicate (ADR 002), so a job run twice lands once.
/// Stateless apart from the connection string: one instance per app.
/// </summary>
public sealed class ImportQueue(string connectionString, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string ConnectionString { get; } = connectionString;

    /// <summary>Stores an upload as a job already claimed by <paramref name="instance"/> (which goes on to import it), so no
    /// other instance takes it while the receiving one is alive.</summary>
    public async Task<ImportJobClaim> EnqueueClaimedAsync(ImportJobRequest request, byte[] gzipContent, string sha256, long size, string instance,
        TimeSpan lease, CancellationToken ct = default)
    {
        var now = Now();
        var job = new ImportJob
        {
            State = ImportJobState.Running, FileName = Truncate(request.FileName, 400), Sha256 = sha256, SizeBytes = size, Content = gzipContent,
            Image = request.Image, Scanner = request.Scanner, ImportedBy = request.ImportedBy, MaxBytes = request.MaxBytes,
            EnqueuedBy = instance, EnqueuedAt = now, ClaimedBy = instance, LeaseUntil = now + lease, Attempts = 1, StartedAt = now,
        };
        await using var db = await OpenAsync(ct);
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return new ImportJobClaim(job.Id, job.Attempts);
    }

    /// <summary>Stores an upload for any instance to take (the worker's path; also what tests use to queue work).</summary>
    public async Task<long> EnqueueAsync(ImportJobRequest request, byte[] gzipContent, string sha256, long size, string instance, CancellationToken ct = default)
    {
        var job = new ImportJob
        {
            State = ImportJobState.Queued, FileName = Truncate(request.FileName, 400), Sha256 = sha256, SizeBytes = size, Content = gzipContent,
            Image = request.Image, Scanner = request.Scanner, ImportedBy = request.ImportedBy, MaxBytes = request.MaxBytes,
            EnqueuedBy = instance, EnqueuedAt = Now(),
        };
        await using var db = await OpenAsync(ct);
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job.Id;
    }

    /// <summary>Claims the oldest job that is queued, or running under an expired lease, and has attempts left; null when
    /// there is none. Several instances calling this at once get different jobs.</summary>
    public async Task<ImportJobClaim?> ClaimNextAsync(string instance, TimeSpan lease, int maxAttempts, CancellationToken ct = default)
    {
        var now = Now();
        await using var db = await OpenAsync(ct);
        var skipLocked = db.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE SKIP LOCKED" : "";
        var sql =
            "UPDATE \"ImportJobs\" SET \"State\" = 1, \"ClaimedBy\" = @me, \"LeaseUntil\" = @until, \"Attempts\" = \"Attempts\" + 1, \"StartedAt\" = @now " +
            "WHERE \"Id\" = (SELECT \"Id\" FROM \"ImportJobs\" WHERE (\"State\" = 0 OR (\"State\" = 1 AND \"LeaseUntil\" < @now)) AND \"Attempts\" < @max " +
            "ORDER BY \"Id\" LIMIT 1" + skipLocked + ") RETURNING \"Id\", \"Attempts\"";
        var conn = db.Database.GetDbConnection();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        Add(cmd, "@me", instance);
        Add(cmd, "@until", now + lease);
        Add(cmd, "@now", now);
        Add(cmd, "@max", maxAttempts);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new ImportJobClaim(r.GetInt64(0), r.GetInt32(1));
    }

    /// <summary>Marks jobs whose lease expired after their last allowed attempt as failed (a report that kills every instance
    /// that imports it must not go round for ever). Returns how many.</summary>
    public async Task<int> AbandonExhaustedAsync(int maxAttempts, CancellationToken ct = default)
    {
        var now = Now();
        await using var db = await OpenAsync(ct);
        return await db.ImportJobs
            .Where(j => (j.State == ImportJobState.Running && j.LeaseUntil < now || j.State == ImportJobState.Queued) && j.Attempts >= maxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, ImportJobState.Failed)
                .SetProperty(j => j.Content, (byte[]?)null)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.ErrorCode, "abandoned")
                .SetProperty(j => j.Error, $"no instance finished this import in {maxAttempts} attempts"), ct);
    }

    /// <summary>The job with its content (null when it does not exist).</summary>
    public async Task<ImportJob?> LoadAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        return await db.ImportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
    }

    /// <summary>The job without its content.</summary>
    public async Task<ImportJob?> StatusAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        return await WithoutContent(db.ImportJobs.AsNoTracking().Where(j => j.Id == jobId)).FirstOrDefaultAsync(ct);
    }

    /// <summary>Jobs of an upload (by the report's SHA-256), oldest first, without content.</summary>
    public async Task<List<ImportJob>> BySha256Async(string sha256, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        return await WithoutContent(db.ImportJobs.AsNoTracking().Where(j => j.Sha256 == sha256).OrderBy(j => j.Id)).ToListAsync(ct);
    }

    /// <summary>Extends the leases of the jobs this instance still holds. Returns how many it holds.</summary>
    public async Task<int> RenewAsync(string instance, IReadOnlyCollection<ImportJobClaim> claims, TimeSpan lease, CancellationToken ct = default)
    {
        if (claims.Count == 0) return 0;
        var until = Now() + lease;
        var ids = claims.Select(c => c.JobId).ToList();
        await using var db = await OpenAsync(ct);
        return await db.ImportJobs.Where(j => ids.Contains(j.Id) && j.ClaimedBy == instance && j.State == ImportJobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until), ct);
    }

    /// <summary>Records a finished import. False when the claim was lost (another instance took the job over meanwhile).</summary>
    public async Task<bool> CompleteAsync(ImportJobClaim claim, string instance, string resultJson, CancellationToken ct = default)
    {
        var now = Now();
        await using var db = await OpenAsync(ct);
        return await Held(db, claim, instance).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, ImportJobState.Done)
            .SetProperty(j => j.Content, (byte[]?)null)
            .SetProperty(j => j.FinishedAt, now)
            .SetProperty(j => j.LeaseUntil, (DateTime?)null)
            .SetProperty(j => j.ResultJson, resultJson), ct) == 1;
    }

    /// <summary>Records a refused report. False when the claim was lost.</summary>
    public async Task<bool> FailAsync(ImportJobClaim claim, string instance, string code, string error, CancellationToken ct = default)
    {
        var now = Now();
        await using var db = await OpenAsync(ct);
        return await Held(db, claim, instance).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, ImportJobState.Failed)
            .SetProperty(j => j.Content, (byte[]?)null)
            .SetProperty(j => j.FinishedAt, now)
            .SetProperty(j => j.LeaseUntil, (DateTime?)null)
            .SetProperty(j => j.ErrorCode, Truncate(code, 100))
            .SetProperty(j => j.Error, error), ct) == 1;
    }

    /// <summary>Gives a job back (an instance shutting down): any instance may claim it at once.</summary>
    public async Task<bool> ReleaseAsync(ImportJobClaim claim, string instance, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        return await Held(db, claim, instance).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, ImportJobState.Queued)
            .SetProperty(j => j.LeaseUntil, (DateTime?)null), ct) == 1;
    }

    public async Task<ImportQueueDepth> DepthAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        var open = await db.ImportJobs.AsNoTracking().Where(j => j.State == ImportJobState.Queued || j.State == ImportJobState.Running)
            .GroupBy(j => j.State).Select(g => new { State = g.Key, Count = g.Count(), Oldest = g.Min(j => j.EnqueuedAt) }).ToListAsync(ct);
        var queued = open.FirstOrDefault(o => o.State == ImportJobState.Queued);
        var running = open.FirstOrDefault(o => o.State == ImportJobState.Running);
        return new ImportQueueDepth(queued?.Count ?? 0, running?.Count ?? 0, queued is null ? null : DateTime.SpecifyKind(queued.Oldest, DateTimeKind.Utc));
    }

    /// <summary>Deletes finished jobs older than <paramref name="finishedBefore"/>, at most <paramref name="batch"/>. Returns how many.</summary>
    public async Task<int> PurgeFinishedAsync(DateTime finishedBefore, int batch, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        var ids = await db.ImportJobs.AsNoTracking()
            .Where(j => (j.State == ImportJobState.Done || j.State == ImportJobState.Failed) && j.FinishedAt < finishedBefore)
            .OrderBy(j => j.Id).Select(j => j.Id).Take(batch).ToListAsync(ct);
        if (ids.Count == 0) return 0;
        return await db.ImportJobs.Where(j => ids.Contains(j.Id)).ExecuteDeleteAsync(ct);
    }

    private static IQueryable<ImportJob> Held(TriageDbContext db, ImportJobClaim claim, string instance) =>
        db.ImportJobs.Where(j => j.Id == claim.JobId && j.Attempts == claim.Attempt && j.ClaimedBy == instance && j.State == ImportJobState.Running);

    private static IQueryable<ImportJob> WithoutContent(IQueryable<ImportJob> q) => q.Select(j => new ImportJob
    {
        Id = j.Id, State = j.State, FileName = j.FileName, Sha256 = j.Sha256, SizeBytes = j.SizeBytes, Image = j.Image, Scanner = j.Scanner,
        ImportedBy = j.ImportedBy, MaxBytes = j.MaxBytes, EnqueuedBy = j.EnqueuedBy, EnqueuedAt = j.EnqueuedAt, ClaimedBy = j.ClaimedBy,
        LeaseUntil = j.LeaseUntil, Attempts = j.Attempts, StartedAt = j.StartedAt, FinishedAt = j.FinishedAt, ResultJson = j.ResultJson,
        ErrorCode = j.ErrorCode, Error = j.Error,
    });

    private async Task<TriageDbContext> OpenAsync(CancellationToken ct)
    {
        await TriageDatabase.EnsureMigratedAsync(ConnectionString, ct);
        var db = TriageDatabase.CreateContext(ConnectionString);
        await db.Database.OpenConnectionAsync(ct);
        return db;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    /// <summary>Milliseconds, UTC: both providers store and compare the same value.</summary>
    private DateTime Now()
    {
        var t = _time.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
