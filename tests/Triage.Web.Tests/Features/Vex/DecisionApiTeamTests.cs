using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Vex;

/// <summary>
/// POST /api/v1/decisions decides only on what the caller sees (README, "People, roles and teams"): a team member on the
/// team's images and on images no team owns, an admin on everything. Everywhere is for admins only. A refusal is a 403
/// problem+json with a stable code, and nothing is stored, previewed or not.
/// </summary>
public sealed class DecisionApiTeamTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    /// <summary>The target part of a request body for each way of naming where a decision applies.</summary>
    private static string Target(string kind, TestImage image, long team) => kind switch
    {
        "image" => $"\"vulnerability\":\"{image.Vulnerability}\",\"image\":\"{image.Reference}\"",
        "repository" => $"\"vulnerability\":\"{image.Vulnerability}\",\"repository\":\"{image.Repository}\"",
        "team" => $"\"vulnerability\":\"{image.Vulnerability}\",\"team\":\"{team}\"",
        "findings" => $"\"findings\":[{image.FindingId}],\"level\":\"digest\"",
        "findings-repository" => $"\"findings\":[{image.FindingId}],\"level\":\"repository\"",
        "findings-team" => $"\"findings\":[{image.FindingId}],\"level\":\"team\"",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static StringContent Body(string target) =>
        new($"{{{target},\"status\":\"under_investigation\"}}", Encoding.UTF8, "application/json");

    private async Task<HttpClient> ApiAsync(string email) => app.TokenClient(await app.CreateTokenAsync(email, TokenScopes.Read | TokenScopes.Upload));

    private async Task<int> DecisionCountAsync()
    {
        await using var db = app.Db();
        return await db.Decisions.CountAsync();
    }

    /// <summary>A 403 problem+json whose code is <paramref name="code"/>, and the decision table as it was.</summary>
    private async Task AssertRefusedAsync(HttpResponseMessage response, string code, int decisionsBefore)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(decisionsBefore, await DecisionCountAsync());
    }

    [Theory]
    [InlineData("image", false)]
    [InlineData("repository", false)]
    [InlineData("team", false)]
    [InlineData("findings", false)]
    [InlineData("findings-repository", false)]
    [InlineData("findings-team", false)]
    [InlineData("image", true)]
    [InlineData("findings", true)]
    public async Task Decide_OnAnotherTeamsImage_AsTriager_Is403NotYourImage_AndStoresNothing(string kind, bool preview)
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();

        var response = await api.PostAsync("/api/v1/decisions" + (preview ? "?preview=true" : ""), Body(Target(kind, world.OtherTeamsImage, world.TeamB)));

        await AssertRefusedAsync(response, "not_your_image", before);
    }

    [Theory]
    [InlineData("\"all\":true", false)]
    [InlineData("\"all\":true", true)]
    [InlineData("\"findings\":[{0}],\"level\":\"global\"", false)]
    public async Task Decide_Everywhere_AsTriager_Is403AdminOnlyScope_AndStoresNothing(string target, bool preview)
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();
        // Global from the member's own finding: still every team's images.
        var body = target.Contains("findings", StringComparison.Ordinal)
            ? target.Replace("{0}", world.OwnImage.FindingId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : $"\"vulnerability\":\"{world.OwnImage.Vulnerability}\"," + target;

        var response = await api.PostAsync("/api/v1/decisions" + (preview ? "?preview=true" : ""), Body(body));

        await AssertRefusedAsync(response, "admin_only_scope", before);
    }

    [Fact]
    public async Task Decide_BulkSelection_WithOneFindingOfAnotherTeam_Is403_AndStoresNothing()
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();
        var selected = world.OwnImage.FindingIds.Concat(world.UnownedImage.FindingIds).Append(world.OtherTeamsImage.FindingId).ToList();
        var target = $"\"findings\":[{string.Join(',', selected)}],\"level\":\"digest\"";

        await AssertRefusedAsync(await api.PostAsync("/api/v1/decisions?preview=true", Body(target)), "not_your_image", before);
        var response = await api.PostAsync("/api/v1/decisions", Body(target));

        await AssertRefusedAsync(response, "not_your_image", before);
        Assert.Contains(world.OtherTeamsImage.FindingId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Decide_BulkSelection_OfOwnAndUnownedImages_AsTriager_RecordsOneStatementPerFinding()
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();
        var selected = world.OwnImage.FindingIds.Concat(world.UnownedImage.FindingIds).ToList();
        var target = $"\"findings\":[{string.Join(',', selected)}],\"level\":\"digest\"";

        var preview = await api.PostAsync("/api/v1/decisions?preview=true", Body(target));
        Assert.True(preview.StatusCode == HttpStatusCode.OK, await preview.Content.ReadAsStringAsync());
        var response = await api.PostAsync("/api/v1/decisions", Body(target));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(before + selected.Count, await DecisionCountAsync());
    }

    /// <summary>"seen" names findings too: another team's finding there would show that team's decision in a 409.</summary>
    [Fact]
    public async Task Decide_SeenNamingAnotherTeamsFinding_Is403()
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();
        var target = $"\"findings\":[{world.OwnImage.FindingId}],\"level\":\"digest\",\"seen\":{{\"{world.OtherTeamsImage.FindingId}\":null}}";

        await AssertRefusedAsync(await api.PostAsync("/api/v1/decisions", Body(target)), "not_your_image", before);
    }

    [Theory]
    [InlineData("image", "own")]
    [InlineData("repository", "own")]
    [InlineData("team", "own")]
    [InlineData("findings", "own")]
    [InlineData("findings-team", "own")]
    [InlineData("image", "unowned")]
    [InlineData("repository", "unowned")]
    [InlineData("findings", "unowned")]
    [InlineData("findings-repository", "unowned")]
    public async Task Decide_OnOwnTeamsOrUnownedImage_AsTriager_IsRecorded(string kind, string whose)
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(world.Member);
        var before = await DecisionCountAsync();
        var image = whose == "own" ? world.OwnImage : world.UnownedImage;

        var response = await api.PostAsync("/api/v1/decisions", Body(Target(kind, image, world.TeamA)));

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before + 1, await DecisionCountAsync());
    }

    [Theory]
    [InlineData("image")]
    [InlineData("team")]
    [InlineData("findings")]
    [InlineData("all")]
    [InlineData("findings-global")]
    public async Task Decide_AnywhereAndEverywhere_AsAdmin_IsRecorded(string kind)
    {
        var world = await TeamImages.CreateAsync(app);
        var api = await ApiAsync(TriageWebFactory.AdminEmail);
        var before = await DecisionCountAsync();
        var image = world.OtherTeamsImage;
        var target = kind switch
        {
            "all" => $"\"vulnerability\":\"{image.Vulnerability}\",\"all\":true",
            "findings-global" => $"\"findings\":[{image.FindingId}],\"level\":\"global\"",
            _ => Target(kind, image, world.TeamB),
        };

        var response = await api.PostAsync("/api/v1/decisions", Body(target));

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before + 1, await DecisionCountAsync());
    }
}
