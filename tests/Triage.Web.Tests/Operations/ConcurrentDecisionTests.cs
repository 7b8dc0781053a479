using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Testing;

namespace Triage.Web.Tests.Operations;

/// <summary>Two people deciding on the same finding at the same moment, through the API: one wins, the other gets 409 with
/// the winner's decision, and nothing is lost (optimistic concurrency on what each had seen).</summary>
public sealed class ConcurrentDecisionTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TwoTriagersDecideAtOnce_OneWins_TheOtherSeesTheConflictAndTheWinnersDecision(string provider)
    {
        await using var app = new OperationsFactory(provider);
        var alice = await app.TriagerApiAsync("alice@example.test");
        var bob = await app.TriagerApiAsync("bob@example.test");
        Assert.Equal(HttpStatusCode.Created, (await alice.PostAsync("/api/v1/scans", OperationsFactory.Json(SyntheticReports.Trivy(40)))).StatusCode);
        long findingId;
        await using (var db = app.Db()) findingId = await db.Findings.OrderBy(f => f.Id).Select(f => f.Id).FirstAsync();

        for (var round = 0; round < 5; round++)
        {
            // Both have seen the finding as it is now (undecided in round 0, then the last winner's decision).
            var seen = await CurrentDecisionAsync(alice, findingId);
            var seenJson = seen is null ? "null" : seen.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string Body(string status, string extra) =>
                $"{{\"findings\":[{findingId}],\"level\":\"digest\",\"status\":\"{status}\"{extra},\"seen\":{{\"{findingId}\":{seenJson}}}}}";
            var start = new TaskCompletionSource();
            var a = Task.Run(async () => { await start.Task; return await alice.PostAsync("/api/v1/decisions", Content(Body("affected", ",\"action\":\"upgrade\""))); });
            var b = Task.Run(async () => { await start.Task; return await bob.PostAsync("/api/v1/decisions", Content(Body("not_affected", ",\"justification\":\"component_not_present\""))); });
            start.SetResult();
            var answers = await Task.WhenAll(a, b);

            var codes = answers.Select(r => r.StatusCode).Order().ToArray();
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], codes);
            var loser = answers.Single(r => r.StatusCode == HttpStatusCode.Conflict);
            var winner = answers.Single(r => r.StatusCode == HttpStatusCode.Created);
            using var conflict = JsonDocument.Parse(await loser.Content.ReadAsStringAsync());
            var c = conflict.RootElement.GetProperty("conflicts")[0];
            Assert.Equal(findingId, c.GetProperty("findingId").GetInt64());
            var current = c.GetProperty("current");
            Assert.Equal(JsonValueKind.Object, current.ValueKind);
            using var won = JsonDocument.Parse(await winner.Content.ReadAsStringAsync());
            var recorded = won.RootElement.GetProperty("decisions")[0];
            Assert.Equal(recorded.GetProperty("id").GetInt64(), current.GetProperty("id").GetInt64());
            Assert.Equal(recorded.GetProperty("id").GetInt64(), await CurrentDecisionAsync(bob, findingId));
        }
        await using (var db = app.Db()) Assert.Equal(5, await db.Decisions.CountAsync());
    }

    private static StringContent Content(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The id of the decision in force on the finding, as GET /api/v1/findings/{id}/decisions shows it.</summary>
    private static async Task<long?> CurrentDecisionAsync(HttpClient api, long findingId)
    {
        var response = await api.GetAsync($"/api/v1/findings/{findingId}/decisions");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var doc = JsonDocument.Parse(text);
        foreach (var entry in EnumerateEntries(doc.RootElement))
            if (entry.TryGetProperty("effective", out var e) && e.GetBoolean()) return entry.GetProperty("decision").GetProperty("id").GetInt64();
        return null;
    }

    private static IEnumerable<JsonElement> EnumerateEntries(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array ? root.EnumerateArray()
        : root.TryGetProperty("history", out var t) ? t.EnumerateArray()
        : [];
}
