using Microsoft.AspNetCore.HttpOverrides;
using Triage.Data.Audit;

namespace Triage.Web.Infrastructure.Security;

/// <summary>Headers, limits, rate limits and the audit log (docs/security.md).</summary>
public static class SecurityServices
{
    public static WebApplicationBuilder AddTriageSecurity(this WebApplicationBuilder builder)
    {
        var security = builder.Configuration.GetSection("Triage:Security").Get<SecurityOptions>() ?? new SecurityOptions();
        var rates = builder.Configuration.GetSection("Triage:RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddSingleton(security);
        builder.Services.AddSingleton(rates);
        builder.Services.AddTriageRateLimits(rates);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<TriageConnection>().ConnectionString));
        builder.Services.AddScoped<Auditor>();
        if (security.ForwardedHeaders)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                // The operator vouches for the proxy in front (SecurityOptions.ForwardedHeaders); without known networks the
                // default would only trust loopback.
                o.KnownIPNetworks.Clear();
                o.KnownProxies.Clear();
            });
        }
        return builder;
    }

    /// <summary>Before routing: forwarded headers (so HTTPS and the address are right), security headers on every response.</summary>
    public static WebApplication UseTriageSecurityHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<SecurityOptions>().ForwardedHeaders) app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        return app;
    }

    /// <summary>After routing and authentication: body limits (they read endpoint metadata) and rate limits (per token).</summary>
    public static WebApplication UseTriageRequestLimits(this WebApplication app)
    {
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseRateLimiter();
        return app;
    }
}
