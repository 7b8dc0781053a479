using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>Triage:Telemetry in configuration: OpenTelemetry is on only when <see cref="OtlpEndpoint"/> is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Triage:Telemetry";

    /// <summary>Where an OpenTelemetry collector listens, e.g. http://otel-collector:4317 (gRPC) or :4318 (HTTP).</summary>
    public string? OtlpEndpoint { get; set; }
    /// <summary>"grpc" (default) or "http/protobuf".</summary>
    public string Protocol { get; set; } = "grpc";
    public string ServiceName { get; set; } = "triage-web";
    /// <summary>How often metrics are exported.</summary>
    public int MetricExportIntervalMs { get; set; } = 15_000;

    public OtlpExportProtocol ExportProtocol => Protocol.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http" or "http/protobuf" or "httpprotobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"Triage:Telemetry:Protocol must be grpc or http/protobuf, not '{Protocol}'"),
    };
}

/// <summary>Logs, traces, metrics, health and retention (docs/operations.md).</summary>
public static class OperationsServices
{
    public static WebApplicationBuilder AddTriageOperations(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;

        // Structured logs: one JSON object per line on stdout, for log shippers (Triage:Logging:Format = json).
        // The framework's own Logging:Console:FormatterName=json works too; this is the short form.
        if (string.Equals(config["Triage:Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        services.AddMetrics();
        services.AddSingleton<TriageTelemetry>();
        var telemetry = config.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            var endpoint = new Uri(telemetry.OtlpEndpoint);
            var protocol = telemetry.ExportProtocol;
            services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(telemetry.ServiceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
                .WithTracing(t => t
                    .AddSource(TriageTelemetry.Name, "Npgsql")
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health")
                                                                       && !http.Request.Path.StartsWithSegments("/_framework"))
                    .AddHttpClientInstrumentation())
                .WithMetrics(m => m
                    .AddMeter(TriageTelemetry.Name, "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation())
                // One exporter for every signal; for http/protobuf the /v1/traces and /v1/metrics paths are appended.
                .UseOtlpExporter(protocol, endpoint);
            services.Configure<MetricReaderOptions>(o => o.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = telemetry.MetricExportIntervalMs);
        }

        services.AddTriageHealthChecks(redis: !string.IsNullOrWhiteSpace(config.GetConnectionString("Redis")));

        var retention = config.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        services.AddSingleton(retention);
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return builder;
    }

    /// <summary>503 problem+json for API requests the database cannot serve (read-only, full, down).</summary>
    public static IApplicationBuilder UseStorageFaultProblems(this IApplicationBuilder app) => app.UseMiddleware<StorageFaultProblems>();
}
