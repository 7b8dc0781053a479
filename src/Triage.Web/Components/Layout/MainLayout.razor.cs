using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace Triage.Web.Components.Layout;

public partial class MainLayout
{
    [Inject] private IJSRuntime JS { get; set; } = default!;

    private MudThemeProvider? _themeProvider;
    private ErrorBoundary? _errorBoundary;
    private bool _dark;
    private bool _drawerOpen = true;

    protected override void OnParametersSet() => _errorBoundary?.Recover();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive) return;
        // The person's last choice, else the system's preference.
        var saved = await JS.InvokeAsync<string?>("triage.getTheme");
        var dark = saved switch
        {
            "dark" => true,
            "light" => false,
            _ => _themeProvider is not null && await _themeProvider.GetSystemDarkModeAsync(),
        };
        if (dark != _dark)
        {
            _dark = dark;
            StateHasChanged();
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void Recover() => _errorBoundary?.Recover();

    private async Task ToggleThemeAsync()
    {
        _dark = !_dark;
        await JS.InvokeVoidAsync("triage.setTheme", _dark ? "dark" : "light");
    }
}
