using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Triage.Web.Features.Sessions;

public static class SessionServices
{
    /// <summary>The session bus: in-process for one instance; Redis pub/sub between instances when ConnectionStrings:Redis is set.</summary>
    public static WebApplicationBuilder AddTriageSessions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<InProcessSessionBus>();
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton<ISessionBus>(sp => sp.GetRequiredService<InProcessSessionBus>());
        }
        else
        {
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;
            options.ClientName = "triage-web";
            // One connection per instance: AddTriageScaleOut registers it first (the SignalR backplane has its own).
            services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
            services.AddSingleton<ISessionBus, RedisSessionBus>();
        }
        services.AddScoped<SessionService>();
        return builder;
    }
}
