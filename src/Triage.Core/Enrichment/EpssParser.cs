using System.Globalization;
using System.IO.Compression;
using System.Text;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Enrichment;

/// <summary>Limits for reading an untrusted EPSS file: the one upload Triage decompresses (FIRST publishes it as .csv.gz;
/// docs/decisions/106-epss-gzip-limits.md).</summary>
public sealed record EpssReadOptions
{
    /// <summary>The full CSV inflates to about 10 MiB (~300,000 rows) and the API's JSON for every CVE to about 30 MiB: a
    /// gzip file that inflates past this is a compression bomb.</summary>
    public const long DefaultMaxDecompressedBytes = 128L * 1024 * 1024;

    /// <summary>Largest content a gzip file may inflate to (Triage:Import:MaxDecompressedBytes).</summary>
    public long MaxDecompressedBytes { get; init; } = DefaultMaxDecompressedBytes;

    /// <summary>A CSV row is a few dozen bytes and the model line under 100: a longer line is not EPSS, and would otherwise be
    /// buffered whole however long it grows.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    public static EpssReadOptions Default { get; } = new();
}

/// <summary>
/// Reads FIRST EPSS scores as published: the daily CSV (first line <c>#model_version:…,score_date:…</c>, then
/// <c>cve,epss,percentile</c>), plain or gzip, and the JSON forms (an array of {cve, epss, percentile} as in the
/// fixture, or the FIRST API's {"data":[…]} with numbers as strings). Format and compression come from content.
/// The full file (~300,000 rows) parses in well under a second.
/// </summary>
public static class EpssParser
{
    private const string What = "EPSS scores";
    private static readonly HashSet<string> Streamed = new(StringComparer.Ordinal) { "data" };

    /// <summary>One EPSS row in the JSON forms is about 100 bytes; an element past this is not one.</summary>
    private const int MaxJsonRecordBytes = 1 << 20;

    public static Task<EpssSnapshot> ParseAsync(Stream input, CancellationToken cancellationToken = default) =>
        ParseAsync(input, EpssReadOptions.Default, cancellationToken);

    public static async Task<EpssSnapshot> ParseAsync(Stream input, EpssReadOptions options, CancellationToken cancellationToken = default)
    {
        var (head, length, replay) = await PrefixedStream.PeekAsync(input, 2, cancellationToken).ConfigureAwait(false);
        if (length == 0) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file is empty.");
        var gzip = length == 2 && head[0] == 0x1F && head[1] == 0x8B;
        // Counted as it inflates: a few KiB of gzip can expand to gigabytes.
        Stream body = gzip
            ? new SizeLimitedStream(new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false), options.MaxDecompressedBytes,
                $"{What}: the gzip data inflates to more than the limit of {CaptureStream.FormatBytes(options.MaxDecompressedBytes)}")
            : replay;
        await using var _ = body.ConfigureAwait(false);
        try
        {
            var (h, n, stream) = await PrefixedStream.PeekAsync(body, 64, cancellationToken).ConfigureAwait(false);
            await using var __ = stream.ConfigureAwait(false);
            var first = Encoding.UTF8.GetString(h, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (first.Length == 0) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file is empty.");
            var suffix = gzip ? ".gz" : "";
            return first[0] is '[' or '{'
                ? await ParseJsonAsync(stream, "json" + suffix, cancellationToken).ConfigureAwait(false)
                : await ParseCsvAsync(stream, "csv" + suffix, options.MaxLineBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new ReportFormatException(ReportErrorCode.InvalidJson, $"{What}: the gzip data is damaged ({ex.Message}).", inner: ex);
        }
    }

    private static async Task<EpssSnapshot> ParseCsvAsync(Stream stream, string format, int maxLine, CancellationToken ct)
    {
        // Bytes, not strings: rows are split and parsed in place; only ids that are not standard CVE ids become strings.
        var state = new CsvState { MaxLine = maxLine };
        var buffer = new byte[1 << 20];
        var length = 0;
        EpssSnapshot? snapshot = null;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            var final = n == 0;
            length += n;
            var consumed = ParseLines(buffer.AsSpan(0, length), final, state, ref snapshot, format);
            buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
            length -= consumed;
            if (final) break;
            // What is left is one unfinished line: refused once past the limit, before it is buffered any further.
            if (length > maxLine) throw LineTooLong(state.Line + 1, maxLine);
            if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a limit above the buffer's size
        }
        if (snapshot is null) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the CSV has no header line.");
        return snapshot;
    }

    private sealed class CsvState
    {
        public long Line;
        public string? Model;
        public DateOnly? Date;
        public int CveCol = -1, EpssCol = -1, PctCol = -1, Columns;
        public int MaxLine = int.MaxValue;
    }

    private static ReportFormatException LineTooLong(long line, int max) =>
        new(ReportErrorCode.TooLarge, $"{What}: line {line} is longer than the limit of {CaptureStream.FormatBytes(max)} for one line.", line);

    private static int ParseLines(ReadOnlySpan<byte> data, bool final, CsvState st, ref EpssSnapshot? snapshot, string format)
    {
        var consumed = 0;
        Span<Range> ranges = stackalloc Range[8];
        while (consumed < data.Length)
        {
            var rest = data[consumed..];
            var nl = rest.IndexOf((byte)'\n');
            if (nl < 0 && !final) break;
            var line = nl < 0 ? rest : rest[..nl];
            consumed += nl < 0 ? rest.Length : nl + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            st.Line++;
            if (line.Length > st.MaxLine) throw LineTooLong(st.Line, st.MaxLine);
            if (st.Line == 1 && line.Length >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF) line = line[3..];
            if (line.IsEmpty) continue;
            if (snapshot is null)
            {
                var text = Encoding.UTF8.GetString(line);
                if (text.StartsWith('#')) { ReadModelLine(text, st); continue; }
                var header = text.Split(',', StringSplitOptions.TrimEntries);
                st.CveCol = Array.IndexOf(header, "cve");
                st.EpssCol = Array.IndexOf(header, "epss");
                st.PctCol = Array.IndexOf(header, "percentile");
                if (st.CveCol < 0 || st.EpssCol < 0 || st.PctCol < 0)
                    throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: expected a 'cve,epss,percentile' header, found '{Truncate(text)}'.", st.Line);
                st.Columns = Math.Max(st.CveCol, Math.Max(st.EpssCol, st.PctCol)) + 1;
                snapshot = new EpssSnapshot(capacity: 320_000) { ModelVersion = st.Model, ScoreDate = st.Date, Format = format };
                continue;
            }
            var count = SplitFields(line, ranges);
            if (count < st.Columns)
                throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: line {st.Line} has {count} fields, expected {st.Columns}.", st.Line);
            var cve = line[ranges[st.CveCol]].Trim((byte)' ');
            var epss = Number(line[ranges[st.EpssCol]], "epss", st.Line);
            var pct = Number(line[ranges[st.PctCol]], "percentile", st.Line);
            if (CveKey.TryParse(cve, out var key)) snapshot.Add(key, epss, pct);
            else snapshot.Add(Encoding.UTF8.GetString(cve), epss, pct);
        }
        return consumed;
    }

    private static int SplitFields(ReadOnlySpan<byte> line, Span<Range> ranges)
    {
        var count = 0;
        var start = 0;
        while (count < ranges.Length)
        {
            var comma = line[start..].IndexOf((byte)',');
            if (comma < 0) { ranges[count++] = new Range(start, line.Length); break; }
            ranges[count++] = new Range(start, start + comma);
            start += comma + 1;
        }
        return count;
    }

    /// <summary>"#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z"</summary>
    private static void ReadModelLine(string line, CsvState st)
    {
        foreach (var part in line[1..].Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':');
            if (colon < 0) continue;
            var key = part[..colon];
            var value = part[(colon + 1)..];
            if (key == "model_version") st.Model = value;
            else if (key == "score_date" && value.Length >= 10 && DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) st.Date = d;
        }
    }

    private static double Number(ReadOnlySpan<byte> text, string column, long line)
    {
        if (!double.TryParse(text.Trim((byte)' '), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1 || double.IsNaN(value))
            throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: line {line}: {column} '{Encoding.UTF8.GetString(text)}' is not a number between 0 and 1.", line);
        return value;
    }

    private static async Task<EpssSnapshot> ParseJsonAsync(Stream stream, string format, CancellationToken ct)
    {
        var snapshot = new EpssSnapshot { Format = format };
        var index = 0;
        await foreach (var item in JsonItemStream.ReadAsync(stream, Streamed, What, maxItemBytes: MaxJsonRecordBytes, cancellationToken: ct).ConfigureAwait(false))
        {
            if (item.Index < 0) continue; // status, total, model_version… of the API envelope
            index++;
            var v = item.Value;
            var cve = v.Str("cve");
            if (string.IsNullOrWhiteSpace(cve)) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: record {index} has no 'cve'.");
            var epss = v.Double("epss") ?? throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has no numeric 'epss'.");
            var pct = v.Double("percentile") ?? throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has no numeric 'percentile'.");
            if (epss is < 0 or > 1 || pct is < 0 or > 1) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has a value outside 0..1.");
            snapshot.Add(cve, epss, pct);
            if (snapshot.ScoreDate is null && v.Str("date") is { Length: >= 10 } d &&
                DateOnly.TryParseExact(d[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                snapshot.ScoreDate = date;
        }
        return snapshot;
    }

    private static string Truncate(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
