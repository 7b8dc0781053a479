using Triage.Core.Domain;

namespace Triage.Core.Ingest;

// Placeholder entry point, replaced by the streaming parsers (feat/parsers).
public static class ScanReportReader
{
    public static Task<ParsedReport> ParseAsync(Stream utf8Json, ScannerKind? forced, ParseOptions options, CancellationToken cancellationToken = default) =>
        throw new ReportFormatException(ReportErrorCode.NotAScanReport, "parsers are not available in this build");
}
