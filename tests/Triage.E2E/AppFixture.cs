using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Triage.Core.Domain;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;

// The browser flows assert live-update latencies (a colleague's decision within 2 seconds): the scale-out collection's two
// app instances and their kill -9 test must not run beside them on a two-core CI machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Triage.E2E;

/// <summary>The app on a real loopback port (Kestrel) with a fresh SQLite database, and Debian's Chromium driven by Playwright.</summary>
public sealed class AppFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@example.test";
    public const string Password = "correct-horse-42";

    private readonly string _connectionString = TestDatabases.NewSqlite();

    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;

    /// <summary>TRIAGE_TEST_RESULTS/screenshots, else test-results/screenshots under the repository root.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("TRIAGE_TEST_RESULTS") is { Length: > 0 } r ? r : Path.Combine(TestPaths.RepoRoot, "test-results"), "screenshots");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Triage", _connectionString);
        builder.UseSetting("Triage:Admin:Email", AdminEmail);
        builder.UseSetting("Triage:Admin:Password", Password);
        builder.UseSetting("Triage:Admin:Name", "Ada Admin");
        builder.ConfigureLogging(l => l.AddProvider(ServerLog));
    }

    /// <summary>The server's warnings and errors, quoted in a failing test's message (CI keeps nothing else of the server).</summary>
    public RecordingLoggerProvider ServerLog { get; } = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task<string> CreateUserAsync(string email, string name, TriageRole role)
    {
        await using var scope = Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<AccountSetup>();
        await setup.EnsureRolesAsync();
        var errors = await setup.CreateUserAsync(email, Password, name, role);
        Assert.Empty(errors);
        return email;
    }

    /// <summary>A fresh browser context (its own cookies), as a second person on another machine would have.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Waits for an action's result or its error element. An error shown, or neither within a minute, fails the
    /// test with the page's error text and the server's warnings and errors logged since <paramref name="mark"/>.</summary>
    public async Task ExpectOutcomeAsync(IPage page, string result, string error, long mark, string screenshot)
    {
        try { await page.Locator($"{result}, {error}").First.WaitForAsync(new() { Timeout = 60_000 }); }
        catch (TimeoutException e)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, screenshot + ".png"), FullPage = true });
            var circuitError = await page.Locator("#blazor-error-ui").IsVisibleAsync();
            throw new TimeoutException($"neither {result} nor {error} appeared within 60 s" +
                (circuitError ? " (the Blazor error bar is shown)" : "") + $"; server warnings and errors since the action:\n{ServerLog.Since(mark)}", e);
        }
        if (await page.Locator(error).CountAsync() > 0)
            Assert.Fail($"{error}: {await page.Locator(error).InnerTextAsync()}\nserver warnings and errors:\n{ServerLog.Since(mark)}");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await DisposeAsync();
        TestDatabases.ClearPools();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
