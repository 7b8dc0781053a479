using MudBlazor.Services;
using Triage.Web;
using Triage.Web.Components;
using Triage.Web.Features.Findings;
using Triage.Web.Features.Import;
using Triage.Web.Features.Vex;
using Triage.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The root appsettings.json and wwwroot/ are the real ones, whatever the working directory (docs/decisions/001-root-layout.md).
    ContentRootPath = ContentRoot.Find(),
});
builder.WebHost.UseStaticWebAssets();

builder.AddTriageData();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();
await app.MigrateTriageDatabaseAsync();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
// API callers get problem+json, people get the not-found page.
app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"),
    b => b.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseAntiforgery();

app.MapStaticAssets();
app.MapOpenApi("/api/openapi/{documentName}.json");
var api = app.MapGroup("/api/v1");
api.MapScansApi();
api.MapFindingsApi();
api.MapExposureApi();
api.MapVexApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

public partial class Program;
