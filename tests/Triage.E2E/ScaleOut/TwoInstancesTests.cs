using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Triage.Core.Domain;
using Triage.Data;
using Triage.E2E.Pages;
using Triage.Testing;

namespace Triage.E2E.ScaleOut;

/// <summary>Two instances on one PostgreSQL database and one Redis, as behind a load balancer: a report posted to one is
/// seen on the other, a person signed in on one is signed in on the other (shared Data Protection keys), and a decision
/// made in a live session on one appears live in a browser connected to the other.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private readonly string _db = TestDatabases.NewPostgres();
    private InstanceFactory _a = default!;
    private InstanceFactory _b = default!;
    private IPlaywright _playwright = default!;
    private IBrowser _browser = default!;

    public async Task InitializeAsync()
    {
        // One after the other, as a rollout would: the first migrates and seeds the admin, the second finds them.
        _a = new InstanceFactory(_db, ScaleOut.Redis).Start();
        _b = new InstanceFactory(_db, ScaleOut.Redis).Start();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    [Fact]
    public async Task AReportPostedToOneInstance_IsSeenOnTheOther()
    {
        var token = await ScaleOut.CreateTokenAsync(_db, ScaleOut.AdminEmail);
        var report = SyntheticReports.Trivy(500, findings: 25, image: "registry.example/scale/posted-to-a:1.0");
        var created = await ScaleOut.Api(_a.BaseUrl, token).PostAsync("/api/v1/scans", ScaleOut.Json(report));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var onB = await ScaleOut.Api(_b.BaseUrl, token).GetStringAsync("/api/v1/findings?image=registry.example/scale/posted-to-a");
        using (var doc = JsonDocument.Parse(onB)) Assert.Equal(25, doc.RootElement.GetProperty("total").GetInt32());
        // The same bytes sent to the other instance are a duplicate there.
        var again = await ScaleOut.Api(_b.BaseUrl, token).PostAsync("/api/v1/scans", ScaleOut.Json(report));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using var db = TriageDatabase.CreateContext(_db);
        Assert.Equal(1, await db.RawReports.CountAsync());
    }

    [Fact]
    public async Task ADecisionInALiveSessionOnOneInstance_AppearsLiveInABrowserOnTheOther()
    {
        var token = await ScaleOut.CreateTokenAsync(_db, ScaleOut.AdminEmail);
        Assert.Equal(HttpStatusCode.Created, (await ScaleOut.Api(_b.BaseUrl, token)
            .PostAsync("/api/v1/scans", ScaleOut.Json(SyntheticReports.Trivy(501, findings: 10, image: "registry.example/scale/session:1.0")))).StatusCode);
        await _a.CreateUserAsync("tina@example.test", "Tina Triager", TriageRole.Triager);
        await _b.CreateUserAsync("tom@example.test", "Tom Triager", TriageRole.Triager);

        // Tina on instance A starts the session; Tom's browser talks only to instance B.
        var tinaPage = await NewPageAsync(_a.BaseUrl);
        await new LoginPage(tinaPage).SignInAsync("tina@example.test", ScaleOut.Password);
        var tina = new SessionPage(tinaPage);
        await tina.StartAsync("Across instances");
        var path = new Uri(tinaPage.Url).AbsolutePath;

        var tomPage = await NewPageAsync(_b.BaseUrl);
        await new LoginPage(tomPage).SignInAsync("tom@example.test", ScaleOut.Password);
        var tom = new SessionPage(tomPage);
        await tom.JoinAsync(_b.BaseUrl + path);
        Assert.StartsWith(_b.BaseUrl, tomPage.Url);

        // Presence crosses instances too (Redis session bus).
        await Assertions.Expect(tina.Presence).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        await Assertions.Expect(tom.Presence).ToHaveCountAsync(2, new() { Timeout = 10_000 });

        Assert.Equal(await tina.CurrentFinding.GetAttributeAsync("data-finding"), await tom.CurrentFinding.GetAttributeAsync("data-finding"));

        var clock = Stopwatch.StartNew();
        await tina.DecideAffectedAsync("Upgrade in the next base image bump");
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Affected", new() { Timeout = 10_000 });
        await Assertions.Expect(tom.Decision).ToContainTextAsync("Affected", new() { Timeout = 5_000 });
        await Assertions.Expect(tom.Decision).ToContainTextAsync("Tina Triager", new() { Timeout = 5_000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"seen on the other instance after {clock.Elapsed}");
        await tom.ShotAsync("30-scale-out-decision-seen-on-instance-b");

        // And back: Tom decides on B, Tina sees it on A.
        await tom.Page.Locator("#choose-fixed").ClickAsync();
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Fixed", new() { Timeout = 5_000 });
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Tom Triager", new() { Timeout = 5_000 });
        await tina.ShotAsync("31-scale-out-decision-seen-on-instance-a");
    }

    [Fact]
    public async Task SignedInOnOneInstance_IsSignedInOnTheOther()
    {
        // Cookies are per host, not per port: one browser context reaches both instances with the same cookie.
        var page = await NewPageAsync(_a.BaseUrl);
        await new LoginPage(page).SignInAsync(ScaleOut.AdminEmail, ScaleOut.Password);
        await page.GotoAsync(_b.BaseUrl + "/findings");
        await new FindingsPage(page).WaitInteractiveAsync();
        Assert.StartsWith(_b.BaseUrl + "/findings", page.Url);
        Assert.DoesNotContain("/account/login", page.Url);
    }

    private async Task<IPage> NewPageAsync(string baseUrl)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await StopAsync(_b);
        await StopAsync(_a);
        TestDatabases.ClearPools();
    }

    /// <summary>Stops an instance. A circuit that closes while its host shuts down may ask SignalR's Redis backplane to
    /// unsubscribe after the host disposed the Redis connection ("triage-web"): there is nothing left to clean up then.</summary>
    private static async Task StopAsync(IAsyncDisposable instance)
    {
        try
        {
            await instance.DisposeAsync();
        }
        catch (ObjectDisposedException e) when (e.ObjectName == "triage-web")
        {
        }
    }
}
