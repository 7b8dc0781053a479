using System.Globalization;
using System.IO.Compression;
using System.Text;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Enrichment;

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

    public static async Task<EpssSnapshot> ParseAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var (head, length, replay) = await PrefixedStream.PeekAsync(input, 2, cancellationToken).ConfigureAwait(false);
        if (length == 0) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file is empty.");
        var gzip = length == 2 && head[0] == 0x1F && head[1] == 0x8B;
        Stream body = gzip ? new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false) : replay;
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
                : await ParseCsvAsync(stream, "csv" + suffix, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new ReportFormatException(ReportErrorCode.InvalidJson, $"{What}: the gzip data is damaged ({ex.Message}).", inner: ex);
        }
    }

    private static async Task<EpssSnapshot> ParseCsvAsync(Stream stream, string format, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 256 * 1024, leaveOpen: true);
        long lineNo = 1;
        var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        string? model = null;
        DateOnly? date = null;
        if (line is not null && line.StartsWith('#'))
        {
            // "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z"
            foreach (var part in line[1..].Split(',', StringSplitOptions.TrimEntries))
            {
                var colon = part.IndexOf(':');
                if (colon < 0) continue;
                var key = part[..colon];
                var value = part[(colon + 1)..];
                if (key == "model_version") model = value;
                else if (key == "score_date" && value.Length >= 10 && DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) date = d;
            }
            line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            lineNo++;
        }
        if (line is null) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the CSV has no header line.");
        var header = line.Split(',', StringSplitOptions.TrimEntries);
        var cveCol = Array.IndexOf(header, "cve");
        var epssCol = Array.IndexOf(header, "epss");
        var pctCol = Array.IndexOf(header, "percentile");
        if (cveCol < 0 || epssCol < 0 || pctCol < 0)
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: expected a 'cve,epss,percentile' header, found '{Truncate(line)}'.", lineNo);
        var columns = Math.Max(cveCol, Math.Max(epssCol, pctCol)) + 1;

        var snapshot = new EpssSnapshot(capacity: 320_000) { ModelVersion = model, ScoreDate = date, Format = format };
        while ((line = await reader.ReadLineAsync(ct).ConfigureAwait(false)) is not null)
        {
            lineNo++;
            if (line.Length > 0) AddRow(snapshot, line, lineNo, cveCol, epssCol, pctCol, columns);
        }
        return snapshot;
    }

    private static async Task<EpssSnapshot> ParseJsonAsync(Stream stream, string format, CancellationToken ct)
    {
        var snapshot = new EpssSnapshot { Format = format };
        var index = 0;
        await foreach (var item in JsonItemStream.ReadAsync(stream, Streamed, What, cancellationToken: ct).ConfigureAwait(false))
        {
            if (item.Index < 0) continue; // status, total, model_version… of the API envelope
            index++;
            var v = item.Value;
            var cve = v.Str("cve");
            if (string.IsNullOrWhiteSpace(cve)) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: record {index} has no 'cve'.");
            var epss = v.Double("epss") ?? throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has no numeric 'epss'.");
            var pct = v.Double("percentile") ?? throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has no numeric 'percentile'.");
            if (epss is < 0 or > 1 || pct is < 0 or > 1) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: {cve} has a value outside 0..1.");
            snapshot.Scores[cve.Trim()] = new EpssScore(cve.Trim(), epss, pct);
            if (snapshot.ScoreDate is null && v.Str("date") is { Length: >= 10 } d &&
                DateOnly.TryParseExact(d[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                snapshot.ScoreDate = date;
        }
        return snapshot;
    }

    private static void AddRow(EpssSnapshot snapshot, string line, long lineNo, int cveCol, int epssCol, int pctCol, int columns)
    {
        var span = line.AsSpan();
        Span<Range> ranges = stackalloc Range[8];
        var count = span.Split(ranges, ',');
        if (count < columns) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: line {lineNo} has {count} fields, expected {columns}.", lineNo);
        var cve = span[ranges[cveCol]].Trim().ToString();
        var epss = Number(span[ranges[epssCol]], "epss", lineNo);
        var pct = Number(span[ranges[pctCol]], "percentile", lineNo);
        snapshot.Scores[cve] = new EpssScore(cve, epss, pct);
    }

    private static double Number(ReadOnlySpan<char> text, string column, long line)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1 || double.IsNaN(value))
            throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: line {line}: {column} '{text.ToString()}' is not a number between 0 and 1.", line);
        return value;
    }

    private static string Truncate(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
