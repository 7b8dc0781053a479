using Triage.Core.Metrics;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure;

namespace Triage.Web.Features.Metrics;

/// <summary>Triage:Metrics in configuration.</summary>
public sealed class MetricsSettings
{
    /// <summary>Days to remediate per severity (Critical, High, Medium, Low, Unknown); a severity without days has no SLA.</summary>
    public SlaPolicy SlaDays { get; set; } = SlaPolicy.Default;
    /// <summary>Whether this instance computes snapshots in the background (several instances may; runs never overwrite a newer one).</summary>
    public bool SnapshotInBackground { get; set; } = true;
    /// <summary>Minutes between background runs; each run recomputes the week in progress.</summary>
    public int SnapshotIntervalMinutes { get; set; } = 60;
    /// <summary>Seconds after start before the first run, so a restart does not compete with the first requests.</summary>
    public int FirstSnapshotDelaySeconds { get; set; } = 60;
}

public static class MetricsServices
{
    /// <summary>Weekly metrics: the snapshotter (and its background service), the reader the pages and the API use.</summary>
    public static WebApplicationBuilder AddTriageMetrics(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Triage:Metrics").Get<MetricsSettings>() ?? new MetricsSettings();
        settings.SlaDays.Validate();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new MetricsSnapshotter(sp.GetRequiredService<TriageConnection>().ConnectionString, settings.SlaDays,
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddScoped<MetricsReader>();
        if (settings.SnapshotInBackground) builder.Services.AddHostedService<MetricsSnapshotService>();
        return builder;
    }
}

/// <summary>Keeps the weekly snapshots current: a run shortly after start, then every interval. A failed run is logged and
/// retried at the next interval; it never stops the app.</summary>
public sealed class MetricsSnapshotService(MetricsSnapshotter snapshotter, MetricsSettings settings, ILogger<MetricsSnapshotService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, settings.FirstSnapshotDelaySeconds)), stoppingToken);
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, settings.SnapshotIntervalMinutes)));
            do
            {
                try
                {
                    var run = await snapshotter.RunAsync(ct: stoppingToken);
                    if (run.Skipped is not null) log.LogInformation("Weekly snapshots: nothing stored ({Reason})", run.Skipped);
                    else log.LogInformation("Weekly snapshots: {Rows} rows for {From}..{To} in {Seconds:0.0} s", run.Rows, run.From, run.To, run.Elapsed.TotalSeconds);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Weekly snapshots failed; retrying at the next interval");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
