using Microsoft.AspNetCore.Mvc;

namespace Triage.Web.Infrastructure.Access;

/// <summary>401/403 answers of /api/* as problem+json (never a redirect to the sign-in page).</summary>
public static class ApiProblems
{
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    public static async Task WriteAsync(HttpContext http, int status, string code, string title, string detail)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status, Title = title, Detail = detail, Type = $"https://triage.example/problems/{code}",
            Extensions = { ["code"] = code },
        };
        await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", http.RequestAborted);
    }
}
