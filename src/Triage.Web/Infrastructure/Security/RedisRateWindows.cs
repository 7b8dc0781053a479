using System.Diagnostics;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Triage.Web.Infrastructure.Security;

/// <summary>
/// Fixed one-minute windows counted in Redis, so every instance behind the balancer shares one count per partition
/// (docs/decisions/081-shared-rate-limits-in-redis.md). One per app: it holds the connection (resolved on first use), the
/// key prefix, the timeout, and the "Redis is away" warning (at most one a minute, whatever the number of partitions).
/// </summary>
public sealed class RedisRateWindows
{
    /// <summary>Beyond this a Redis answer is not waited for: the request is counted by the local limiter instead.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>After a failed or late answer Redis is not asked again for this long (the local limiter decides), so a hung
    /// Redis costs one wait of <see cref="Timeout"/> per pause, not one per request.</summary>
    public static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // One atomic step: count, and give the key an expiry if it has none (a new key, or one whose expiry was lost), so no
    // key can outlive its window by more than the grace whatever happens between two calls.
    private const string CountScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        if redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return count
        """;

    private readonly Func<IConnectionMultiplexer> _connect;
    private IConnectionMultiplexer? _redis;
    private readonly ILogger _log;
    private long _lastWarning = long.MinValue;
    private int _degraded;
    private long _pausedUntil = long.MinValue;

    public RedisRateWindows(Func<IConnectionMultiplexer> connect, string keyPrefix, ILogger<RedisRateWindows> log,
        TimeProvider? time = null, TimeSpan? timeout = null)
    {
        _connect = connect;
        KeyPrefix = string.IsNullOrWhiteSpace(keyPrefix) ? "triage:rl" : keyPrefix.TrimEnd(':');
        _log = log;
        Time = time ?? TimeProvider.System;
        Timeout = timeout ?? DefaultTimeout;
    }

    public string KeyPrefix { get; }
    public TimeSpan Timeout { get; }
    internal TimeProvider Time { get; }

    /// <summary>A limiter for one partition ("api:token:…", "signin:ip:…"): the partition key is already free of secrets.</summary>
    public RateLimiter Create(string partition, int permitsPerMinute) => new RedisFixedWindowRateLimiter(this, partition, permitsPerMinute);

    /// <summary>The Redis key of a partition's window: {prefix}:{kind}:{caller}:{window start, Unix seconds}.</summary>
    public string Key(string partition, long windowStart) => $"{KeyPrefix}:{partition}:{windowStart}";

    /// <summary>Start of the current window (Unix seconds) and what is left of it, by this instance's clock.</summary>
    internal (long Start, TimeSpan Left) CurrentWindow()
    {
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)Window.TotalMilliseconds;
        var start = now - now % windowMs;
        return (start / 1000, TimeSpan.FromMilliseconds(start + windowMs - now));
    }

    /// <summary>Null when Redis cannot be asked now (not connected, paused after a failure, or it threw while connecting):
    /// the caller counts locally. The connection is the app's one (resolved here on first use, then kept; a failure to
    /// resolve it is retried on the next call).</summary>
    internal IDatabase? Database(out string reason)
    {
        reason = "";
        if (Stopwatch.GetTimestamp() < Interlocked.Read(ref _pausedUntil))
        {
            reason = "paused after a failure";
            return null;
        }
        try
        {
            var redis = _redis ??= _connect();
            if (redis.IsConnected) return redis.GetDatabase();
            reason = "not connected";
            return null;
        }
        catch (Exception e)
        {
            reason = e.GetType().Name;
            return null;   // whatever the connection throws, the request is limited locally rather than failed
        }
    }

    /// <summary>Adds to the window's count; the count after it. Throws on timeout or any Redis failure.</summary>
    internal async Task<long> CountAsync(IDatabase db, string key, int permits, TimeSpan left, CancellationToken ct)
    {
        // The key lives one more window past its own end: tolerates a little clock skew between instances.
        var ttlMs = (long)(left + Window).TotalMilliseconds;
        var result = await db.ScriptEvaluateAsync(CountScript, [key], [permits, ttlMs]).WaitAsync(Timeout, ct).ConfigureAwait(false);
        return (long)result;
    }

    /// <summary>Redis did not answer (in time): warn, at most once a minute, without keys, addresses or connection details.</summary>
    internal void Degraded(string kind, string reason, bool failedCall = false)
    {
        Interlocked.Exchange(ref _degraded, 1);
        var now = Stopwatch.GetTimestamp();
        if (failedCall) Interlocked.Exchange(ref _pausedUntil, now + (long)(PauseAfterFailure.TotalSeconds * Stopwatch.Frequency));
        var last = Interlocked.Read(ref _lastWarning);
        if (last != long.MinValue && Stopwatch.GetElapsedTime(last, now) < Window) return;
        if (Interlocked.CompareExchange(ref _lastWarning, now, last) != last) return;
        _log.LogWarning("Rate limits: Redis did not answer ({Reason}) for a {Kind} limit; counting in this instance's memory until it does, so each instance allows the full limit meanwhile",
            reason, kind);
    }

    internal void Answered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
            _log.LogInformation("Rate limits: Redis answers again; windows are shared by every instance");
    }
}

/// <summary>
/// One partition's fixed one-minute window in Redis (<see cref="RedisRateWindows"/>), with an in-memory
/// <see cref="FixedWindowRateLimiter"/> of the same limit for when Redis is away: fail open to the local limit, never to no
/// limit and never to an error.
/// <para>
/// <see cref="AcquireAsyncCore"/> asks Redis. <see cref="AttemptAcquireCore"/> cannot without blocking a thread on the
/// network, so while Redis is connected it answers "not acquired, ask asynchronously" (no Retry-After): the rate limiting
/// middleware (and <see cref="PartitionedRateLimiter.CreateChained{TResource}"/>) then calls <c>AcquireAsync</c>, which
/// decides. While Redis is not connected (or paused after a failure) the synchronous path uses the local limiter directly.
/// </para>
/// </summary>
internal sealed class RedisFixedWindowRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Granted = new WindowLease(true, null);
    private static readonly RateLimitLease AskAsync = new WindowLease(false, null);

    private readonly RedisRateWindows _windows;
    private readonly string _partition;
    private readonly string _kind;
    private readonly int _limit;
    private readonly Lazy<FixedWindowRateLimiter> _local;
    private long _lastUsed = Stopwatch.GetTimestamp();
    private bool _disposed;

    public RedisFixedWindowRateLimiter(RedisRateWindows windows, string partition, int permitsPerMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitsPerMinute, 1);
        _windows = windows;
        _partition = partition;
        _kind = partition.Split(':', 2)[0];
        _limit = permitsPerMinute;
        // Made on first need only: while Redis answers there is no timer per partition.
        _local = new Lazy<FixedWindowRateLimiter>(() => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute, Window = RedisRateWindows.Window, QueueLimit = 0, AutoReplenishment = true,
        }));
    }

    /// <summary>Idle while the local limiter (if any) is full again: the partitioned limiter may then drop this one, the
    /// count lives on in Redis.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            var idle = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));
            if (!_local.IsValueCreated) return idle;
            return _local.Value.IdleDuration is { } localIdle ? (localIdle < idle ? localIdle : idle) : null;
        }
    }

    public override RateLimiterStatistics? GetStatistics() => _local.IsValueCreated ? _local.Value.GetStatistics() : null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Check(permitCount);
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
        if (_windows.Database(out var reason) is not null) return AskAsync;
        _windows.Degraded(_kind, reason);
        return _local.Value.AttemptAcquire(permitCount);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Check(permitCount);
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
        var db = _windows.Database(out var reason);
        if (db is null)
        {
            _windows.Degraded(_kind, reason);
            return _local.Value.AttemptAcquire(permitCount);
        }
        var (start, left) = _windows.CurrentWindow();
        long count;
        try
        {
            count = await _windows.CountAsync(db, _windows.Key(_partition, start), permitCount, left, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)   // timeout, RedisException, an unexpected reply: never a 500, never unlimited
        {
            _windows.Degraded(_kind, e is TimeoutException ? $"no answer within {_windows.Timeout.TotalMilliseconds:0} ms" : e.GetType().Name, failedCall: true);
            return _local.Value.AttemptAcquire(permitCount);
        }
        _windows.Answered();
        // A zero-permit request asks whether a permit is left; otherwise the permits were counted and fit or not.
        var fits = permitCount == 0 ? count < _limit : count <= _limit;
        return fits ? Granted : new WindowLease(false, left);
    }

    private void Check(int permitCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        if (disposing && _local.IsValueCreated) _local.Value.Dispose();
        base.Dispose(disposing);
    }

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } r && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = r;
                return true;
            }
            metadata = null;
            return false;
        }
    }
}
