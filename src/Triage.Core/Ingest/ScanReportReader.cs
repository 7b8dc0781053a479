using System.Text;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest.Grype;
using Triage.Core.Ingest.Json;
using Triage.Core.Ingest.Snyk;
using Triage.Core.Ingest.Trivy;

namespace Triage.Core.Ingest;

/// <summary>
/// The one entry point the import pipeline calls: sniffs the report, picks the parser registered for its scanner
/// (explicitly, STYLE.md habit 3) and parses. Every kind of bad input comes out as a <see cref="ReportFormatException"/>;
/// I/O failures and cancellation are not bad input and pass through unchanged.
/// </summary>
public sealed class ScanReportReader
{
    private readonly Dictionary<ScannerKind, IScanReportParser> _parsers = [];

    public ScanReportReader(IEnumerable<IScanReportParser> parsers)
    {
        foreach (var p in parsers) _parsers[p.Scanner] = p;
    }

    /// <summary>The reader with the three built-in parsers.</summary>
    public static ScanReportReader Default { get; } = new([new TrivyReportParser(), new GrypeReportParser(), new SnykReportParser()]);

    /// <summary>Parses a report read from a file (streamed, never loaded whole).</summary>
    public async Task<ParsedReport> ParseFileAsync(string path, ScannerKind? forced, ParseOptions? options = null, CancellationToken ct = default)
    {
        // A local file is read synchronously: page-cache reads take microseconds, while "async" file reads are a thread-pool
        // hop per buffer on Linux (measured: the hops, not the reads, dominated the time of a 30 MiB parse).
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return await ParseAsync(new SynchronousReadStream(file), forced, options ?? ParseOptions.Default, ct).ConfigureAwait(false);
    }

    /// <summary>Parses a UTF-8 JSON report.</summary>
    /// <param name="utf8Json">The report; read once, front to back. Need not be seekable.</param>
    /// <param name="forced">The scanner the user named (--scanner); null to recognise it from the report.</param>
    public async Task<ParsedReport> ParseAsync(Stream utf8Json, ScannerKind? forced, ParseOptions options, CancellationToken ct = default)
    {
        try
        {
            var (sniff, replay) = await ReportSniffer.SniffAsync(utf8Json, options, ct).ConfigureAwait(false);
            var scanner = Choose(sniff, forced);
            if (scanner is null)
            {
                // Only a null report forced to Trivy gets here: old Trivy versions wrote `null` when nothing was found.
                var empty = new ParsedReport(ScannerKind.Trivy);
                empty.Warnings.Add("the report is `null`: an old Trivy version's way of saying it found nothing");
                return empty;
            }
            if (!_parsers.TryGetValue(scanner.Value, out var parser))
                throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"no parser is registered for {scanner.Value.ToWire()}");
            return await parser.ParseAsync(replay, options, ct).ConfigureAwait(false);
        }
        catch (ReportFormatException)
        {
            throw;
        }
        catch (JsonException e)
        {
            // Parsers convert their own errors; this is the safety net the contract promises.
            throw new ReportFormatException(ReportErrorCode.InvalidJson, $"invalid JSON: {JsonErrors.Reason(e)}", (e.LineNumber ?? 0) + 1, e.BytePositionInLine, e);
        }
        catch (DecoderFallbackException e)
        {
            throw new ReportFormatException(ReportErrorCode.InvalidJson, "the report is not valid UTF-8 text", inner: e);
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException)
        {
            throw new ReportFormatException(ReportErrorCode.InvalidJson, $"unexpected JSON content: {e.Message}", inner: e);
        }
    }

    /// <summary>Decides which parser reads the report, or throws the error the sniff result calls for.
    /// Returns null for a `null` report forced to Trivy (an empty report).</summary>
    internal static ScannerKind? Choose(SniffResult sniff, ScannerKind? forced)
    {
        switch (sniff.Kind)
        {
            case SniffKind.Null:
                if (forced == ScannerKind.Trivy) return null;
                throw new ReportFormatException(ReportErrorCode.NullReport, forced is null
                    ? "the report is `null`: no scanner can be recognised; pass --scanner trivy for an old Trivy report of no findings"
                    : $"the report is `null`, which {forced.Value.ToWire()} never writes (only old Trivy versions do; pass --scanner trivy)");
            case SniffKind.NotAScanReport:
                throw new ReportFormatException(ReportErrorCode.NotAScanReport,
                    $"this is {sniff.Detail}, not a scanner report (Trivy, Grype or Snyk JSON)");
            case SniffKind.SnykError:
                throw new ReportFormatException(ReportErrorCode.ScannerError, $"Snyk reported an error instead of results: {sniff.Detail}");
            case SniffKind.Unknown:
                if (forced is not null) return forced;
                throw new ReportFormatException(ReportErrorCode.NotAScanReport,
                    $"this is {sniff.Detail ?? "JSON"} that no supported scanner (Trivy, Grype, Snyk) writes; pass --scanner if it is one");
            case SniffKind.Trivy:
            case SniffKind.Grype:
            case SniffKind.Snyk:
                var found = sniff.Scanner!.Value;
                if (forced is { } f && f != found)
                    throw new ReportFormatException(ReportErrorCode.WrongScanner,
                        $"the report looks like a {Display(found)} report, but --scanner {f.ToWire()} was given (expected a {Display(f)} report)");
                return found;
        }
        throw new ReportFormatException(ReportErrorCode.NotAScanReport, "the report could not be recognised");
    }

    private static string Display(ScannerKind s) => s switch
    {
        ScannerKind.Trivy => "Trivy",
        ScannerKind.Grype => "Grype",
        ScannerKind.Snyk => "Snyk",
    };
}
