using System.Diagnostics;
using Microsoft.Playwright;
using Triage.Core.Domain;
using Triage.E2E.Pages;
using Triage.Testing;

namespace Triage.E2E;

/// <summary>What a new user does, in a real browser: sign in, upload a Trivy report, see, filter and open its findings,
/// then triage live with colleagues in other browsers.</summary>
[Collection(AppCollection.Name)]
public sealed class TriageFlowTests(AppFixture app)
{
    [FixtureFact]
    public async Task SignIn_Upload_SeeFilterOpen_ThenTriageLiveInTwoBrowsers()
    {
        // --- sign in and upload a real Trivy report through the Import page ---
        var admin = await app.NewPageAsync();
        var login = new LoginPage(admin);
        await admin.GotoAsync("/findings");
        Assert.Contains("/account/login", admin.Url);
        await login.ShotAsync("01-sign-in");
        await login.SignInAsync(AppFixture.AdminEmail, AppFixture.Password);
        await login.ShotAsync("02-dashboard-empty");

        var import = new ImportPage(admin);
        await import.OpenAsync();
        // No other test of the collection (one app, one database) imports this report, so it is new here.
        var item = await import.UploadAsync(TestPaths.Fixture("matched", "alpine-3.19", "trivy.json"));
        Assert.Equal("done", await item.GetAttributeAsync("data-state"));
        Assert.Contains("findings", await item.Locator(".import-summary").InnerTextAsync());
        await import.ShotAsync("03-import");

        // --- its findings, a filter, one finding ---
        var findings = new FindingsPage(admin);
        await findings.ClickToAsync(item.Locator(".import-findings-link"), u => u.Contains("/findings?image=", StringComparison.Ordinal), "import-to-findings");
        await findings.WaitInteractiveAsync();
        var all = await findings.VulnerabilitiesAsync();
        Assert.NotEmpty(all);
        await findings.ShotAsync("04-findings");

        var target = all[^1];
        await findings.FilterByVulnerabilityAsync(target);
        await Assertions.Expect(findings.Links.First).ToHaveTextAsync(target);
        Assert.All(await findings.Links.AllInnerTextsAsync(), v => Assert.Equal(target, v));
        await findings.ShotAsync("05-findings-filtered");

        await findings.ClickToAsync(findings.Links.First, u => System.Text.RegularExpressions.Regex.IsMatch(u, "/findings/\\d+$"), "findings-to-finding");
        await Assertions.Expect(admin.Locator("#finding-title")).ToHaveTextAsync(target);
        await Assertions.Expect(admin.Locator("#evidence-table")).ToBeVisibleAsync();
        await findings.ShotAsync("06-finding");

        await findings.GotoAsync("/findings?group=vulnerability");
        await admin.Locator("#finding-groups-grid tbody tr").First.WaitForAsync();
        await findings.ShotAsync("07-findings-grouped");

        await findings.GotoAsync("/");
        await admin.Locator("#severity-breakdown").WaitForAsync();
        await findings.ShotAsync("08-dashboard");
        await findings.GotoAsync("/images");
        await admin.Locator("#images-grid tbody tr").First.WaitForAsync();
        await findings.ShotAsync("09-images");
        await admin.Locator("#images-grid tbody tr a.mono").First.ClickAsync();
        await admin.Locator("#image-title").WaitForAsync();
        await findings.ShotAsync("10-image");

        // --- a live session: the triager starts it, a colleague and a viewer join from their own browsers ---
        await app.CreateUserAsync("tina@example.test", "Tina Triager", TriageRole.Triager);
        await app.CreateUserAsync("tom@example.test", "Tom Triager", TriageRole.Triager);
        await app.CreateUserAsync("vera@example.test", "Vera Viewer", TriageRole.Viewer);

        var tinaPage = await app.NewPageAsync();
        await new LoginPage(tinaPage).SignInAsync("tina@example.test", AppFixture.Password);
        var tina = new SessionPage(tinaPage);
        await tina.StartAsync("Alpine weekly");
        var url = tinaPage.Url;

        var tomPage = await app.NewPageAsync();
        await new LoginPage(tomPage).SignInAsync("tom@example.test", AppFixture.Password);
        var tom = new SessionPage(tomPage);
        await tom.JoinAsync(url);

        await Assertions.Expect(tina.Presence).ToHaveCountAsync(2);
        await Assertions.Expect(tom.Presence).ToHaveCountAsync(2);
        Assert.Equal(await tina.CurrentFinding.GetAttributeAsync("data-finding"), await tom.CurrentFinding.GetAttributeAsync("data-finding"));

        // Tina decides with a shortcut (and the action statement VEX asks for); Tom sees it within 2 seconds, and the other way round.
        await tina.DecideAffectedAsync("Upgrade busybox in the next base image bump");
        var clock = Stopwatch.StartNew();
        await Assertions.Expect(tom.Decision).ToContainTextAsync("Affected", new() { Timeout = 2_000 });
        await Assertions.Expect(tom.Decision).ToContainTextAsync("Tina Triager", new() { Timeout = 2_000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"seen after {clock.Elapsed}");

        await tom.Page.Locator("#choose-fixed").ClickAsync();
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Fixed", new() { Timeout = 2_000 });
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Tom Triager", new() { Timeout = 2_000 });
        await tina.ShotAsync("11-session-facilitator");
        await tom.ShotAsync("12-session-colleague");

        // The facilitator moves the queue; everyone follows. Tom is not the facilitator: his j does not move it.
        var first = await tom.CurrentFinding.GetAttributeAsync("data-finding");
        await tina.PressAsync("j");
        await Assertions.Expect(tom.CurrentFinding).Not.ToHaveAttributeAsync("data-finding", first!, new() { Timeout = 2_000 });
        var second = await tom.CurrentFinding.GetAttributeAsync("data-finding");
        await tom.PressAsync("j");
        await Assertions.Expect(tom.Page.Locator("#session-action-error")).ToContainTextAsync("Only the facilitator");
        Assert.Equal(second, await tina.CurrentFinding.GetAttributeAsync("data-finding"));

        // A viewer cannot decide: her shortcut becomes a proposal the triagers see, and no decision is recorded.
        var veraPage = await app.NewPageAsync();
        await new LoginPage(veraPage).SignInAsync("vera@example.test", AppFixture.Password);
        var vera = new SessionPage(veraPage);
        await vera.JoinAsync(url);
        await Assertions.Expect(vera.Page.Locator("#decision-buttons")).ToBeVisibleAsync();
        await Assertions.Expect(vera.Page.Locator("#current-finding")).ToContainTextAsync("viewers propose, triagers decide");
        await vera.PressAsync("u");
        await Assertions.Expect(tina.Page.Locator(".proposal")).ToContainTextAsync("Vera Viewer", new() { Timeout = 2_000 });
        await Assertions.Expect(tina.Decision).ToContainTextAsync("Not decided yet");
        await Assertions.Expect(vera.Decision).ToContainTextAsync("Not decided yet");
        await vera.ShotAsync("13-session-viewer");

        // The help, then closing: everyone gets the summary, exportable.
        await tina.PressAsync("?");
        await Assertions.Expect(tina.Page.Locator("#shortcut-help")).ToBeVisibleAsync();
        await tina.ShotAsync("14-session-help");
        await tina.Page.Locator("#help-close").ClickAsync();
        await tina.Page.Locator("#session-close").ClickAsync();
        await tina.Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Close session" }).ClickAsync();
        await Assertions.Expect(tom.Page.Locator("#session-summary")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(tom.Page.Locator("#summary-decided")).ToContainTextAsync("Tom Triager");
        await Assertions.Expect(tom.Page.Locator("#summary-deferred")).ToBeVisibleAsync();
        await tom.ShotAsync("15-session-summary");
        var md = await tina.Page.APIRequest.GetAsync(url + "/summary.md");
        Assert.True(md.Ok);
        Assert.Contains("## Deferred", await md.TextAsync());
    }

    [FixtureFact]
    public async Task Viewer_CannotDecide_OnTheFindingPage_NorImport()
    {
        await app.CreateUserAsync("victor@example.test", "Victor Viewer", TriageRole.Viewer);
        var page = await app.NewPageAsync();
        await new LoginPage(page).SignInAsync("victor@example.test", AppFixture.Password);
        var findings = new FindingsPage(page);
        await findings.OpenAsync("status=all");
        if (await page.Locator("#findings-grid a.finding-link").CountAsync() == 0)
        {
            // Run alone: give the viewer something to look at.
            await using var file = File.OpenRead(TestPaths.Fixture("matched", "alpine-3.19", "grype.json"));
            var importer = (Triage.Data.Import.ReportImporter)app.Services.GetService(typeof(Triage.Data.Import.ReportImporter))!;
            await importer.ImportAsync(file, "grype.json", new Triage.Data.Import.ImportOptions());
            await findings.OpenAsync("status=all");
        }
        await findings.Links.First.ClickAsync();
        await Assertions.Expect(page.Locator("#cannot-decide")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#decision-submit").CountAsync());
        await findings.ShotAsync("16-finding-as-viewer");

        await Assertions.Expect(page.Locator("#nav-findings")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#nav-import").CountAsync());
        await page.GotoAsync("/import");
        Assert.Contains("/account/access-denied", page.Url);
    }

    [FixtureFact]
    public async Task Admin_PagesRender_AndATokenIsShownOnce()
    {
        var page = await app.NewPageAsync();
        var login = new LoginPage(page);
        await login.SignInAsync(AppFixture.AdminEmail, AppFixture.Password);
        await login.GotoAsync("/tokens");
        await page.Locator("#token-name").FillAsync("ci pipeline");
        await page.Locator("#token-create").ClickAsync();
        var secret = await page.Locator("#token-created pre").First.InnerTextAsync();
        Assert.StartsWith("trg_", secret);
        await login.ShotAsync("17-tokens");
        var api = await page.APIRequest.GetAsync(app.BaseUrl + "/api/v1/findings", new() { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret } });
        Assert.Equal(200, api.Status);
        await login.GotoAsync("/tokens");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        await login.GotoAsync("/admin");
        await page.Locator("#users-grid").WaitForAsync();
        await login.ShotAsync("18-admin");
        await login.GotoAsync("/sessions");
        await login.ShotAsync("19-sessions");
        // Dark theme, remembered by the browser.
        await page.Locator("#theme-toggle").ClickAsync();
        await login.GotoAsync("/findings");
        await page.Locator("#findings-filters").WaitForAsync();
        await page.WaitForTimeoutAsync(300);
        await login.ShotAsync("20-findings-dark");
        await page.Locator("#theme-toggle").ClickAsync();
        // Narrow screen.
        await page.SetViewportSizeAsync(390, 844);
        await login.GotoAsync("/");
        await login.ShotAsync("21-dashboard-phone");
        // Nothing on the phone's dashboard scrolls sideways: neither the page nor a table in it.
        var overflowing = await page.EvaluateAsync<string[]>(
            "() => [document.documentElement, ...document.querySelectorAll('.mud-table-container')]" +
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => (e.querySelector('table')?.id || e.tagName) + ' ' + e.scrollWidth + '>' + e.clientWidth)");
        Assert.Empty(overflowing);
    }
}
