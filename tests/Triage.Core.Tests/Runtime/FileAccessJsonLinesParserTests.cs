using Triage.Core.Ingest;
using Triage.Core.Runtime.Files;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class FileAccessJsonLinesParserTests
{
    private static async Task<IReadOnlyList<FileAccessProfile>> Local(string name)
    {
        await using var s = File.OpenRead(TestPaths.Local("Triage.Core.Tests", "Runtime", name));
        return await FileAccessJsonLinesParser.ParseAsync(s);
    }

    [Fact]
    public async Task Parse_NoHeader_ProfileIsPartial()
    {
        var p = Assert.Single(await Local("file-access_partial.jsonl"));
        Assert.Equal(ProfileCompleteness.Partial, p.Completeness);
        Assert.Equal("file-access:jsonl", p.Source);
        Assert.Equal("sha256:" + new string('1', 64), p.Image!.Digest);
        Assert.Equal(3, p.Files.Count);
        Assert.Equal(2, p.Files["/usr/lib/x86_64-linux-gnu/libssl.so.3"].Reads);
        Assert.Contains("no header", p.PartialReason);
    }

    [Fact]
    public async Task Parse_HeaderDeclaresComplete_ProfileIsComplete()
    {
        var p = Assert.Single(await Local("file-access_complete.jsonl"));
        Assert.Equal(ProfileCompleteness.Complete, p.Completeness);
        Assert.Equal("file-access:tetragon", p.Source);
    }

    [Fact]
    public async Task Parse_TwoImages_OneProfileEach()
    {
        const string lines = """
            {"image":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","path":"usr/bin/a","op":"exec"}
            {"image":"b@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","path":"/usr/bin/b","op":"read"}
            {"image":"b@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","path":"/usr/bin/b","op":"exec"}
            """;
        var profiles = await FileAccessJsonLinesParser.ParseAsync(Streams.Of(lines));
        Assert.Equal(2, profiles.Count);
        Assert.Equal(FileOps.Read | FileOps.Execute, profiles[1].Files["/usr/bin/b"].Ops);
        Assert.True(profiles[0].Files.ContainsKey("/usr/bin/a")); // relative paths are made absolute
    }

    [Theory]
    [InlineData("", ReportErrorCode.Empty, null)]
    [InlineData("# only a comment\n", ReportErrorCode.Empty, null)]
    [InlineData("{\"image\":\"sha256:x\",\"path\":\"/a\",\"op\":\"read\"}\n{not json}", ReportErrorCode.InvalidJson, 2L)]
    [InlineData("{\"image\":\"sha256:x\",\"path\":\"/a\",\"op\":\"mmap\"}", ReportErrorCode.WrongType, 1L)]
    [InlineData("{\"image\":\"sha256:x\",\"op\":\"read\"}", ReportErrorCode.WrongType, 1L)]
    public async Task Parse_BadLine_FailsWithLineNumber(string text, ReportErrorCode code, long? line)
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => FileAccessJsonLinesParser.ParseAsync(Streams.Of(text)));
        Assert.Equal(code, ex.Code);
        Assert.Equal(line, ex.Line);
    }
}
