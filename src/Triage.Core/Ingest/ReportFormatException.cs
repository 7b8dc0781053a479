namespace Triage.Core.Ingest;

/// <summary>Why a report could not be imported. Codes are stable and machine-readable (API problem types, CLI JSON).</summary>
public enum ReportErrorCode
{
    /// <summary>The file is empty or only whitespace.</summary>
    Empty,
    /// <summary>The JSON ends before it is complete.</summary>
    Truncated,
    /// <summary>Not valid JSON (or not UTF-8).</summary>
    InvalidJson,
    /// <summary>Nesting deeper than the configured limit.</summary>
    TooDeep,
    /// <summary>Valid JSON, but not a report of any supported scanner (CycloneDX, SARIF, VEX…).</summary>
    NotAScanReport,
    /// <summary>A report of another scanner than the one forced with --scanner.</summary>
    WrongScanner,
    /// <summary>The scanner reported an error instead of results (Snyk ok:false).</summary>
    ScannerError,
    /// <summary>A field has the wrong JSON type (an id that is a number, an array where an object belongs).</summary>
    WrongType,
    /// <summary>Larger than the configured limit.</summary>
    TooLarge,
    /// <summary>The report is literally <c>null</c>: nothing to import, and the scanner cannot be told.</summary>
    NullReport,
    /// <summary>An identifier (vulnerability id, package name or version, image name, digest or tag) longer than any real one.</summary>
    FieldTooLong,
}

/// <summary>A clear, user-facing error about one report. The message names the problem; the caller adds the file name.</summary>
public sealed class ReportFormatException : Exception
{
    /// <summary>Longest message kept: a message may quote the report (a key, a value), and a hostile report must not be
    /// echoed back at length into logs, problem bodies or terminals.</summary>
    public const int MaxMessageLength = 600;

    public ReportFormatException(ReportErrorCode code, string message, long? line = null, long? bytePosition = null, Exception? inner = null)
        : base(Shorten(message), inner)
    {
        Code = code;
        Line = line;
        BytePosition = bytePosition;
    }

    /// <summary>Cuts a message to <see cref="MaxMessageLength"/>: every error about uploaded content (reports, VEX, bundles)
    /// goes through this, since any of them may quote the file.</summary>
    public static string Shorten(string message) =>
        message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength - 40), " … (", (message.Length - MaxMessageLength + 40).ToString(System.Globalization.CultureInfo.InvariantCulture), " more characters)");

    public ReportErrorCode Code { get; }
    /// <summary>1-based line of the problem in the file, when known.</summary>
    public long? Line { get; }
    /// <summary>0-based byte position within that line, when known.</summary>
    public long? BytePosition { get; }

    /// <summary>The stable wire name of <see cref="Code"/>.</summary>
    public string CodeName => Code switch
    {
        ReportErrorCode.Empty => "empty",
        ReportErrorCode.Truncated => "truncated",
        ReportErrorCode.InvalidJson => "invalid_json",
        ReportErrorCode.TooDeep => "too_deep",
        ReportErrorCode.NotAScanReport => "not_a_scan_report",
        ReportErrorCode.WrongScanner => "wrong_scanner",
        ReportErrorCode.ScannerError => "scanner_error",
        ReportErrorCode.WrongType => "wrong_type",
        ReportErrorCode.TooLarge => "too_large",
        ReportErrorCode.NullReport => "null_report",
        ReportErrorCode.FieldTooLong => "field_too_long",
    };

    /// <summary>Message with the position appended, e.g. "JSON ends before it is complete (line 412, byte 17)".</summary>
    public string Describe() => Line is null ? Message : $"{Message} (line {Line}, byte {BytePosition ?? 0})";
}
