using Microsoft.Extensions.DependencyInjection.Extensions;
using Triage.Web.Features.Admin;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Features.Import;
using Triage.Web.Features.Vex;

namespace Triage.Web.Infrastructure;

public static class FeatureServices
{
    /// <summary>The services pages use beyond the DbContext factory.</summary>
    public static IServiceCollection AddTriageFeatures(this IServiceCollection services)
    {
        services.AddSingleton<IDecisionStore, VexDecisionStore>();
        // Suggestions from the stored runtime verdicts (a test may register its own first).
        services.TryAddSingleton<IJustificationSuggestions, VerdictSuggestions>();
        services.AddScoped<TokenService>();
        services.AddScoped<AdminService>();
        services.AddScoped<BrowserImport>();
        services.AddScoped<VexTransfers>();
        services.AddOptions<FindingsQueryOptions>().BindConfiguration(FindingsQueryOptions.Section);
        services.AddSingleton<FindingsQueryGate>();
        services.AddMemoryCache();
        return services;
    }
}
