using System.Text;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Tests.Runtime;

public class JsonItemStreamTests
{
    private static readonly HashSet<string> Items = new(StringComparer.Ordinal) { "items" };

    private static async Task<List<JsonItem>> ReadAll(Stream s)
    {
        var list = new List<JsonItem>();
        await foreach (var i in JsonItemStream.ReadAsync(s, Items, "test")) list.Add(i);
        return list;
    }

    [Fact]
    public async Task ReadAsync_TinyReads_YieldsEveryElementAndTopLevelValue()
    {
        var json = """{"kind":"List","items":[{"a":1},{"a":[1,2,{"b":"x"}]},{"a":"\u00e9"}],"meta":{"n":2}}""";
        var items = await ReadAll(TrickleStream.Of(json, chunk: 3));
        Assert.Equal(["kind", "items", "items", "items", "meta"], items.Select(i => i.Property));
        Assert.Equal([-1, 0, 1, 2, -1], items.Select(i => i.Index));
        Assert.Equal("é", items[3].Value.GetProperty("a").GetString());
    }

    [Fact]
    public async Task ReadAsync_ElementLargerThanBuffer_GrowsAndReadsIt()
    {
        var big = new string('x', 300_000);
        var json = $$"""{"items":[{"v":"{{big}}"},{"v":"small"}]}""";
        var items = await ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(300_000, items[0].Value.GetProperty("v").GetString()!.Length);
        Assert.Equal("small", items[1].Value.GetProperty("v").GetString());
    }

    [Fact]
    public async Task ReadAsync_RootArray_YieldsElements()
    {
        var items = await ReadAll(Streams.Of("\uFEFF [1, {\"x\":2}, \"s\"]"));
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal("", i.Property));
    }

    [Theory]
    [InlineData("", ReportErrorCode.Empty)]
    [InlineData("   \n ", ReportErrorCode.Empty)]
    [InlineData("""{"items":[{"a":1},""", ReportErrorCode.Truncated)]
    [InlineData("""{"items":[{"a":1]}""", ReportErrorCode.InvalidJson)]
    [InlineData("""{"a":1} x""", ReportErrorCode.InvalidJson)]
    public async Task ReadAsync_BadInput_ThrowsTypedError(string json, ReportErrorCode code)
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => ReadAll(TrickleStream.Of(json, chunk: 4)));
        Assert.Equal(code, ex.Code);
    }
}

public class JsonErrorsTests
{
    [Fact]
    public async Task DeepNesting_IsTooDeep()
    {
        var json = "{\"items\":[" + new string('[', 100) + new string(']', 100) + "]}";
        var ex = await Assert.ThrowsAsync<ReportFormatException>(async () =>
        {
            await foreach (var _ in JsonItemStream.ReadAsync(Streams.Of(json), new HashSet<string> { "items" }, "test", maxDepth: 32)) { }
        });
        Assert.Equal(ReportErrorCode.TooDeep, ex.Code);
    }
}
