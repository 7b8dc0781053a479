using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Triage.Core.Domain;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Security;

/// <summary>The Redis-backed limiter on its own: two instances (two connections, two local states) on one real Redis.</summary>
public sealed class RedisRateLimiterTests : IAsyncLifetime
{
    private readonly string _prefix = TestRedis.UniquePrefix();
    private ConnectionMultiplexer _a = null!;
    private ConnectionMultiplexer _b = null!;

    public async Task InitializeAsync()
    {
        _a = await ConnectionMultiplexer.ConnectAsync(TestRedis.Endpoint);
        _b = await ConnectionMultiplexer.ConnectAsync(TestRedis.Endpoint);
    }

    private RedisRateWindows Windows(IConnectionMultiplexer redis, ILogger<RedisRateWindows>? log = null, TimeSpan? timeout = null) =>
        new(() => redis, _prefix, log ?? new ListLogger<RedisRateWindows>(), timeout: timeout);

    /// <summary>For the tests of counting in Redis: a round trip slower than the product's 250 ms (a loaded CI machine) would
    /// take the local fallback, which the slow-Redis tests cover, and count locally instead.</summary>
    private RedisRateWindows Shared(IConnectionMultiplexer redis) => Windows(redis, timeout: TimeSpan.FromSeconds(10));

    [Fact]
    public async Task TwoInstances_CountOneWindow_AndTheRefusalCarriesRetryAfter()
    {
        using var a = Shared(_a).Create("signin:ip:192.0.2.1", 3);
        using var b = Shared(_b).Create("signin:ip:192.0.2.1", 3);
        await TestRedis.AwayFromWindowEdgeAsync(TimeSpan.FromSeconds(10));
        Assert.True((await a.AcquireAsync()).IsAcquired);
        Assert.True((await b.AcquireAsync()).IsAcquired);
        Assert.True((await a.AcquireAsync()).IsAcquired);
        foreach (var limiter in new[] { b, a })
        {
            var refused = await limiter.AcquireAsync();
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retry));
            Assert.InRange(retry, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        }
        // Another partition has its own window.
        using var other = Shared(_a).Create("signin:ip:192.0.2.2", 3);
        Assert.True((await other.AcquireAsync()).IsAcquired);
    }

    [Fact]
    public async Task SyncAttempt_DefersToTheAsyncPathWhileRedisIsConnected()
    {
        using var limiter = Shared(_a).Create("api:ip:192.0.2.3", 1);
        await TestRedis.AwayFromWindowEdgeAsync(TimeSpan.FromSeconds(5));
        var sync = limiter.AttemptAcquire();
        Assert.False(sync.IsAcquired);
        Assert.False(sync.TryGetMetadata(MetadataName.RetryAfter, out _));   // not a refusal: "ask asynchronously"
        Assert.True((await limiter.AcquireAsync()).IsAcquired);               // the deferral counted nothing
        Assert.False((await limiter.AcquireAsync()).IsAcquired);
    }

    [Fact]
    public async Task KeysGetAnExpiry_AndFollowThePattern()
    {
        var windows = Shared(_a);
        using var limiter = windows.Create("api:token:abc123", 5);
        await limiter.AcquireAsync();
        var keys = _a.GetServers().Single().Keys(pattern: _prefix + ":*").ToList();
        var key = Assert.Single(keys);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(_prefix)}:api:token:abc123:[0-9]+$", key.ToString());
        var ttl = await _a.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Assert.Equal(0, long.Parse(key.ToString().Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture) % 60);
    }

    [Fact]
    public async Task SlowRedis_FallsBackToTheLocalLimit_AndWarnsOnce()
    {
        var log = new ListLogger<RedisRateWindows>();
        // A zero timeout: no Redis round trip is ever that fast, so every call takes the "too slow" path.
        var windows = Windows(_a, log, TimeSpan.Zero);
        using var first = windows.Create("api:ip:192.0.2.4", 2);
        using var second = windows.Create("api:ip:192.0.2.5", 2);
        Assert.True((await first.AcquireAsync()).IsAcquired);
        Assert.True((await first.AcquireAsync()).IsAcquired);
        var refused = await first.AcquireAsync();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retry) && retry > TimeSpan.Zero);
        Assert.True((await second.AcquireAsync()).IsAcquired);
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("0 ms", warning.Message);
        // Only the first call went to Redis (it ran there, late); the pause after it kept the other three local.
        var db = _a.GetDatabase();
        var keys = new List<RedisKey>();
        for (var i = 0; i < 40 && keys.Count == 0; i++)
        {
            if (i > 0) await Task.Delay(50);
            keys = _a.GetServers().Single().Keys(pattern: _prefix + ":*").ToList();
        }
        Assert.Equal(1, (long)await db.StringGetAsync(Assert.Single(keys)));
        Assert.DoesNotContain("192.0.2", warning.Message);
        Assert.DoesNotContain(_prefix, warning.Message);
    }

    [Fact]
    public async Task UnreachableRedis_LocalLimitApplies_OnBothPaths()
    {
        var options = ConfigurationOptions.Parse(TestRedis.ClosedEndpoint());
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 300;
        await using var down = await ConnectionMultiplexer.ConnectAsync(options);
        var log = new ListLogger<RedisRateWindows>();
        using var limiter = Windows(down, log).Create("signin:ip:192.0.2.6", 2);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.True((await limiter.AcquireAsync()).IsAcquired);
        Assert.False((await limiter.AcquireAsync()).IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }
}

/// <summary>The app with ConnectionStrings:Redis: instances share windows; Redis down still limits; keys hold no secret.</summary>
public sealed class SharedRateLimitAppTests
{
    private sealed class Instance(string redis, string prefix, Dictionary<string, string?> limits) : TriageWebFactory("sqlite", seedAdmin: true,
        new Dictionary<string, string?>(limits)
        {
            ["ConnectionStrings:Redis"] = redis,
            ["Triage:RateLimits:RedisKeyPrefix"] = prefix,
        });

    private static async Task<HttpResponseMessage> WrongPasswordAsync(WebApplicationFactory<Program> app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var (_, token) = await TriageWebFactory.FormAsync(client, "/account/login");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail, ["Input.Password"] = "wrong-password-1",
        }));
    }

    private static void AssertLimited(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
    }

    [Fact]
    public async Task SignIn_TwoInstancesOnOneRedis_ShareOneWindow()
    {
        var prefix = TestRedis.UniquePrefix();
        var limits = new Dictionary<string, string?> { ["Triage:RateLimits:SignInPerMinute"] = "3" };
        using var a = new Instance(TestRedis.Endpoint, prefix, limits);
        using var b = new Instance(TestRedis.Endpoint, prefix, limits);
        _ = a.Server;
        _ = b.Server;
        await TestRedis.AwayFromWindowEdgeAsync(TimeSpan.FromSeconds(20));
        foreach (var app in new[] { a, b, a })
            Assert.Equal(HttpStatusCode.OK, (await WrongPasswordAsync(app)).StatusCode);
        AssertLimited(await WrongPasswordAsync(b));
        AssertLimited(await WrongPasswordAsync(a));
    }

    [Fact]
    public async Task RedisDown_TheLocalLimitStillApplies_AndNothingIs500()
    {
        var limits = new Dictionary<string, string?> { ["Triage:RateLimits:ApiPerMinute"] = "3" };
        using var app = new Instance(TestRedis.ClosedEndpoint() + ",connectTimeout=300", TestRedis.UniquePrefix(), limits);
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/findings")).StatusCode);
        AssertLimited(await client.GetAsync("/api/v1/findings"));
        AssertLimited(await client.GetAsync("/api/v1/findings"));
    }

    [Fact]
    public async Task Keys_Expire_AndHoldTheTokensHashNeverTheToken()
    {
        var prefix = TestRedis.UniquePrefix();
        var limits = new Dictionary<string, string?> { ["Triage:RateLimits:ApiPerMinute"] = "50", ["Triage:RateLimits:UploadsPerMinute"] = "50" };
        using var app = new Instance(TestRedis.Endpoint, prefix, limits);
        var secret = await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read | TokenScopes.Upload);
        var client = app.TokenClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/findings")).StatusCode);
        await client.PostAsync("/api/v1/scans", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestRedis.Endpoint);
        var keys = redis.GetServers().Single().Keys(pattern: prefix + ":*").Select(k => k.ToString()).ToList();
        Assert.Contains(keys, k => k.StartsWith($"{prefix}:api:token:{ApiTokens.Hash(secret)}:", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith($"{prefix}:upload:token:{ApiTokens.Hash(secret)}:", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            Assert.DoesNotContain(secret[12..], key, StringComparison.Ordinal);   // the secret part, after the public prefix
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        }
        Assert.Equal(2, keys.Count);
    }

    [Fact]
    public void WithoutRedis_TheWindowsAreInMemory_AndDecidedSynchronously()
    {
        using var limiter = RateLimits.GlobalLimiter(new RateLimitOptions { ApiPerMinute = 2 }, shared: null);
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Path = "/api/v1/findings";
        Assert.True(limiter.AttemptAcquire(http).IsAcquired);
        Assert.True(limiter.AttemptAcquire(http).IsAcquired);
        var refused = limiter.AttemptAcquire(http);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out _));
    }
}

internal sealed class ListLogger<T> : ILogger<T>
{
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}
