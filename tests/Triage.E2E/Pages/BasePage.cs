using Microsoft.Playwright;

namespace Triage.E2E.Pages;

/// <summary>What every page object needs: go somewhere and wait until the Blazor circuit is live (a click before that is lost).</summary>
public abstract class BasePage(IPage page)
{
    public IPage Page { get; } = page;

    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(path);
        await WaitInteractiveAsync();
    }

    public Task WaitInteractiveAsync() =>
        Page.Locator("#interactive-ready[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Clicks a link and waits until the address is the one it leads to. On a loaded machine a click can land
    /// while Blazor re-renders the element and be lost: if the address has not changed and the link is still there, it is
    /// clicked once more. A timeout names the address the page is at and leaves a screenshot.</summary>
    public async Task ClickToAsync(ILocator link, Func<string, bool> arrived, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            await link.ClickAsync();
            try
            {
                await WaitForAddressAsync(arrived, 10_000);
                return;
            }
            catch (TimeoutException e)
            {
                if (attempt == 1 && await link.IsVisibleAsync()) continue;
                await ShotAsync("failed-" + what);
                throw new TimeoutException($"{what}: the page stayed at {Page.Url}", e);
            }
        }
    }

    /// <summary>Waits until the page's address satisfies <paramref name="arrived"/>, by looking at it every 50 ms. Playwright's
    /// WaitForURLAsync can miss a same-document navigation (Blazor's pushState) that lands between its first look at the
    /// address and its subscription to navigation events, and then waits out its timeout at the right address.</summary>
    public async Task WaitForAddressAsync(Func<string, bool> arrived, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!arrived(Page.Url))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timeout {timeoutMs}ms exceeded waiting for the address (at {Page.Url}).");
            await Task.Delay(50);
        }
    }

    /// <summary>A full-page screenshot in the screenshots folder, to be looked at.</summary>
    public Task ShotAsync(string name) => Page.ScreenshotAsync(new() { Path = Path.Combine(AppFixture.ScreenshotDir, name + ".png"), FullPage = true });
}

public sealed class LoginPage(IPage page) : BasePage(page)
{
    public async Task SignInAsync(string email, string password, string returnUrl = "/")
    {
        await Page.GotoAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await Page.Locator("#email").FillAsync(email);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("#sign-in").ClickAsync();
        await WaitInteractiveAsync();
    }
}

public sealed class ImportPage(IPage page) : BasePage(page)
{
    public Task OpenAsync() => GotoAsync("/import");

    /// <summary>Uploads through the page's file input (what a drop or the file picker feeds) and waits for the file's result.</summary>
    public async Task<ILocator> UploadAsync(string file)
    {
        await Page.Locator("input[type=file]").First.SetInputFilesAsync(file);
        var item = Page.Locator(".import-item:not([data-state=running]):not([data-state=waiting])").Filter(new() { HasText = Path.GetFileName(file) }).First;
        await item.WaitForAsync(new() { Timeout = 60_000 });
        return item;
    }
}

public sealed class FindingsPage(IPage page) : BasePage(page)
{
    public ILocator Links => Page.Locator("#findings-grid a.finding-link");

    public Task OpenAsync(string query = "") => GotoAsync("/findings" + (query.Length > 0 ? "?" + query : ""));

    public async Task<IReadOnlyList<string>> VulnerabilitiesAsync()
    {
        await Links.First.WaitForAsync();
        return await Links.AllInnerTextsAsync();
    }

    public async Task FilterByVulnerabilityAsync(string id)
    {
        var input = Page.Locator("#filter-vuln");
        await input.FillAsync(id);
        await input.PressAsync("Enter");
        var expected = "vuln=" + Uri.EscapeDataString(id);
        try
        {
            await WaitForAddressAsync(u => u.Contains(expected, StringComparison.Ordinal));
        }
        catch (TimeoutException e)
        {
            await ShotAsync("failed-filter");
            throw new TimeoutException($"filter by {id}: the page stayed at {Page.Url}, the field holds '{await input.InputValueAsync()}'", e);
        }
    }
}

public sealed class SessionPage(IPage page) : BasePage(page)
{
    public ILocator Decision => Page.Locator("#current-decision-state");
    public ILocator CurrentFinding => Page.Locator("#current-finding");
    public ILocator Presence => Page.Locator("#presence .presence-person");

    public async Task StartAsync(string name)
    {
        await GotoAsync("/sessions");
        await Page.Locator("#session-name").FillAsync(name);
        await Page.Locator("#session-start").ClickAsync();
        await WaitForAddressAsync(u => System.Text.RegularExpressions.Regex.IsMatch(u, "/sessions/\\d+$"));
        await WaitInteractiveAsync();
        await CurrentFinding.WaitForAsync();
    }

    public async Task JoinAsync(string url)
    {
        await GotoAsync(url);
        await CurrentFinding.WaitForAsync();
    }

    /// <summary>A session shortcut, typed where no field has focus.</summary>
    public async Task PressAsync(string key)
    {
        await Page.Locator("#session-title").ClickAsync();
        await Page.Keyboard.PressAsync(key);
    }

    /// <summary>Presses <c>a</c> and completes the decision dialog: VEX requires an action statement for "affected".</summary>
    public async Task DecideAffectedAsync(string action)
    {
        await PressAsync("a");
        var dialog = Page.Locator(".mud-dialog");
        await dialog.WaitForAsync();
        await dialog.Locator("textarea#decision-action, #decision-action textarea").First.FillAsync(action);
        await Assertions.Expect(dialog.Locator("#dialog-submit")).ToBeEnabledAsync();
        await dialog.Locator("#dialog-submit").ClickAsync();
    }
}
