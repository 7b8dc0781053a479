using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>One imported image as a decision test names it: its reference, repository, a finding and that finding's
/// vulnerability.</summary>
public sealed record TestImage(string Reference, string Repository, long ArtifactId, IReadOnlyList<long> FindingIds, string Vulnerability)
{
    public long FindingId => FindingIds[0];
}

/// <summary>
/// Two teams and three images, made fresh in a shared app so tests do not see each other's data: a triager of team A
/// (<see cref="Member"/>), a triager of team B (<see cref="OtherMember"/>), an image of team A, one of team B and one no team
/// owns. Synthetic reports need no shared fixtures.
/// </summary>
public sealed record TeamImages(string Member, string OtherMember, long TeamA, long TeamB, TestImage OwnImage, TestImage OtherTeamsImage, TestImage UnownedImage)
{
    private static int _seed = Random.Shared.Next(1_000, 1_000_000);

    public static async Task<TeamImages> CreateAsync(TriageWebFactory app)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var member = $"member-{tag}@example.test";
        await app.CreateUserAsync(member, TriageRole.Triager, "team-a-" + tag);
        // Team B exists because someone is in it.
        var other = $"other-{tag}@example.test";
        await app.CreateUserAsync(other, TriageRole.Triager, "team-b-" + tag);
        long a, b;
        await using (var db = app.Db())
        {
            a = await db.Teams.Where(t => t.Name == "team-a-" + tag).Select(t => t.Id).SingleAsync();
            b = await db.Teams.Where(t => t.Name == "team-b-" + tag).Select(t => t.Id).SingleAsync();
        }
        return new TeamImages(member, other, a, b,
            await ImportAsync(app, $"registry.example/a-{tag}/app", a),
            await ImportAsync(app, $"registry.example/b-{tag}/app", b),
            await ImportAsync(app, $"registry.example/nobody-{tag}/app", null));
    }

    private static async Task<TestImage> ImportAsync(TriageWebFactory app, string repository, long? team)
    {
        var seed = Interlocked.Increment(ref _seed);
        var importer = app.Services.GetRequiredService<ReportImporter>();
        using var report = new MemoryStream(SyntheticReports.Trivy(seed, findings: 6, image: repository + ":1.0"));
        var artifact = (await importer.ImportAsync(report, $"{seed}.json", new ImportOptions { ImportedBy = "test" })).Artifacts[0];
        await using var db = app.Db();
        var repo = await db.Repositories.SingleAsync(r => r.Name == artifact.Repository);
        repo.TeamId = team;
        await db.SaveChangesAsync();
        var findings = await db.Findings.Where(f => f.ArtifactId == artifact.ArtifactId && f.Active).OrderBy(f => f.Id).Select(f => f.Id).ToListAsync();
        var vulnerability = (await Triage.Data.Queries.FindingQueries.ToViewsAsync(db, db.Findings.Where(f => f.Id == findings[0]))).Single().Vulnerability.Id;
        return new TestImage(artifact.Image, artifact.Repository, artifact.ArtifactId, findings, vulnerability);
    }
}
