using System.Text;
using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime.Files;

/// <summary>
/// Reads Triage's generic file-access format (JSON lines; documented in docs/decisions/031-runtime-partial-profiles.md),
/// the target for converted eBPF, strace or Tetragon exports. One object per line:
/// <code>{"image":"repo@sha256:…" | "sha256:…", "path":"/usr/lib/x86_64-linux-gnu/libssl.so.3", "op":"read|write|exec|open", "count":3}</code>
/// An optional header line <c>{"profile":{"image":"…","complete":true,"source":"tetragon","reason":"…"}}</c> declares a
/// profile complete; without it a profile is Partial and can only prove use. Blank lines and lines starting with '#'
/// are skipped. A malformed line fails the whole file with its line number: half a profile read as whole would mislead.
/// </summary>
public static class FileAccessJsonLinesParser
{
    private const string What = "file-access JSON lines";

    public static async Task<IReadOnlyList<FileAccessProfile>> ParseAsync(Stream utf8, string? defaultSource = null, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(utf8, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var headers = new Dictionary<string, (bool Complete, string? Source, string? Reason)>(StringComparer.Ordinal);
        (bool Complete, string? Source, string? Reason)? anyImageHeader = null;
        var records = new Dictionary<string, (RuntimeImageReference Image, List<(string Path, FileOps Op, long Count)> Files)>(StringComparer.Ordinal);
        long lineNo = 0;
        var any = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            any = true;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException ex) { throw new ReportFormatException(ReportErrorCode.InvalidJson, $"{What}: line {lineNo} is not valid JSON ({ex.Message.Split(". ")[0]}).", lineNo, ex.BytePositionInLine, ex); }
            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object)
                    throw new ReportFormatException(ReportErrorCode.WrongType, $"{What}: line {lineNo} is not a JSON object.", lineNo);
                if (o.Obj("profile") is { } header)
                {
                    var h = (header.Bool("complete") == true, header.Str("source"), header.Str("reason"));
                    if (header.Str("image") is { Length: > 0 } hi) headers[RuntimeImageReference.Parse(hi, bareDigestIsImageId: false).Key] = h;
                    else anyImageHeader = h;
                    continue;
                }
                var imageText = o.Str("image");
                var path = o.Str("path");
                var opText = o.Str("op");
                if (string.IsNullOrWhiteSpace(imageText)) throw Missing(lineNo, "image");
                if (string.IsNullOrWhiteSpace(path)) throw Missing(lineNo, "path");
                if (string.IsNullOrWhiteSpace(opText)) throw Missing(lineNo, "op");
                var op = ParseOp(opText) ?? throw new ReportFormatException(ReportErrorCode.WrongType,
                    $"{What}: line {lineNo}: op '{opText}' is not one of read, write, exec, open.", lineNo);
                var image = RuntimeImageReference.Parse(imageText, bareDigestIsImageId: false);
                if (!records.TryGetValue(image.Key, out var r)) records[image.Key] = r = (image, []);
                r.Files.Add((path, op, Math.Max(1, o.Long("count") ?? 1)));
            }
        }
        if (!any) throw new ReportFormatException(ReportErrorCode.Empty, $"{What}: the file has no records.");

        var profiles = new List<FileAccessProfile>();
        foreach (var (key, (image, files)) in records.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var h = headers.TryGetValue(key, out var hh) ? hh : anyImageHeader ?? (false, null, null);
            var source = "file-access:" + (h.Source ?? defaultSource ?? "jsonl");
            var profile = new FileAccessProfile(source, h.Complete ? ProfileCompleteness.Complete : ProfileCompleteness.Partial, image)
            {
                PartialReason = h.Complete ? null : h.Reason ?? "no header line declares this profile complete",
            };
            foreach (var (path, op, count) in files)
                profile.Add(path, op, op == FileOps.Read ? count : 0, op == FileOps.Write ? count : 0, op == FileOps.Execute ? count : 0);
            profiles.Add(profile);
        }
        return profiles;
    }

    private static ReportFormatException Missing(long line, string field) =>
        new(ReportErrorCode.WrongType, $"{What}: line {line} has no '{field}'.", line);

    internal static FileOps? ParseOp(string op) => op.Trim().ToLowerInvariant() switch
    {
        "read" => FileOps.Read,
        "write" => FileOps.Write,
        "exec" or "execute" => FileOps.Execute,
        "open" => FileOps.Open,
        _ => null,
    };
}
