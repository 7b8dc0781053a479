using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Code;

/// <summary>
/// Reads govulncheck JSON: the v1 message stream (<c>govulncheck -json</c>, protocol v1.0.0, golang/vuln
/// internal/govulncheck/govulncheck.go), the same messages wrapped in an array, and the pre-1.0 layout
/// (Calls/Imports/Requires/Vulns/Modules). Fixtures from DefectDojo unittests/scans/govulncheck (v1.1.4 stream,
/// v1.0.0 and v1.0.1 arrays, a pre-1.0 report, an empty file).
/// </summary>
public static class GovulncheckParser
{
    private const string What = "govulncheck output";

    public static async Task<GovulncheckReport> ParseAsync(Stream utf8Json, int maxDepth = 64, CancellationToken cancellationToken = default)
    {
        var (head, length, replay) = await PrefixedStream.PeekAsync(utf8Json, 4096, cancellationToken).ConfigureAwait(false);
        await using var _ = replay.ConfigureAwait(false);
        if (JsonDocs.IsBlank(head.AsSpan(0, length)))
            throw new ReportFormatException(ReportErrorCode.Empty,
                $"{What}: the file is empty. govulncheck writes JSON only with -json (or -format json); an empty file usually means the run failed before scanning.");

        var first = FirstByte(head.AsSpan(0, length));
        var options = new JsonSerializerOptions { MaxDepth = maxDepth };
        try
        {
            if (first == (byte)'[')
                return await ReadMessagesAsync(JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(replay, options, cancellationToken), GovulncheckFormat.Array).ConfigureAwait(false);
            if (first != (byte)'{')
                throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: expected JSON objects or an array of them.");
            // Peek at the first object's first key to tell the v1 stream from the pre-1.0 layout.
            if (LooksLegacy(head.AsSpan(0, length)))
            {
                using var doc = await JsonDocs.ParseAsync(replay, What, maxDepth, cancellationToken).ConfigureAwait(false);
                return ReadLegacy(doc.RootElement);
            }
            return await ReadMessagesAsync(JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(replay, topLevelValues: true, options, cancellationToken), GovulncheckFormat.Stream).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw JsonErrors.From(ex, What);
        }
    }

    private static async Task<GovulncheckReport> ReadMessagesAsync(IAsyncEnumerable<JsonElement> messages, GovulncheckFormat format)
    {
        JsonElement? config = null;
        var osv = new List<JsonElement>();
        var findings = new List<JsonElement>();
        var recognised = 0;
        await foreach (var m in messages.ConfigureAwait(false))
        {
            if (m.ValueKind != JsonValueKind.Object) throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: a message is not a JSON object.");
            if (m.Obj("config") is { } c) { config = c; recognised++; }
            else if (m.Obj("osv") is { } o) { osv.Add(o); recognised++; }
            else if (m.Obj("finding") is { } f) { findings.Add(f); recognised++; }
            else if (m.Prop("progress") is not null || m.Prop("SBOM") is not null) recognised++;
        }
        if (recognised == 0) throw new ReportFormatException(ReportErrorCode.NotAScanReport, $"{What}: no config, osv or finding message found.");

        var report = new GovulncheckReport
        {
            Format = format,
            ScannerVersion = config?.Str("scanner_version"),
            ProtocolVersion = config?.Str("protocol_version"),
            ScanLevel = config?.Str("scan_level"),
            ScanMode = config?.Str("scan_mode"),
            GoVersion = config?.Str("go_version"),
            DbLastModified = config?.Time("db_last_modified"),
        };
        foreach (var o in osv) AddOsv(report, o);
        foreach (var f in findings)
        {
            var id = f.Str("osv");
            var frames = f.Arr("trace").ToList();
            if (id is null || frames.Count == 0) continue;
            var sink = frames[0];
            var module = sink.Str("module") ?? "(unknown)";
            var package = sink.Str("package");
            var function = sink.Str("function");
            var level = function is not null ? GoReachLevel.Called : package is not null ? GoReachLevel.Imported : GoReachLevel.Required;
            report.Findings.Add(new GoVulnFinding(id, module, sink.Str("version"), package, function is null ? null : Qualified(sink.Str("receiver"), function),
                level, f.Str("fixed_version"), [.. frames.Where(fr => fr.Str("function") is not null).Select(fr => $"{fr.Str("package")}.{Qualified(fr.Str("receiver"), fr.Str("function")!)}")]));
        }
        return report;
    }

    private static GovulncheckReport ReadLegacy(JsonElement root)
    {
        var report = new GovulncheckReport { Format = GovulncheckFormat.Legacy, ScanLevel = "symbol" };
        var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var m in root.Arr("Modules"))
            if (m.Str("Path") is { } p) versions[p] = m.Str("Version") is { Length: > 0 } v ? v : null;
        foreach (var v in root.Arr("Vulns"))
        {
            if (v.Obj("OSV") is not { } o || o.Str("id") is not { } id) continue;
            AddOsv(report, o);
            var module = v.Str("ModPath") ?? "(unknown)";
            // Sinks are node ids in the Calls/Imports/Requires graphs; 0 means "not reached at this level".
            var level = (v.Long("CallSink") ?? 0) != 0 ? GoReachLevel.Called
                : (v.Long("ImportSink") ?? 0) != 0 ? GoReachLevel.Imported
                : GoReachLevel.Required;
            var symbol = v.Str("Symbol");
            report.Findings.Add(new GoVulnFinding(id, module, versions.GetValueOrDefault(module), v.Str("PkgPath"),
                level == GoReachLevel.Called ? symbol : null, level, null, []));
        }
        return report;
    }

    private static void AddOsv(GovulncheckReport report, JsonElement o)
    {
        if (o.Str("id") is not { } id) return;
        var aliases = o.Arr("aliases").Select(a => a.AsString()).Where(a => !string.IsNullOrEmpty(a) && a != id)
            .Select(a => a!).Distinct(StringComparer.Ordinal).ToList();
        if (report.Osv.TryGetValue(id, out var existing))
            aliases = [.. existing.Aliases.Concat(aliases).Distinct(StringComparer.Ordinal)];
        report.Osv[id] = new GoOsvEntry(id, aliases, o.Str("summary") ?? existing?.Summary);
    }

    private static string Qualified(string? receiver, string function) =>
        string.IsNullOrEmpty(receiver) ? function : $"{receiver.TrimStart('*')}.{function}";

    private static byte FirstByte(ReadOnlySpan<byte> data)
    {
        var i = data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
        for (; i < data.Length; i++)
            if (data[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return data[i];
        return 0;
    }

    /// <summary>The legacy layout's first key is one of its graph sections; v1 messages start with a message name.</summary>
    private static bool LooksLegacy(ReadOnlySpan<byte> head)
    {
        var reader = new Utf8JsonReader(head, isFinalBlock: false, default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName) return false;
            return reader.GetString() is "Calls" or "Imports" or "Requires" or "Vulns" or "Modules";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
