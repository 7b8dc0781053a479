using Microsoft.Playwright;

namespace Triage.E2E.Pages;

/// <summary>The weekly review: charts, the week's causes, slimming wins and the exports.</summary>
public sealed class WeeklyReviewPage(IPage page) : BasePage(page)
{
    public ILocator TrendChart => Page.Locator("#trend-by-severity svg");
    public ILocator Burndown => Page.Locator("#burndown-chart svg");
    public ILocator SlimmingWins => Page.Locator("#slimming-wins tbody tr");

    public async Task OpenAsync(string query = "")
    {
        await GotoAsync("/metrics" + (query.Length > 0 ? "?" + query : ""));
        await TrendChart.WaitForAsync();
    }
}

/// <summary>Two images side by side and why their open findings differ.</summary>
public sealed class ComparePage(IPage page) : BasePage(page)
{
    public ILocator Attribution => Page.Locator("#compare-attribution");

    public async Task<int> CauseAsync(string key) =>
        int.Parse((await Page.Locator($"#compare-attribution td[data-cause='{key}'], #compare-attribution td[data-cause-value='{key}']").First.InnerTextAsync())
            .Replace("−", "-", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Fills the two fields and compares, as a person would.</summary>
    public async Task CompareAsync(string a, string b)
    {
        await GotoAsync("/compare");
        await Page.Locator("#compare-a").FillAsync(a);
        await Page.Locator("#compare-b").FillAsync(b);
        await Page.Locator("#compare-go").ClickAsync();
        await Attribution.WaitForAsync();
    }
}

/// <summary>A repository's lineage, and the replacement a triager declares there.</summary>
public sealed class LineagePage(IPage page) : BasePage(page)
{
    public ILocator Chain => Page.Locator("#lineage-chain");
    public ILocator Replace => Page.Locator("#lineage-replace");

    public async Task OpenAsync(long repositoryId)
    {
        await GotoAsync($"/lineage/{repositoryId}");
        await Chain.WaitForAsync();
    }

    /// <summary>Picks the replaced repository in the select and declares it.</summary>
    public async Task DeclareReplacesAsync(string oldRepository)
    {
        await Page.Locator("#lineage-replaces").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = oldRepository }).First.ClickAsync();
        await Page.Locator("#lineage-declare").ClickAsync();
        await Page.Locator("#lineage-message").WaitForAsync();
    }
}
