using System.Text.Json;
using Triage.Core.Ingest;

namespace Triage.Core.Runtime.Json;

/// <summary>Turns System.Text.Json errors into the one error type importers already report (<see cref="ReportFormatException"/>).</summary>
internal static class JsonErrors
{
    public static ReportFormatException From(JsonException ex, string what, long segmentOffset = 0)
    {
        var message = ex.Message;
        // System.Text.Json has no error codes; these phrases are stable across .NET 8-10.
        var code = message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase) ? ReportErrorCode.TooDeep
            : message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || message.Contains("incomplete", StringComparison.OrdinalIgnoreCase)
              || message.Contains("should be closed", StringComparison.OrdinalIgnoreCase) ? ReportErrorCode.Truncated
            : ReportErrorCode.InvalidJson;
        // Line numbers are only exact for the first buffer; later buffers report their offset instead.
        long? line = segmentOffset == 0 && ex.LineNumber is { } l ? l + 1 : null;
        long? pos = segmentOffset == 0 ? ex.BytePositionInLine : segmentOffset + (ex.BytePositionInLine ?? 0);
        return new ReportFormatException(code, $"{what}: {Describe(code)} ({FirstSentence(message)})", line, pos, ex);
    }

    public static ReportFormatException WrongType(string what, string field, string expected) =>
        new(ReportErrorCode.WrongType, $"{what}: field '{field}' should be {expected}.");

    private static string Describe(ReportErrorCode code) => code switch
    {
        ReportErrorCode.TooDeep => "JSON nesting is deeper than allowed",
        ReportErrorCode.Truncated => "the JSON ends before it is complete",
        _ => "not valid JSON",
    };

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }
}
