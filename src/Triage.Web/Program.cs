using MudBlazor.Services;
using Triage.Web;
using Triage.Web.Components;
using Triage.Web.Features.Account;
using Triage.Web.Features.Admin;
using Triage.Web.Features.Findings;
using Triage.Web.Features.Import;
using Triage.Web.Features.Runtime;
using Triage.Web.Features.Metrics;
using Triage.Web.Features.Sessions;
using Triage.Web.Features.Signing;
using Triage.Web.Features.Vex;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;
using Triage.Web.Infrastructure.Operations;
using Triage.Web.Infrastructure.Queue;
using Triage.Web.Infrastructure.ScaleOut;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The root appsettings.json and wwwroot/ are the real ones, whatever the working directory (docs/decisions/001-root-layout.md).
    ContentRootPath = ContentRoot.Find(),
});
builder.WebHost.UseStaticWebAssets();

builder.AddTriageData();
builder.AddTriageOperations();      // JSON logs, OpenTelemetry, health and readiness, retention (all by configuration)
builder.AddTriageRuntime();         // verdicts, scores, runtime evidence and KEV/EPSS (Triage:Ranking, Triage:Runtime)
builder.AddTriageAccess();          // Identity, cookies, API tokens, OpenID Connect, policies
builder.AddTriageScaleOut();        // Data Protection keys in the database; Redis connection and SignalR backplane when configured
builder.AddTriageSessions();        // live triage: session bus (in-process, or Redis when configured)
builder.AddTriageSecurity();        // headers, body and rate limits, audit log (docs/security.md)
builder.AddTriageImportQueue();     // durable import queue: every instance claims and finishes imports
builder.AddTriageMetrics();         // weekly snapshots (background service), lineage and comparisons
builder.Services.AddTriageFeatures();
builder.Services.AddTriageSigning(builder.Configuration);   // signing key, trust policy, effective-decision upkeep
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();
await app.MigrateTriageDatabaseAsync();
await app.EnsureRiskScoresAsync();
await app.EnsureTriageAccountsAsync();

app.UseTriageSecurityHeaders();
// In every environment, Development included (the README's `dotnet run` starts in it): people get the error page and API
// callers problem+json, never a stack trace; the exception itself goes to the log.
app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), b => b.UseExceptionHandler());
app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"), b => b.UseExceptionHandler("/Error", createScopeForErrors: true));
// API callers get problem+json, people get the not-found page.
app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"),
    b => b.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseStorageFaultProblems();     // read-only, full or unreachable database: 503 problem+json for the API
// Routing after the status-code pages, so a re-executed request (404 → /not-found) is routed again.
app.UseRouting();
app.UseTriageRequestLimits();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapTriageHealth();              // /health/live, /health/ready (anonymous)
app.MapOpenApi("/api/openapi/{documentName}.json").RequireAuthorization(Policies.ApiRead);
// Every API endpoint needs an API token; each also names the scope it needs (ApiRead or ApiUpload).
var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.ApiToken);
api.MapScansApi();
api.MapFindingsApi();
api.MapExposureApi();
api.MapRuntimeApi();
app.MapAccountEndpoints();
app.MapSessionExports();
app.MapAuditExport();
api.MapVexApi();
api.MapSigningApi();
app.MapSigningDownloads();
api.MapMetricsApi();
app.MapMetricsExports();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

public partial class Program;
