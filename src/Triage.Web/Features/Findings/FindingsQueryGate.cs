using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Triage.Web.Features.Findings;

/// <summary>Triage:Queries in configuration: how many findings API queries one instance runs at once and how long the
/// rest may wait (docs/decisions/090-query-scale.md).</summary>
public sealed class FindingsQueryOptions
{
    public const string Section = "Triage:Queries";

    /// <summary>Findings queries running at once on this instance; more only queue for the same cores and connections.</summary>
    public int MaxConcurrent { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);
    /// <summary>Queries allowed to wait for a slot; beyond that the answer is 429 at once. A waiting query holds no database
    /// connection, only its request; behind a balancer one instance may hold most of the waiting clients (64 refused 4 % of
    /// 100 concurrent clients on two instances).</summary>
    public int MaxQueued { get; set; } = 256;
    /// <summary>How long a queued query waits for a slot before it gets 429. With the command timeout below, a query is
    /// answered within 50 s, inside a proxy's usual 60 s: 100 clients querying at once on a 2-core pair are served, not
    /// refused (docs/benchmarks.md, Load).</summary>
    public double QueueSeconds { get; set; } = 30;
    /// <summary>Database command timeout of a findings query, kept below any HTTP client's or proxy's timeout so the
    /// client hears why (503 with Retry-After) instead of losing the connection.</summary>
    public int CommandTimeoutSeconds { get; set; } = 20;
    /// <summary>How long the API reuses the total of the same filter for the same caller while it pages.</summary>
    public double TotalReuseSeconds { get; set; } = 30;
}

/// <summary>Admission for heavy findings queries: a bounded number run, a bounded number wait a bounded time, the others
/// are told to come back (429 with Retry-After) instead of piling up behind the database until everybody times out.</summary>
public sealed class FindingsQueryGate(IOptions<FindingsQueryOptions> options) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = Math.Max(1, options.Value.MaxConcurrent),
        QueueLimit = Math.Max(0, options.Value.MaxQueued),
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public FindingsQueryOptions Options { get; } = options.Value;

    /// <summary>A slot to run one query (dispose it when done), or null when the queue is full or the wait ran out.</summary>
    public async Task<RateLimitLease?> EnterAsync(CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(Options.QueueSeconds));
        try
        {
            var lease = await _limiter.AcquireAsync(1, wait.Token);
            if (lease.IsAcquired) return lease;
            lease.Dispose();
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Seconds a refused caller should wait: about one queue wait.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(Options.QueueSeconds / 2));

    public void Dispose() => _limiter.Dispose();
}
