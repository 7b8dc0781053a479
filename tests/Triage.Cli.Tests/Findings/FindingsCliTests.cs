using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Triage.Cli.Commands;
using Triage.Cli.Tests.Support;
using Triage.Core.Domain;
using Triage.Data.Queries;
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

    /// <summary>A reader that closes the pipe (`triage findings | head`) ends the listing at the next write: the page after
    /// it is never read. (Console streams on Unix drop such writes, so the listing used to read every finding for nobody.)</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("table")]
    public async Task AClosedPipe_StopsTheListing(string format)
    {
        var pulled = 0;
        async IAsyncEnumerable<List<FindingView>> Pages()
        {
            for (var p = 0; p < 50; p++)
            {
                pulled++;
                await Task.Yield();
                yield return Enumerable.Range(p * 10, 10).Select(View).ToList();
            }
        }
        var stdout = new ClosedAfterFirstWrite();
        var e = await Assert.ThrowsAnyAsync<IOException>(() => FindingsCommand.WriteAsync(format, Pages(), stdout));
        Assert.True(CliOutput.IsBrokenPipe(e), e.ToString());
        Assert.InRange(pulled, 1, 2);
        Assert.False(CliOutput.IsBrokenPipe(new IOException("disk full", 28)));
    }

    /// <summary>The same through a real pipe: the `triage` process ends at once, successfully and without a word.</summary>
    [Fact]
    public async Task AClosedPipe_EndsTheProcessQuietly()
    {
        var db = await DatabaseWithManyFindings();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "triage.dll"), "findings", "--db", db, "--format", "csv" }) psi.ArgumentList.Add(a);
        psi.Environment["TRIAGE_JIT_PROFILE"] = "0";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.StartsWith("id,image,digest", await p.StandardOutput.ReadLineAsync(), StringComparison.Ordinal);
        p.StandardOutput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        Assert.Equal("", await stderr);
        Assert.Equal(0, p.ExitCode);
    }

    private static FindingView View(int i) => new()
    {
        Id = i + 1,
        Image = "registry.example/team/app:1",
        Repository = "registry.example/team/app",
        Package = new PackageView($"pkg:deb/debian/p{i}@1", "deb", "debian", $"p{i}", "1", null, null),
        Vulnerability = new VulnerabilityView($"CVE-2024-{1000 + i}", [], [], null),
        Severity = Severity.High,
    };

    /// <summary>Standard output whose reader went away after the first write: later writes fail with EPIPE.</summary>
    private sealed class ClosedAfterFirstWrite : MemoryStream
    {
        private bool _written;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written) throw new IOException("Broken pipe", 32);
            _written = true;
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
