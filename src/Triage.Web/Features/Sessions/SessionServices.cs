using Triage.Web.Infrastructure.ScaleOut;

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
            // One connection per instance, registered once (AddTriageScaleOut asks first; the SignalR backplane has its own).
            ScaleOutServices.AddRedisConnection(services, redis);
            services.AddSingleton<ISessionBus, RedisSessionBus>();
        }
        services.AddScoped<SessionService>();
        return builder;
    }
}
