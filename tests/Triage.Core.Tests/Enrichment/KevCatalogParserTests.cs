using System.Text;
using Triage.Core.Enrichment;
using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Enrichment;

public class KevCatalogParserTests
{
    private static async Task<KevCatalog> Fixture(string name)
    {
        await using var s = File.OpenRead(TestPaths.Fixture("enrich", "kev", name));
        return await KevCatalogParser.ParseAsync(s);
    }

    [FixtureFact]
    public async Task Parse_Json_CatalogHeaderAndEntries()
    {
        var kev = await Fixture("known_exploited_vulnerabilities.json");
        Assert.Equal("json", kev.Format);
        Assert.Equal("2025.08.25", kev.CatalogVersion);
        Assert.Equal(new DateTimeOffset(2025, 8, 25, 17, 4, 19, 979, TimeSpan.Zero).AddTicks(6000), kev.DateReleased);
        Assert.Equal(1404, kev.DeclaredCount);
        Assert.Equal(1404, kev.Entries.Count);
        Assert.Empty(kev.Warnings);
        Assert.Equal(293, kev.Entries.Values.Count(e => e.KnownRansomwareCampaignUse == RansomwareUse.Known));
        Assert.Equal(new DateOnly(2021, 11, 3), kev.Entries.Values.Min(e => e.DateAdded));

        var git = kev.Find("cve-2025-48384")!;
        Assert.Equal(("Git", "Git", new DateOnly(2025, 8, 25), new DateOnly(2025, 9, 15), RansomwareUse.Unknown),
            (git.VendorProject, git.Product, git.DateAdded, git.DueDate, git.KnownRansomwareCampaignUse));
        Assert.Equal(["CWE-59", "CWE-436"], git.Cwes);
    }

    [FixtureFact]
    public async Task Parse_Csv_SameEntriesAsJson()
    {
        var csv = await Fixture("known_exploited_vulnerabilities.csv");
        var json = await Fixture("known_exploited_vulnerabilities.json");
        Assert.Equal("csv", csv.Format);
        Assert.Null(csv.CatalogVersion);
        Assert.Equal(1404, csv.Entries.Count);
        Assert.Empty(csv.Warnings);
        foreach (var (cve, j) in json.Entries)
        {
            var c = csv.Entries[cve];
            Assert.Equal((j.DateAdded, j.DueDate, j.KnownRansomwareCampaignUse, j.VendorProject, j.VulnerabilityName),
                (c.DateAdded, c.DueDate, c.KnownRansomwareCampaignUse, c.VendorProject, c.VulnerabilityName));
            Assert.Equal(j.Cwes, c.Cwes);
        }
    }

    [Fact]
    public async Task Parse_CsvQuotedFieldsWithCommasQuotesAndNewlines()
    {
        const string csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\r\n"
            + "CVE-2024-0001,Acme,\"Widget, Pro\",\"The \"\"big\"\" one\",2024-05-01,\"line one\nline two\",Patch,2024-05-22,Known,,\"CWE-79, CWE-89\"\r\n";
        var kev = await KevCatalogParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        var e = Assert.Single(kev.Entries.Values);
        Assert.Equal(("Widget, Pro", "The \"big\" one", RansomwareUse.Known), (e.Product, e.VulnerabilityName, e.KnownRansomwareCampaignUse));
        Assert.Equal(["CWE-79", "CWE-89"], e.Cwes);
    }

    [Theory]
    [InlineData("", ReportErrorCode.Empty)]
    [InlineData("hello,world\n1,2\n", ReportErrorCode.NotAScanReport)]
    [InlineData("{\"title\":\"x\"}", ReportErrorCode.NotAScanReport)]
    [InlineData("cveID,dateAdded\nCVE-1,\"2024-01-01\n", ReportErrorCode.Truncated)]
    public async Task Parse_BadInput_TypedError(string text, ReportErrorCode code)
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => KevCatalogParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(text))));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public async Task Parse_EntryWithoutDate_SkippedWithWarning()
    {
        const string json = """{"catalogVersion":"1","count":2,"vulnerabilities":[{"cveID":"CVE-2024-1","dateAdded":"2024-01-02"},{"cveID":"CVE-2024-2","dateAdded":"soon"}]}""";
        var kev = await KevCatalogParser.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Single(kev.Entries);
        Assert.Contains(kev.Warnings, w => w.Contains("CVE-2024-2"));
        Assert.Contains(kev.Warnings, w => w.Contains("declares 2"));
    }
}
