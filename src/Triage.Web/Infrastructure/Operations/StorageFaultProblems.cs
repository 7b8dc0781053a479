using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>
/// An API request that fails because the database is read-only, full or unavailable (after the retries) gets
/// 503 problem+json with a sentence saying so, instead of a bare 500; reads keep working meanwhile. Pages show the same
/// sentence through <see cref="Components.Shared.ErrorText"/>.
/// </summary>
public sealed class StorageFaultProblems(RequestDelegate next, ILogger<StorageFaultProblems> log)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (Exception e) when (ApiProblems.IsApi(http.Request) && !http.Response.HasStarted && StorageFaults.Classify(e) is not StorageFault.None and var fault)
        {
            // The innermost exception names the cause (a command timeout, a full pool, a lost connection); connection strings
            // never appear in these messages.
            var cause = e.GetBaseException();
            log.LogWarning(e, "{Method} {Path} failed: {Reason} ({CauseType}: {Cause})", http.Request.Method, http.Request.Path, StorageFaults.Describe(fault),
                cause.GetType().Name, cause.Message);
            http.Response.Clear();
            http.Response.Headers.RetryAfter = fault == StorageFault.Transient ? "5" : "60";
            await ApiProblems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, StorageFaults.Code(fault),
                fault == StorageFault.Transient ? "Database unavailable" : "Database refuses writes",
                StorageFaults.Describe(fault));
        }
    }
}
