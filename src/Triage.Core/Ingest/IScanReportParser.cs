using Triage.Core.Domain;

namespace Triage.Core.Ingest;

/// <summary>One parser per scanner (STYLE.md habit 3). Parsers stream: memory grows with what is kept, not with the file.</summary>
public interface IScanReportParser
{
    ScannerKind Scanner { get; }

    /// <summary>Parses a UTF-8 JSON report. Throws <see cref="ReportFormatException"/> for every kind of bad input,
    /// with the line and byte position for JSON errors. Unknown fields are ignored; missing optional fields are fine.</summary>
    Task<ParsedReport> ParseAsync(Stream utf8Json, ParseOptions options, CancellationToken cancellationToken = default);
}

public sealed record ParseOptions
{
    /// <summary>Maximum JSON nesting depth accepted (hostile input guard).</summary>
    public int MaxDepth { get; init; } = 64;
    /// <summary>Largest report accepted, in bytes; null for no limit. Beyond it the parse stops with <see cref="ReportErrorCode.TooLarge"/>.</summary>
    public long? MaxBytes { get; init; }
    public static ParseOptions Default { get; } = new();
}
