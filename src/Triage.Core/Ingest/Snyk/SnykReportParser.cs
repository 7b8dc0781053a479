using Triage.Core.Domain;
namespace Triage.Core.Ingest.Snyk;
public sealed class SnykReportParser : IScanReportParser
{
    public ScannerKind Scanner => ScannerKind.Snyk;
    public Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
