using System.Text;
using System.Text.Json;
using Triage.Cli.Commands;
using Triage.Cli.Tests.Support;
using Triage.Testing;

namespace Triage.Cli.Tests.Findings;

/// <summary>`triage findings` lists more findings than one page holds, in every format, each once and most severe first.</summary>
public class FindingsCliTests
{
    private static readonly string[] Severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
    private static readonly int Count = FindingsCommand.PageSize + 501;

    private static async Task<string> DatabaseWithManyFindings()
    {
        var report = new StringBuilder("{\"SchemaVersion\":2,\"ArtifactName\":\"registry.example/team/big:1\",\"ArtifactType\":\"container_image\",\"Results\":[{\"Target\":\"big (debian 12)\",\"Class\":\"os-pkgs\",\"Type\":\"debian\",\"Vulnerabilities\":[");
        for (var i = 0; i < Count; i++)
        {
            if (i > 0) report.Append(',');
            report.Append($"{{\"VulnerabilityID\":\"CVE-2024-{10000 + i}\",\"PkgName\":\"pkg{i % 300}\",\"InstalledVersion\":\"1.{i % 7}\",\"Severity\":\"{Severities[i * 3 % 5]}\"}}");
        }
        report.Append("]}]}");
        var file = Path.Combine(Directory.CreateTempSubdirectory("triage-findings-").FullName, "big.json");
        await File.WriteAllTextAsync(file, report.ToString());
        var db = TestDatabases.NewSqlite();
        var r = await TriageCli.Run("ingest", "--db", db, file);
        Assert.True(r.Exit == 0, r.ToString());
        return db;
    }

    [Fact]
    public async Task MoreThanOnePage_EveryFormatListsEachFindingOnce_MostSevereFirst()
    {
        var db = await DatabaseWithManyFindings();

        var json = await TriageCli.Run("findings", "--db", db, "--format", "json");
        Assert.Equal(0, json.Exit);
        using var doc = JsonDocument.Parse(json.Out);
        var rows = doc.RootElement.EnumerateArray().Select(f => (Id: f.GetProperty("id").GetInt64(), Severity: f.GetProperty("severity").GetString()!)).ToList();
        Assert.Equal(Count, rows.Count);
        Assert.Equal(Count, rows.Select(r => r.Id).Distinct().Count());
        int Rank(string s) => Array.IndexOf(Severities, s.ToUpperInvariant());
        Assert.Equal(rows.OrderBy(r => Rank(r.Severity)).ThenBy(r => r.Id), rows);

        var csv = await TriageCli.Run("findings", "--db", db, "--format", "csv");
        Assert.Equal(0, csv.Exit);
        var lines = csv.Out.TrimEnd().Split('\n');
        Assert.Equal(Count + 1, lines.Length);
        Assert.Equal(rows.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines.Skip(1).Select(l => l.Split(',')[0]));

        var table = await TriageCli.Run("findings", "--db", db);
        Assert.Equal(0, table.Exit);
        var tableLines = table.Out.TrimEnd().Split('\n');
        Assert.StartsWith("SEVERITY", tableLines[0], StringComparison.Ordinal);
        Assert.Equal(Count + 2, tableLines.Length);
        Assert.Equal($"{Count} findings", tableLines[^1].TrimEnd());

        var critical = await TriageCli.Run("findings", "--db", db, "--format", "json", "--min-severity", "high");
        using var highDoc = JsonDocument.Parse(critical.Out);
        Assert.Equal(rows.Count(r => r.Severity is "critical" or "high"), highDoc.RootElement.GetArrayLength());
    }
}
