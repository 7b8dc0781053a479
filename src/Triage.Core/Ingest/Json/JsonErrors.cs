using System.Text.Json;

namespace Triage.Core.Ingest.Json;

/// <summary>Turns System.Text.Json's exceptions into the user-facing <see cref="ReportFormatException"/>.</summary>
internal static class JsonErrors
{
    public const string TruncatedMessage = "the JSON ends before it is complete (the file is truncated)";

    /// <param name="remaining">The unread data where the reader stopped (to recognise binary data).</param>
    /// <param name="atFileStart">True when <paramref name="remaining"/> starts at the first byte of the file.</param>
    public static ReportFormatException FromJsonException(JsonException e, ReadOnlySpan<byte> remaining, bool atFileStart)
    {
        // JsonException.LineNumber is 0-based; the contract and every editor count lines from 1.
        var line = (e.LineNumber ?? 0) + 1;
        var col = e.BytePositionInLine ?? 0;
        if (atFileStart && line == 1 && col == 0 && remaining.Length > 0 && !LooksLikeJsonStart(remaining[0]))
            return new ReportFormatException(ReportErrorCode.InvalidJson,
                $"the file is not JSON text (it starts with the byte 0x{remaining[0]:X2})", line, col, e);
        return new ReportFormatException(ReportErrorCode.InvalidJson, $"invalid JSON: {Reason(e)}", line, col, e);
    }

    /// <summary>The reader's explanation without its own position suffix (we add ours, 1-based).</summary>
    public static string Reason(JsonException e)
    {
        var m = e.Message;
        var cut = m.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) m = m[..cut];
        m = m.Trim().TrimEnd('.');
        return m.Length == 0 ? "malformed JSON" : m;
    }

    private static bool LooksLikeJsonStart(byte b) =>
        b is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' or (byte)'t' or (byte)'f' or (byte)'n'
            or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF || b is >= (byte)'0' and <= (byte)'9';
}
