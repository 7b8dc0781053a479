using System.Net;
using System.Text.Json;
using Triage.Core.Demo;
using Triage.Core.Domain;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>GET /api/v1/findings pages by cursor (`next` → `after`) through the same order as by page number, however
/// deep: every finding once, nothing skipped.</summary>
public sealed class FindingsApiPagingTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private static async Task<JsonElement> Get(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task CursorPages_WalkTheSameOrderAsPageNumbers_AndEnd()
    {
        await DemoDatabase.ImportAsync(app.ConnectionString, DemoDataset.Reports());
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));

        var byNumber = new List<long>();
        var total = 0;
        for (var page = 1; ; page++)
        {
            var body = await Get(client, $"/api/v1/findings?pageSize=7&page={page}");
            total = body.GetProperty("total").GetInt32();
            var items = body.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToList();
            byNumber.AddRange(items);
            if (items.Count < 7) break;
        }
        Assert.True(total > 20, $"the demo has {total} findings");
        Assert.Equal(total, byNumber.Count);

        var byCursor = new List<long>();
        var first = await Get(client, "/api/v1/findings?pageSize=7");
        byCursor.AddRange(first.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
        var next = first.GetProperty("next").GetString();
        var pages = 1;
        while (next is not null)
        {
            var body = await Get(client, $"/api/v1/findings?pageSize=7&after={Uri.EscapeDataString(next)}");
            Assert.False(body.TryGetProperty("page", out _));
            var items = body.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToList();
            Assert.InRange(items.Count, 0, 7);
            byCursor.AddRange(items);
            next = body.GetProperty("next").ValueKind == JsonValueKind.Null ? null : body.GetProperty("next").GetString();
            Assert.True(++pages < 1000);
        }
        Assert.Equal(byNumber, byCursor);

        // The filter holds across cursor pages too.
        var high = await Get(client, "/api/v1/findings?pageSize=3&severity=high");
        Assert.True(high.GetProperty("total").GetInt32() > 3, high.ToString());
        var after = await Get(client, $"/api/v1/findings?pageSize=500&severity=high&after={high.GetProperty("next").GetString()}");
        Assert.All(after.GetProperty("items").EnumerateArray(), f => Assert.Contains(f.GetProperty("severity").GetString(), new[] { "critical", "high" }));
        Assert.Equal(high.GetProperty("total").GetInt32(), 3 + after.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("x")]
    [InlineData("9.1")]
    [InlineData("4.")]
    [InlineData("-1.5")]
    [InlineData("4.1e3")]
    public async Task ABadCursor_Is400WithAProblem(string cursor)
    {
        var client = app.TokenClient(await app.CreateTokenAsync(TriageWebFactory.AdminEmail, TokenScopes.Read));
        var response = await client.GetAsync($"/api/v1/findings?after={Uri.EscapeDataString(cursor)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("after", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
