using Microsoft.Playwright;

namespace Triage.E2E.Pages;

/// <summary>The Runtime &amp; enrichment page: runtime evidence with its form, KEV/EPSS files, the data in use.</summary>
public sealed class RuntimePage(IPage page) : BasePage(page)
{
    public Task OpenAsync() => GotoAsync("/runtime");

    public Task FillClusterAsync(string cluster) => Page.Locator("#runtime-cluster").FillAsync(cluster);

    /// <summary>Drops evidence files (through the zone's file input) and waits for this file's outcome.</summary>
    public Task<ILocator> UploadEvidenceAsync(string file) => UploadAsync("runtime", file);

    /// <summary>Drops a KEV or EPSS file and waits for its outcome.</summary>
    public Task<ILocator> UploadEnrichmentAsync(string file) => UploadAsync("enrich", file);

    /// <summary>The "Data in use" row of a feed (kev, epss).</summary>
    public ILocator Feed(string feed) => Page.Locator($"#enrichment-status tr[data-feed={feed}]");

    private async Task<ILocator> UploadAsync(string zone, string file)
    {
        // MudFileUpload adds a fresh input after each selection and hides the used one: the last is the live one.
        await Page.Locator($"#{zone}-upload input[type=file]").Last.SetInputFilesAsync(file);
        var item = Page.Locator($".{zone}-item:not([data-state=running]):not([data-state=waiting])").Filter(new() { HasText = Path.GetFileName(file) }).First;
        await item.WaitForAsync(new() { Timeout = 60_000 });
        return item;
    }
}
