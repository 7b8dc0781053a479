using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using Triage.Data;

namespace Triage.Web.Infrastructure.ScaleOut;

/// <summary>
/// What several instances behind one load balancer share (docs/decisions/070-scale-out-and-queue.md): the Data Protection
/// key ring in the database (so a cookie or antiforgery token made by one instance is read by every other, and survives
/// restarts), and, when ConnectionStrings:Redis is set, Redis for the SignalR backplane (its own connection) and for the
/// session bus and rate limits (one connection the container owns).
/// </summary>
public static class ScaleOutServices
{
    /// <summary>The Data Protection application name: instances with the same name and key ring read each other's payloads.</summary>
    public const string ApplicationName = "Triage";

    public static WebApplicationBuilder AddTriageScaleOut(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<TriageDbContext>();

        var redis = builder.Configuration.GetConnectionString("Redis");
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var options = AddRedisConnection(services, redis);
            // Blazor Server's hub (and any hub) through Redis: messages to groups and users reach connections on every instance.
            var backplane = options.Clone();
            backplane.ClientName = options.ClientName + "-signalr";
            backplane.ChannelPrefix = RedisChannel.Literal("triage:signalr");
            services.AddSignalR().AddStackExchangeRedis(o => o.Configuration = backplane);
        }
        return builder;
    }

    /// <summary>The instance's Redis connection for the session bus, rate limits and health check, registered once (both
    /// AddTriageScaleOut and AddTriageSessions ask for it). Two connections, each with one owner: the container owns this
    /// one and disposes it; the SignalR backplane opens and disposes its own. Shared, the container disposed it before
    /// the backplane's Dispose unsubscribed through it, and every shutdown threw ObjectDisposedException.</summary>
    /// <returns>The options of the connection, for the backplane's own.</returns>
    internal static ConfigurationOptions AddRedisConnection(IServiceCollection services, string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;   // start (and serve) while Redis is away; reconnect when it is back
        options.ClientName ??= "triage-web";
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return options;
    }
}
