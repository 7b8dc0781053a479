using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Data.Audit;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Security;

/// <summary>Headers on pages, the API and errors; HSTS only over HTTPS.</summary>
public sealed class SecurityHeadersTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    [Theory]
    [InlineData("/account/login")]
    [InlineData("/findings")]
    [InlineData("/api/v1/findings")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        var response = await app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(path);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain HTTP");
    }

    [Fact]
    public async Task Connections_AreAllowedToThisHostOnly()
    {
        var response = await app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/account/login");
        var connect = response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries)
            .Single(d => d.StartsWith("connect-src ", StringComparison.Ordinal));
        Assert.Equal("connect-src 'self' ws://localhost wss://localhost", connect);
    }

    [Theory]
    [InlineData("triage.example:5080", "ws://triage.example:5080 wss://triage.example:5080")]
    [InlineData("[::1]:5080", "ws://[::1]:5080 wss://[::1]:5080")]
    [InlineData("evil.example; script-src *", "")]
    [InlineData("evil.example wss://other", "")]
    [InlineData("", "")]
    public void WebSocketSources_AreThisHost_AndNeverAnInjectedDirective(string host, string expected) =>
        Assert.Equal(expected, Triage.Web.Infrastructure.Security.SecurityHeadersMiddleware.Sockets(new Microsoft.AspNetCore.Http.HostString(host)));

    [Fact]
    public async Task Https_GetsHsts()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var response = await client.GetAsync("/account/login");
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task OversizedFormPost_Is413_BeforeAnyoneReadsIt()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.PostAsync("/account/login", new ByteArrayContent(new byte[2 << 20]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}

/// <summary>Per-token API rate limits: 429 with Retry-After past the window, other tokens unaffected.</summary>
public sealed class RateLimitFactory() : TriageWebFactory("sqlite", seedAdmin: true, new Dictionary<string, string?>
{
    ["Triage:RateLimits:ApiPerMinute"] = "5",
    ["Triage:RateLimits:UploadsPerMinute"] = "2",
});

public sealed class RateLimitTests(RateLimitFactory app) : IClassFixture<RateLimitFactory>
{
    [Fact]
    public async Task ApiBeyondTheLimit_429WithRetryAfter_PerToken()
    {
        var first = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        var second = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/v1/findings")).StatusCode);
        var limited = await first.GetAsync("/api/v1/findings");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/v1/findings")).StatusCode);
    }

    [Fact]
    public async Task Uploads_HaveTheirOwnLowerLimit()
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Upload));
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync("/api/v1/scans", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        var limited = await client.PostAsync("/api/v1/scans", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
    }
}

/// <summary>Secrets never reach the logs: every message (and its structured values) during token creation and use, at
/// Trace level, is captured and searched for the token.</summary>
public sealed class SecretLoggingTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TriageWebFactory _base = new();
    private readonly WebApplicationFactory<Program> _app;

    public SecretLoggingTests()
    {
        _app = _base.WithWebHostBuilder(b => b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)));
    }

    [Fact]
    public async Task TokenCreationAndUse_NeverLogTheSecret()
    {
        // The token made through the app that logs: created, used (good, bad scope, revoked), revoked.
        string secret;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<Triage.Web.Features.Admin.TokenService>();
            var created = await tokens.CreateAsync(await _base.AccessForAsync(TriageWebFactory.AdminEmail), "ci", TokenScopes.Read | TokenScopes.Upload, null);
            secret = created.Secret;
            var client = _app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
            await client.GetAsync("/api/v1/findings");
            await client.PostAsync("/api/v1/scans", new StringContent("{\"not\":\"a report\"}", System.Text.Encoding.UTF8, "application/json"));
            await client.GetAsync("/api/v1/exposure/CVE-2024-0001");
            await tokens.RevokeAsync(await _base.AccessForAsync(TriageWebFactory.AdminEmail), created.Id);
            await client.GetAsync("/api/v1/findings");
        }
        Assert.NotEmpty(_logs.Messages);
        var secretPart = secret[12..]; // after the public prefix
        Assert.DoesNotContain(_logs.Messages, m => m.Contains(secretPart, StringComparison.Ordinal));

        // The audit log holds the public prefix, never the secret.
        var events = await _app.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery { Action = "token." });
        Assert.Contains(events, e => e.Action == AuditActions.TokenCreated && e.Target == secret[..12] + "…");
        Assert.Contains(events, e => e.Action == AuditActions.TokenRevoked);
        Assert.DoesNotContain(events, e => (e.Target + e.Details).Contains(secretPart, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _app.Dispose();
        _base.Dispose();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                owner.Messages.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Messages.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
