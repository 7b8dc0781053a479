using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using Triage.Data;

namespace Triage.Web.Infrastructure.ScaleOut;

/// <summary>
/// What several instances behind one load balancer share (docs/decisions/070-scale-out-and-queue.md): the Data Protection
/// key ring in the database (so a cookie or antiforgery token made by one instance is read by every other, and survives
/// restarts), and, when ConnectionStrings:Redis is set, one Redis connection for the SignalR backplane and the session bus.
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
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;   // start (and serve) while Redis is away; reconnect when it is back
            options.ClientName ??= "triage-web";
            var shared = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
            services.TryAddSingleton<IConnectionMultiplexer>(_ => shared.Value);
            // Blazor Server's hub (and any hub) through Redis: messages to groups and users reach connections on every instance.
            services.AddSignalR().AddStackExchangeRedis(o =>
            {
                o.Configuration.ChannelPrefix = RedisChannel.Literal("triage:signalr");
                o.ConnectionFactory = _ => Task.FromResult<IConnectionMultiplexer>(shared.Value);
            });
        }
        return builder;
    }
}
