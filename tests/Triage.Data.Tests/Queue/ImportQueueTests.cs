using System.Collections.Concurrent;
using Triage.Data.Queue;
using Triage.Testing;

namespace Triage.Data.Tests.Queue;

/// <summary>The durable import queue on both providers: claims, leases, take-overs after an instance dies, and many
/// claimers at once (PostgreSQL's SKIP LOCKED).</summary>
public sealed class ImportQueueTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly ImportJobRequest Request = new("report.json", null, null, "test", 1024 * 1024);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AJobClaimedOnEnqueue_IsNotTakenWhileItsLeaseRuns_ThenAnotherInstanceTakesItOver(string provider)
    {
        var clock = new ManualClock();
        var queue = new ImportQueue(TestDatabases.New(provider), clock);
        var claim = await queue.EnqueueClaimedAsync(Request, [1, 2, 3], Sha(1), 3, "a", Lease);
        Assert.Equal(1, claim.Attempt);

        Assert.Null(await queue.ClaimNextAsync("b", Lease, maxAttempts: 5));
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await queue.RenewAsync("a", [claim], Lease));
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(await queue.ClaimNextAsync("b", Lease, maxAttempts: 5));   // renewed: still a's

        clock.Advance(TimeSpan.FromSeconds(31));                              // a stopped renewing (it died)
        var taken = await queue.ClaimNextAsync("b", Lease, maxAttempts: 5);
        Assert.NotNull(taken);
        Assert.Equal(claim.JobId, taken.JobId);
        Assert.Equal(2, taken.Attempt);

        // The old holder cannot finish or renew what it lost; the new one can.
        Assert.Equal(0, await queue.RenewAsync("a", [claim], Lease));
        Assert.False(await queue.CompleteAsync(claim, "a", "{\"from\":\"a\"}"));
        Assert.True(await queue.CompleteAsync(taken, "b", "{\"from\":\"b\"}"));
        var job = await queue.StatusAsync(claim.JobId);
        Assert.NotNull(job);
        Assert.Equal(ImportJobState.Done, job.State);
        Assert.Equal("{\"from\":\"b\"}", job.ResultJson);
        Assert.Equal("b", job.ClaimedBy);
        Assert.Null((await queue.LoadAsync(claim.JobId))!.Content);   // the bytes go once the job is done
        Assert.Null(await queue.ClaimNextAsync("c", Lease, maxAttempts: 5));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task QueuedJobs_AreClaimedOldestFirst_AndAReleasedJobAtOnce(string provider)
    {
        var queue = new ImportQueue(TestDatabases.New(provider));
        var first = await queue.EnqueueAsync(Request, [1], Sha(1), 1, "a");
        var second = await queue.EnqueueAsync(Request, [2], Sha(2), 1, "a");
        var c1 = await queue.ClaimNextAsync("b", Lease, 5);
        Assert.Equal(first, c1!.JobId);
        Assert.True(await queue.ReleaseAsync(c1, "b"));
        var again = await queue.ClaimNextAsync("c", Lease, 5);
        Assert.Equal(first, again!.JobId);
        Assert.Equal(2, again.Attempt);
        Assert.Equal(second, (await queue.ClaimNextAsync("c", Lease, 5))!.JobId);
        var depth = await queue.DepthAsync();
        Assert.Equal(0, depth.Queued);
        Assert.Equal(2, depth.Running);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AJobThatNoInstanceFinishes_IsAbandonedAfterItsLastAttempt(string provider)
    {
        var clock = new ManualClock();
        var queue = new ImportQueue(TestDatabases.New(provider), clock);
        var claim = await queue.EnqueueClaimedAsync(Request, [1], Sha(3), 1, "a", Lease);
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(0, await queue.AbandonExhaustedAsync(maxAttempts: 2));
        Assert.NotNull(await queue.ClaimNextAsync("b", Lease, maxAttempts: 2));
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Null(await queue.ClaimNextAsync("c", Lease, maxAttempts: 2));
        Assert.Equal(1, await queue.AbandonExhaustedAsync(maxAttempts: 2));
        var job = await queue.StatusAsync(claim.JobId);
        Assert.Equal(ImportJobState.Failed, job!.State);
        Assert.Equal("abandoned", job.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ManyClaimersAtOnce_TakeEveryJobExactlyOnce(string provider)
    {
        var queue = new ImportQueue(TestDatabases.New(provider));
        var ids = new List<long>();
        for (var i = 0; i < 40; i++) ids.Add(await queue.EnqueueAsync(Request, [(byte)i], Sha(100 + i), 1, "producer"));

        var claimed = new ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            while (await queue.ClaimNextAsync($"w{w}", Lease, 5) is { } c)
            {
                claimed.Add(c.JobId);
                Assert.True(await queue.CompleteAsync(c, $"w{w}", "{}"));
            }
        })));
        Assert.Equal(ids.Order(), claimed.Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FinishedJobs_ArePurgedByAge_OpenOnesNever(string provider)
    {
        var clock = new ManualClock();
        var queue = new ImportQueue(TestDatabases.New(provider), clock);
        var done = await queue.EnqueueClaimedAsync(Request, [1], Sha(7), 1, "a", Lease);
        await queue.CompleteAsync(done, "a", "{}");
        var failed = await queue.EnqueueClaimedAsync(Request, [1], Sha(8), 1, "a", Lease);
        await queue.FailAsync(failed, "a", "invalid_json", "not JSON");
        var open = await queue.EnqueueAsync(Request, [1], Sha(9), 1, "a");
        clock.Advance(TimeSpan.FromDays(10));
        Assert.Equal(2, await queue.PurgeFinishedAsync(clock.GetUtcNow().UtcDateTime.AddDays(-5), batch: 100));
        Assert.Null(await queue.StatusAsync(done.JobId));
        Assert.NotNull(await queue.StatusAsync(open));
        Assert.Equal(0, await queue.PurgeFinishedAsync(clock.GetUtcNow().UtcDateTime, batch: 100));
    }

    private static string Sha(int n) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n)));

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
