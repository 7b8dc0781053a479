using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Triage.Web.Tests.Components;

/// <summary>One way to render components under test: MudBlazor services, loose JS interop, an interactive server renderer
/// (toolchain notes: composition, not inheritance, under xunit 2).</summary>
public abstract class ComponentTest : IAsyncLifetime
{
    protected BunitContext Ctx { get; } = new();

    protected ComponentTest()
    {
        Ctx.Services.AddMudServices();
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected IRenderedComponent<T> Render<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent
    {
        Ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return parameters is null ? Ctx.Render<T>() : Ctx.Render<T>(parameters);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Ctx.DisposeAsync();
}
