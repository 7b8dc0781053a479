using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Queries;

namespace Triage.Web.Features.Findings;

/// <summary>GET /api/v1/exposure/{id}: which images and digests contain a vulnerability, through which packages.</summary>
public static class ExposureApi
{
    public static RouteGroupBuilder MapExposureApi(this RouteGroupBuilder api)
    {
        api.MapGet("/exposure/{id}", async (string id, bool? all, IDbContextFactory<TriageDbContext> factory, Infrastructure.Access.UserAccessService access,
                HttpContext http, CancellationToken ct) =>
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                var exposure = await ExposureQueries.FindAsync(db, id, all ?? false, ct);
                // A team member's token sees the team's images and unowned ones, as on the findings endpoint; an admin's sees everything.
                var user = await access.ForAsync(http.User, ct);
                if (user.VisibleArtifactIds(db) is { } visibleQuery)
                {
                    var artifactIds = exposure.Vulnerabilities.SelectMany(v => v.Images).Select(i => i.ArtifactId).Distinct().ToList();
                    var visible = (await visibleQuery.Where(a => artifactIds.Contains(a)).ToListAsync(ct)).ToHashSet();
                    exposure = exposure with
                    {
                        Vulnerabilities = exposure.Vulnerabilities
                            .Select(v => v with { Images = v.Images.Where(i => visible.Contains(i.ArtifactId)).ToList() })
                            .Where(v => v.Images.Count > 0).ToList(),
                    };
                }
                http.Response.ContentType = "application/json; charset=utf-8";
                await using var w = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Indented = true });
                ExposureJson.Write(w, exposure);
                await w.FlushAsync(ct);
            })
            .WithName("Exposure")
            .RequireAuthorization(Infrastructure.Access.Policies.ApiRead)
            .WithSummary("Images and digests that contain a vulnerability (by any id, alias or upstream advisory)");
        return api;
    }
}
