using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Security;

/// <summary>An unhandled exception shows a readable message, never a stack trace, even in the Development environment
/// that `dotnet run` uses (the factory runs the app in Development).</summary>
public sealed class ErrorPageTests : IDisposable
{
    private const string Secretive = "boom: connection string Password=hunter2";
    private readonly ThrowingFactory _app = new();

    [Theory]
    [InlineData("/boom-for-test")]
    [InlineData("/api/v1/boom-for-test")]
    public async Task UnhandledException_ShowsNoTraceAndNoMessage(string path)
    {
        // Signed in, so the request gets past sign-in to the throwing end (no endpoint matches, so no token policy applies).
        var response = await (await _app.SignedInClientAsync(TriageWebFactory.AdminEmail)).GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ThrowingEnd", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body.Replace("at the", "", StringComparison.Ordinal), StringComparison.Ordinal);
        if (path.StartsWith("/api/", StringComparison.Ordinal))
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        else
            Assert.Contains("Something went wrong", body, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();

    /// <summary>The real app with a middleware at the end of its pipeline (reached by a path no endpoint matches) that throws.</summary>
    private sealed class ThrowingFactory : TriageWebFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, ThrowingEnd>());
        }
    }

    private sealed class ThrowingEnd : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(ctx => ctx.Request.Path.Value?.EndsWith("/boom-for-test", StringComparison.Ordinal) == true
                ? throw new InvalidOperationException(Secretive)
                : Task.CompletedTask);
        };
    }
}
