using Triage.Data.Signing;
using Triage.Data.Vex;
using Triage.Web.Infrastructure;

namespace Triage.Web.Features.Signing;

/// <summary>Signing and signature checks in the app (docs/decisions/043-signing-in-the-app.md): options from
/// <c>Triage:Signing</c>, the trust policy, signed uploads, and the background work that keeps effective decisions true.</summary>
public static class SigningSetup
{
    public static IServiceCollection AddTriageSigning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ReadOptions(configuration));
        services.AddSingleton<SigningFacade>();
        services.AddScoped<TrustPolicyChanges>();
        services.AddHttpClient(nameof(SigningFacade));
        services.AddHostedService<VexMaintenance>();
        return services;
    }

    public static SigningOptions ReadOptions(IConfiguration configuration)
    {
        var s = configuration.GetSection("Triage:Signing");
        return new SigningOptions
        {
            KeyPath = Value(s["KeyPath"]),
            KeyPassword = Value(s["KeyPassword"]),
            Fulcio = Value(s["Fulcio"]),
            Rekor = Value(s["Rekor"]),
            TimestampAuthority = Value(s["TimestampAuthority"]),
            OidcToken = Value(s["OidcToken"]),
            OidcTokenFile = Value(s["OidcTokenFile"]),
            SigningConfig = Value(s["SigningConfig"]),
        };
    }

    private static string? Value(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
}

/// <summary>The services the pages and the API use, built per call from the connection (they hold no state).</summary>
public sealed class SigningFacade(TriageConnection connection, SigningOptions options, IHttpClientFactory http, TimeProvider time)
{
    public SigningOptions Options => options;
    public SigningKeyStore Keys => new(connection.ConnectionString, options, time);
    public SignaturePolicy Policy => new(connection.ConnectionString, options, time);
    public SignedUploads Uploads => new(connection.ConnectionString, options, time);

    public DocumentSigner Signer => new(connection.ConnectionString, options,
        options.Keyless || options.Rekor is not null || options.TimestampAuthority is not null ? http.CreateClient(nameof(SigningFacade)) : null, time);
}

/// <summary>At start, stores <c>Triage:Vex:RequireSignatures</c> (recomputing effective decisions when it changed); then,
/// every few minutes, resolves again the findings whose decision in force expired.</summary>
public sealed class VexMaintenance(TriageConnection connection, IConfiguration configuration, TimeProvider time, ILogger<VexMaintenance> log) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var require = configuration.GetValue<bool>("Triage:Vex:RequireSignatures");
        if (await VexPolicySettings.SetRequireSignaturesAsync(connection.ConnectionString, require, time, cancellationToken))
            log.LogInformation("Imported VEX {Rule}; effective decisions recomputed", require ? "must now be signed to apply" : "applies signed or not");
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var n = await EffectiveDecisions.RecomputeExpiredAsync(connection.ConnectionString, time, stoppingToken);
                if (n > 0) log.LogInformation("{Count} finding(s) whose decision expired resolved again", n);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Expiry sweep failed; it runs again in {Minutes} minutes", Every.TotalMinutes);
            }
        }
    }
}
