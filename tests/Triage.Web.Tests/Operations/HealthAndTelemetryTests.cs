using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Triage.Testing;

namespace Triage.Web.Tests.Operations;

public sealed class HealthAndTelemetryTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task LiveAndReady_AreAnonymous_NameTheirChecks_AndShowNoSecrets(string provider)
    {
        await using var app = new OperationsFactory(provider);
        var client = app.CreateClient();
        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        var ready = await WaitReadyAsync(client);
        var text = await ready.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("Healthy", doc.RootElement.GetProperty("status").GetString());
        var checks = doc.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Contains("migrations applied", checks.GetProperty("database").GetProperty("description").GetString());
        Assert.Equal("Healthy", checks.GetProperty("queue-worker").GetProperty("status").GetString());
        Assert.DoesNotContain("Host=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Data Source", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Username", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Ready_FailsWhenAMigrationIsMissing()
    {
        await using var app = new OperationsFactory("sqlite");
        var client = app.CreateClient();
        await WaitReadyAsync(client);
        await using (var db = app.Db())
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" LIKE '%_Operations'");
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("1 of", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task JsonLogs_AreSwitchedOnByConfiguration()
    {
        await using var plain = new OperationsFactory("sqlite");
        Assert.NotEqual(ConsoleFormatterNames.Json, plain.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        await using var json = new OperationsFactory("sqlite", new Dictionary<string, string?> { ["Triage:Logging:Format"] = "json" });
        Assert.Equal(ConsoleFormatterNames.Json, json.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task Telemetry_IsOffByDefault_AndExportsTracesAndMetricsOverOtlpWhenConfigured()
    {
        await using (var off = new OperationsFactory("sqlite"))
        {
            _ = off.Services;
            Assert.Null(off.Services.GetService<TracerProvider>());
        }

        // A stand-in OpenTelemetry collector on loopback: records what arrives at /v1/traces and /v1/metrics.
        var received = new ConcurrentQueue<string>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http, string signal) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            if (body.Length > 0) received.Enqueue(signal);
            return Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Urls.First();

        await using var app = new OperationsFactory("sqlite", new Dictionary<string, string?>
        {
            ["Triage:Telemetry:OtlpEndpoint"] = endpoint,
            ["Triage:Telemetry:Protocol"] = "http/protobuf",
            ["Triage:Telemetry:MetricExportIntervalMs"] = "500",
        });
        var api = await app.TriagerApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/scans", OperationsFactory.Json(SyntheticReports.Trivy(3)))).StatusCode);
        app.Services.GetRequiredService<TracerProvider>().ForceFlush(5_000);
        await ImportQueueApiTests.WaitAsync(() => Task.FromResult(received.Contains("traces") && received.Contains("metrics") ? "both" : null),
            TimeSpan.FromSeconds(20));
        await collector.StopAsync();
    }

    internal static async Task<HttpResponseMessage> WaitReadyAsync(HttpClient client)
    {
        // The worker's first round marks it alive; give it a moment after start.
        for (var i = 0; ; i++)
        {
            var ready = await client.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK || i == 50) return ready;
            await Task.Delay(200);
        }
    }
}
