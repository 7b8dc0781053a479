using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Infrastructure.Security;

/// <summary>
/// One global limiter, so an endpoint added later is limited without naming a policy: /api/* per API token (or per
/// address without one), uploads per token on top, sign-in form posts per address. Beyond a window: 429 problem+json
/// with Retry-After. Pages and the circuit are not limited (they are behind sign-in and hold one connection).
/// With Redis (ConnectionStrings:Redis) the windows are counted there and shared by every instance, falling back to this
/// instance's memory while Redis does not answer (<see cref="RedisRateWindows"/>); without it they are in memory.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddTriageRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        // Redis is "configured" when the scale-out services registered its connection (AddTriageScaleOut, before this).
        services.AddSingleton(sp => new RedisRateWindows(sp.GetRequiredService<IConnectionMultiplexer>, options.RedisKeyPrefix,
            sp.GetRequiredService<ILogger<RedisRateWindows>>()));
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            var shared = sp.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer)) == true
                ? sp.GetRequiredService<RedisRateWindows>()
                : null;
            o.GlobalLimiter = GlobalLimiter(options, shared);
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                var seconds = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 60;
                ctx.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiProblems.WriteAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
                    $"slow down: try again in {seconds} s");
            };
        });
        return services;
    }

    /// <summary>The chained limiter: in memory when <paramref name="shared"/> is null, else windows in Redis.</summary>
    public static PartitionedRateLimiter<HttpContext> GlobalLimiter(RateLimitOptions options, RedisRateWindows? shared) =>
        PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, "api", options.Enabled && IsApi(http), options.ApiPerMinute, shared)),
            PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, "upload", options.Enabled && IsApi(http) && IsWrite(http), options.UploadsPerMinute, shared)),
            PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, "signin", options.Enabled && IsSignIn(http), options.SignInPerMinute, shared)));

    private static RateLimitPartition<string> Partition(HttpContext http, string kind, bool applies, int perMinute, RedisRateWindows? shared)
    {
        if (!applies || perMinute <= 0) return RateLimitPartition.GetNoLimiter("none");
        var key = $"{kind}:{Caller(http)}";
        return shared is null
            ? RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
            })
            : RateLimitPartition.Get(key, k => shared.Create(k, perMinute));
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    private static bool IsWrite(HttpContext http) => !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);

    private static bool IsSignIn(HttpContext http) => HttpMethods.IsPost(http.Request.Method)
        && (http.Request.Path.StartsWithSegments("/account/login") || http.Request.Path.StartsWithSegments("/account/setup"));

    /// <summary>The API token (by its hash: the secret itself is never kept), else the remote address.</summary>
    private static string Caller(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && ApiTokens.LooksLikeToken(header[7..].Trim()))
            return "token:" + ApiTokens.Hash(header[7..].Trim());
        return "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
