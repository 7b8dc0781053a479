using Triage.Core.Domain;
using Triage.Web.Features.Sessions;

namespace Triage.Web.Tests.Features;

public sealed class SessionExportTests
{
    private static SessionSummary Summary() => new(5, "Payments | weekly", "severity=critical", "Ana", new DateTime(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc), null,
    [
        new SessionSummaryLine(1, 11, "CVE-2024-1", "openssl 3.0", "app:1", Severity.Critical, DecisionStatus.NotAffected, "vulnerable_code_not_in_execute_path: =cmd|' /C calc'!A0", "Ben", new DateTime(2026, 11, 28, 10, 5, 0, DateTimeKind.Utc)),
        new SessionSummaryLine(2, 12, "CVE-2024-2", "zlib 1.3", "app:1", Severity.High, null, null, null, null),
    ]);

    [Fact]
    public void Markdown_ListsDecidedAndDeferred_WithAuthors()
    {
        var md = SessionExport.ToMarkdown(Summary());
        Assert.Contains("# Triage session: Payments \\| weekly", md);
        Assert.Contains("- Decided: 1, deferred: 1", md);
        Assert.Contains("| 1 | CVE-2024-1 | openssl 3.0 | app:1 | critical | not_affected |", md);
        Assert.Contains("| Ben |", md);
        Assert.Contains("| 2 | CVE-2024-2 | zlib 1.3 | app:1 | high |", md);
    }

    [Fact]
    public void Csv_QuotesAndNeutralisesFormulas()
    {
        var lines = SessionExport.ToCsv(Summary()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("position,finding_id,vulnerability", lines[0]);
        Assert.Contains(",decided,not_affected,", lines[1]);
        Assert.Contains(",deferred,", lines[2]);
        Assert.Equal("'=cmd", SessionExport.Csv("=cmd"));
        Assert.Equal("\"a,b\"", SessionExport.Csv("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", SessionExport.Csv("say \"hi\""));
    }

    [Fact]
    public void MarkdownCell_DropsControlCharactersAndHtml()
    {
        Assert.Equal("a&lt;script&gt; b", SessionExport.Md("a<script>\nb\u0007"));
    }
}
