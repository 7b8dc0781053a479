namespace Triage.Web.Infrastructure.Queue;

/// <summary>Triage:Queue in configuration (docs/operations.md).</summary>
public sealed class QueueOptions
{
    public const string Section = "Triage:Queue";

    /// <summary>How long a claim lasts without renewal: an instance that died loses its jobs to the others after this.</summary>
    public double LeaseSeconds { get; set; } = 30;
    /// <summary>How often the worker renews leases and looks for jobs to take.</summary>
    public double PollSeconds { get; set; } = 2;
    /// <summary>Claims of one job before it is abandoned (a report that brings down every instance that imports it).</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>Imports this instance runs at once (PostgreSQL serialises the writes; parsing runs in parallel).</summary>
    public int Concurrency { get; set; } = Math.Max(2, Environment.ProcessorCount);
    /// <summary>How long transient database failures (a restart, a lost connection) are retried before a request gives up.</summary>
    public double RetrySeconds { get; set; } = 60;
    /// <summary>On shutdown, how long running imports may finish before they are given back to the queue.</summary>
    public double DrainSeconds { get; set; } = 20;
    /// <summary>Whether this instance also takes jobs other instances enqueued (it always runs its own).</summary>
    public bool Worker { get; set; } = true;
    /// <summary>Fault injection for tests, honoured only in the Development environment: each import waits this long inside
    /// its transaction before committing.</summary>
    public int PauseBeforeCommitMs { get; set; }

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);
}
