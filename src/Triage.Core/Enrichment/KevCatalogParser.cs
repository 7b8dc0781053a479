using System.Globalization;
using System.Text;
using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Enrichment;

/// <summary>
/// Reads the CISA KEV catalog as published (cisagov/kev-data: known_exploited_vulnerabilities.json and .csv),
/// detecting JSON or CSV from content. The JSON is read one entry at a time.
/// </summary>
public static class KevCatalogParser
{
    private const string What = "CISA KEV catalog";
    private static readonly HashSet<string> Streamed = new(StringComparer.Ordinal) { "vulnerabilities" };

    public static async Task<KevCatalog> ParseAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var (head, length, replay) = await PrefixedStream.PeekAsync(input, 4096, cancellationToken).ConfigureAwait(false);
        await using var _ = replay.ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(head, 0, length).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.Length == 0) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file is empty.");
        if (text[0] == '{') return await ParseJsonAsync(replay, cancellationToken).ConfigureAwait(false);
        if (text.StartsWith("cveID", StringComparison.OrdinalIgnoreCase) || text.StartsWith("\"cveID\"", StringComparison.OrdinalIgnoreCase))
            return await ParseCsvAsync(replay, cancellationToken).ConfigureAwait(false);
        throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: neither the JSON catalog nor the CSV with a cveID header.");
    }

    private static async Task<KevCatalog> ParseJsonAsync(Stream stream, CancellationToken ct)
    {
        string? title = null, version = null;
        DateTimeOffset? released = null;
        int? count = null;
        var entries = new List<KevEntry>();
        var warnings = new List<string>();
        var sawVulnerabilities = false;
        await foreach (var item in JsonItemStream.ReadAsync(stream, Streamed, What, cancellationToken: ct).ConfigureAwait(false))
        {
            if (item.Index >= 0)
            {
                sawVulnerabilities = true;
                var v = item.Value;
                var entry = Entry(v.Str("cveID"), v.Str("dateAdded"), v.Str("dueDate"), v.Str("knownRansomwareCampaignUse"), v.Str("vendorProject"),
                    v.Str("product"), v.Str("vulnerabilityName"), v.Str("requiredAction"),
                    v.Prop("cwes") is { ValueKind: JsonValueKind.Array } c ? [.. c.EnumerateArray().Select(x => x.AsString()).OfType<string>()] : [],
                    $"entry {item.Index}", warnings);
                if (entry is not null) entries.Add(entry);
                continue;
            }
            switch (item.Property)
            {
                case "title": title = item.Value.AsString(); break;
                case "catalogVersion": version = item.Value.AsString(); break;
                case "dateReleased":
                    released = DateTimeOffset.TryParse(item.Value.AsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
                    break;
                case "count": count = (int?)item.Value.AsLong(); break;
                case "vulnerabilities": sawVulnerabilities = true; break;
            }
        }
        if (!sawVulnerabilities) throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: no 'vulnerabilities' array.");
        var catalog = new KevCatalog { Title = title, CatalogVersion = version, DateReleased = released, DeclaredCount = count, Format = "json" };
        Fill(catalog, entries, warnings);
        if (count is { } n && n != catalog.Entries.Count) catalog.Warnings.Add($"The catalog declares {n} entries; {catalog.Entries.Count} were read.");
        return catalog;
    }

    private static async Task<KevCatalog> ParseCsvAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var csv = new CsvReader(reader);
        var header = await csv.ReadRecordAsync(ct).ConfigureAwait(false) ?? throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file is empty.");
        var col = header.Select((h, i) => (h.Trim(), i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.OrdinalIgnoreCase);
        if (!col.TryGetValue("cveID", out var cveCol) || !col.TryGetValue("dateAdded", out var addedCol))
            throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: the CSV header has no cveID and dateAdded columns.");
        string? Get(List<string> r, string name) => col.TryGetValue(name, out var i) && i < r.Count && r[i].Length > 0 ? r[i] : null;
        var entries = new List<KevEntry>();
        var warnings = new List<string>();
        while (await csv.ReadRecordAsync(ct).ConfigureAwait(false) is { } r)
        {
            if (r.Count == 1 && r[0].Length == 0) continue;
            var cwes = Get(r, "cwes")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            var entry = Entry(r.ElementAtOrDefault(cveCol), r.ElementAtOrDefault(addedCol), Get(r, "dueDate"), Get(r, "knownRansomwareCampaignUse"),
                Get(r, "vendorProject"), Get(r, "product"), Get(r, "vulnerabilityName"), Get(r, "requiredAction"), cwes, $"line {csv.RecordStartLine}", warnings);
            if (entry is not null) entries.Add(entry);
        }
        var catalog = new KevCatalog { Format = "csv" };
        Fill(catalog, entries, warnings);
        return catalog;
    }

    private static void Fill(KevCatalog catalog, List<KevEntry> entries, List<string> warnings)
    {
        catalog.Warnings.AddRange(warnings);
        foreach (var e in entries)
            if (!catalog.Entries.TryAdd(e.CveId, e)) catalog.Warnings.Add($"{e.CveId} is listed twice; the first entry is kept.");
    }

    private static KevEntry? Entry(string? cve, string? added, string? due, string? ransomware, string? vendor, string? product, string? name,
        string? action, IReadOnlyList<string> cwes, string where, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(cve) || !cve.Trim().StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add($"{where}: no CVE id, skipped.");
            return null;
        }
        if (!TryDate(added, out var dateAdded))
        {
            warnings.Add($"{where}: {cve} has no valid dateAdded ('{added}'), skipped.");
            return null;
        }
        return new KevEntry(cve.Trim().ToUpperInvariant(), dateAdded, TryDate(due, out var d) ? d : null, RansomwareUseNames.Parse(ransomware),
            vendor, product, name, action, cwes);
    }

    private static bool TryDate(string? s, out DateOnly date) =>
        DateOnly.TryParseExact(s?.Trim() is { Length: >= 10 } t ? t[..10] : s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

/// <summary>RFC 4180 records from a text reader: quoted fields may hold commas, quotes ("") and line breaks.</summary>
internal sealed class CsvReader(TextReader reader)
{
    private readonly StringBuilder _field = new();
    private long _line = 1;

    /// <summary>1-based line where the last record returned started.</summary>
    public long RecordStartLine { get; private set; }

    public async Task<List<string>?> ReadRecordAsync(CancellationToken ct)
    {
        var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (line is null) return null;
        RecordStartLine = _line++;
        var fields = new List<string>();
        _field.Clear();
        var quoted = false;
        var i = 0;
        while (true)
        {
            if (i >= line.Length)
            {
                if (!quoted) break;
                // A line break inside quotes belongs to the field.
                var next = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (next is null) throw new ReportFormatException(ReportErrorCode.Truncated, $"CSV: a quoted field starting on line {RecordStartLine} is never closed.", RecordStartLine);
                _line++;
                _field.Append('\n');
                line = next;
                i = 0;
                continue;
            }
            var c = line[i++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i < line.Length && line[i] == '"') { _field.Append('"'); i++; }
                    else quoted = false;
                }
                else _field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(_field.ToString()); _field.Clear(); }
            else _field.Append(c);
        }
        fields.Add(_field.ToString());
        return fields;
    }
}
