using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Ingest;

/// <summary>Every real report in ../shared/fixtures (scanners/** and matched/*/, SARIF excluded) parses, or fails with
/// the clear error it must, and yields exactly the claims an independent JsonDocument count finds.</summary>
public sealed class SharedFixtureTests
{
    private const string SnykError = "scanners/snyk/refoo0_snyk_error_ok_false.json";
    private const string TrivyNull = "scanners/trivy/defectdojo_legacy_no_vuln.json";

    public static TheoryData<string> Reports()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent) { data.Add("(missing)"); return data; }
        var root = TestPaths.SharedFixtures;
        var files = Directory.EnumerateFiles(Path.Combine(root, "scanners"), "*.json", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateDirectories(Path.Combine(root, "matched")).SelectMany(d => Directory.EnumerateFiles(d, "*.json")))
            .Where(f => !f.EndsWith(".sarif.json", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var f in files) data.Add(f);
        return data;
    }

    private static ScannerKind ScannerOf(string relative)
    {
        var name = relative.StartsWith("scanners/", StringComparison.Ordinal) ? relative.Split('/')[1] : Path.GetFileNameWithoutExtension(relative);
        Assert.True(ScannerKindNames.TryParse(name, out var kind), $"cannot tell the scanner of {relative}");
        return kind;
    }

    [FixtureTheory]
    [MemberData(nameof(Reports))]
    public async Task Parse_EveryRealReport_YieldsTheIndependentlyCountedClaims(string relative)
    {
        var path = TestPaths.Fixture(relative.Split('/'));
        var scanner = ScannerOf(relative);
        if (relative == SnykError)
        {
            var e = await Assert.ThrowsAsync<ReportFormatException>(() => ScanReportReader.Default.ParseFileAsync(path, scanner));
            Assert.Equal(ReportErrorCode.ScannerError, e.Code);
            Assert.StartsWith("Snyk reported an error instead of results: Failed to get dependencies", e.Message);
            return;
        }

        var report = await ScanReportReader.Default.ParseFileAsync(path, scanner);

        Assert.Equal(scanner, report.Scanner);
        var expected = ClaimCounter.FromJson(scanner, path);
        var actual = ClaimCounter.FromParsed(report);
        Assert.Equal(expected.Order().ToList(), actual.Order().ToList());
    }

    [FixtureTheory]
    [MemberData(nameof(Reports))]
    public async Task Sniff_EveryRealReport_RecognisesItsScanner(string relative)
    {
        var path = TestPaths.Fixture(relative.Split('/'));
        var scanner = ScannerOf(relative);
        await using var file = File.OpenRead(path);
        var (result, _) = await ReportSniffer.SniffAsync(file, ParseOptions.Default);
        var expected = relative switch
        {
            SnykError => SniffKind.SnykError,
            TrivyNull => SniffKind.Null,
            _ => scanner switch { ScannerKind.Trivy => SniffKind.Trivy, ScannerKind.Grype => SniffKind.Grype, ScannerKind.Snyk => SniffKind.Snyk },
        };
        Assert.Equal(expected, result.Kind);
    }

    [FixtureFact]
    public async Task Parse_NullTrivyReport_ParsesOnlyWhenForcedToTrivy()
    {
        var path = TestPaths.Fixture(TrivyNull.Split('/'));

        var forced = await ScanReportReader.Default.ParseFileAsync(path, ScannerKind.Trivy);
        var auto = await Assert.ThrowsAsync<ReportFormatException>(() => ScanReportReader.Default.ParseFileAsync(path, null));

        Assert.Empty(forced.Targets);
        Assert.Equal(ReportErrorCode.NullReport, auto.Code);
        Assert.Contains("--scanner trivy", auto.Message);
    }

    [FixtureFact]
    public async Task Parse_SnykErrorObject_ThrowsScannerErrorEvenWhenNotForced()
    {
        var path = TestPaths.Fixture(SnykError.Split('/'));

        var e = await Assert.ThrowsAsync<ReportFormatException>(() => ScanReportReader.Default.ParseFileAsync(path, null));

        Assert.Equal(ReportErrorCode.ScannerError, e.Code);
    }
}
