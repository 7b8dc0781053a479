using Triage.Core.Domain;
namespace Triage.Core.Ingest.Grype;
public sealed class GrypeReportParser : IScanReportParser
{
    public ScannerKind Scanner => ScannerKind.Grype;
    public Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
