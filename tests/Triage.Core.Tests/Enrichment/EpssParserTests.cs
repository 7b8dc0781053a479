using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Triage.Core.Enrichment;
using Triage.Core.Ingest;
using Triage.Testing;
using Xunit.Abstractions;

namespace Triage.Core.Tests.Enrichment;

public class EpssParserTests(ITestOutputHelper output)
{
    [FixtureFact]
    public async Task Parse_FixtureJson_107ScoresWithValues()
    {
        await using var s = File.OpenRead(TestPaths.Fixture("enrich", "epss", "dimpact_epss-scores_nginx-1.27.4.json"));
        var epss = await EpssParser.ParseAsync(s);
        Assert.Equal("json", epss.Format);
        Assert.Equal(107, epss.Count);
        Assert.Equal(new EpssScore("CVE-2005-2541", 0.02806, 0.85495), epss.Find("CVE-2005-2541"));
        Assert.Equal(0.00074, epss.Find("cve-2013-4392")!.Value.Epss);
    }

    [Fact]
    public async Task Parse_PublishedCsv_HeaderLineAndRows()
    {
        const string csv = "#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\ncve,epss,percentile\nCVE-1999-0001,0.01141,0.77891\nCVE-2024-3094,0.84514,0.99302\n";
        var epss = await EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Equal(("csv", "v2025.03.14", new DateOnly(2025, 8, 25)), (epss.Format, epss.ModelVersion, epss.ScoreDate));
        Assert.Equal(new EpssScore("CVE-2024-3094", 0.84514, 0.99302), epss.Find("CVE-2024-3094"));
    }

    [Fact]
    public async Task Parse_ApiJsonWithStringNumbers()
    {
        const string json = """{"status":"OK","total":1,"data":[{"cve":"CVE-2022-27225","epss":"0.000720000","percentile":"0.292970000","date":"2022-03-31"}]}""";
        var epss = await EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(0.00072, epss.Find("CVE-2022-27225")!.Value.Epss, 9);
        Assert.Equal(new DateOnly(2022, 3, 31), epss.ScoreDate);
    }

    [Fact]
    public async Task Parse_Generated300kRows_PlainAndGzip_WellUnderTenSeconds()
    {
        foreach (var gzip in new[] { false, true })
        {
            var bytes = EpssCsvGenerator.Generate(300_000, gzip);
            var sw = Stopwatch.StartNew();
            var epss = await EpssParser.ParseAsync(new MemoryStream(bytes));
            sw.Stop();
            output.WriteLine($"EPSS 300k rows ({(gzip ? "csv.gz" : "csv")}, {bytes.Length / 1024} KiB): {sw.ElapsedMilliseconds} ms");
            Assert.Equal(300_000, epss.Count);
            Assert.Equal(gzip ? "csv.gz" : "csv", epss.Format);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
        }
    }

    [Theory]
    [InlineData("", ReportErrorCode.Empty)]
    [InlineData("#model_version:v1\n", ReportErrorCode.Empty)]
    [InlineData("cve,score\nCVE-1,0.1\n", ReportErrorCode.NotAScanReport)]
    [InlineData("cve,epss,percentile\nCVE-1,high,0.5\n", ReportErrorCode.WrongType)]
    [InlineData("cve,epss,percentile\nCVE-1,1.5,0.5\n", ReportErrorCode.WrongType)]
    [InlineData("cve,epss,percentile\nCVE-1,0.5\n", ReportErrorCode.WrongType)]
    public async Task Parse_BadCsv_TypedErrorWithLine(string text, ReportErrorCode code)
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(text))));
        Assert.Equal(code, ex.Code);
        if (code == ReportErrorCode.WrongType) Assert.Equal(2, ex.Line);
    }

    [Fact]
    public async Task Parse_DamagedGzip_ClearError()
    {
        var bytes = EpssCsvGenerator.Generate(1000, gzip: true);
        var cut = bytes[..(bytes.Length / 2)].Concat(new byte[64]).ToArray();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => EpssParser.ParseAsync(new MemoryStream(cut)));
        Assert.True(ex is ReportFormatException, ex.GetType().Name + ": " + ex.Message);
    }

    [Fact]
    public async Task Parse_GzipInflatingPastTheLimit_RefusedNamingTheLimit()
    {
        // Valid rows without end: a few hundred KiB of gzip that would inflate to 64 MiB.
        var bomb = HostileReports.EpssRowsBomb(64L << 20);
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() =>
            EpssParser.ParseAsync(new MemoryStream(bomb.Bytes), new EpssReadOptions { MaxDecompressedBytes = 1 << 20 }));
        output.WriteLine($"{bomb}: refused in {sw.ElapsedMilliseconds} ms");
        Assert.Equal(ReportErrorCode.TooLarge, ex.Code);
        Assert.Equal("EPSS scores: the gzip data inflates to more than the limit of 1 MiB", ex.Message);

        // Under the default limit the same rows, fewer of them, are read.
        var small = HostileReports.EpssRowsBomb(4L << 20);
        Assert.Equal(1, (await EpssParser.ParseAsync(new MemoryStream(small.Bytes))).Count);
    }

    [Fact]
    public async Task Parse_LineLongerThanTheLimit_RefusedWithItsLineNumber_UnfinishedOrComplete()
    {
        // One line without end: the buffer used to double with it until memory ran out.
        var bomb = HostileReports.EpssLineBomb(1L << 20);
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => EpssParser.ParseAsync(new MemoryStream(bomb.Bytes)));
        Assert.Equal((ReportErrorCode.TooLarge, 3L), (ex.Code, ex.Line));
        Assert.Equal("EPSS scores: line 3 is longer than the limit of 64 KiB for one line.", ex.Message);

        // A complete line, read in one piece with the rows around it.
        var csv = HostileReports.EpssCsv + "CVE-2024-0001," + new string('9', 100_000) + ",0.5\nCVE-2024-0002,0.1,0.1\n";
        ex = await Assert.ThrowsAsync<ReportFormatException>(() => EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv))));
        Assert.Equal((ReportErrorCode.TooLarge, 5L), (ex.Code, ex.Line));

        // The limit is the option's: under a larger one the same line is read, and refused for its value.
        ex = await Assert.ThrowsAsync<ReportFormatException>(() =>
            EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), new EpssReadOptions { MaxLineBytes = 1 << 20 }));
        Assert.Equal((ReportErrorCode.WrongType, 5L), (ex.Code, ex.Line));
    }

    [Fact]
    public async Task Parse_JsonRecordOverOneMiB_Refused()
    {
        var json = "[{\"cve\":\"" + new string('A', 2 << 20) + "\",\"epss\":0.1,\"percentile\":0.2}]";
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Equal(ReportErrorCode.TooLarge, ex.Code);
        Assert.Contains("larger than 1 MiB", ex.Message);
    }
}

public class EpssSnapshotTests
{
    [Fact]
    public async Task Find_NonCanonicalIdsKeptVerbatim_AndAllIsOrdered()
    {
        const string csv = "cve,epss,percentile\nCVE-2024-10001,0.2,0.9\nCVE-2021-44228,0.97,1.0\nCVE-2024-03094,0.1,0.5\nCVE-2019-0001,0.3,0.95\n";
        var epss = await EpssParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Equal(4, epss.Count);
        Assert.Equal("CVE-2024-03094", epss.Find("CVE-2024-03094")!.Value.Cve);
        Assert.Null(epss.Find("CVE-2024-3094"));
        Assert.Equal(["CVE-2019-0001", "CVE-2021-44228", "CVE-2024-10001", "CVE-2024-03094"], epss.All.Select(s => s.Cve));
        Assert.Equal(0.97, epss.Find(" cve-2021-44228 ")!.Value.Epss);
    }
}
