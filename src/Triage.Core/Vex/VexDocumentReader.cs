using System.Text.Json;
using Triage.Core.Vex.Csaf;
using Triage.Core.Vex.CycloneDx;
using Triage.Core.Vex.OpenVex;

namespace Triage.Core.Vex;

/// <summary>Limits for reading untrusted VEX files.</summary>
public sealed record VexReadOptions
{
    public int MaxDepth { get; init; } = 64;
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;
    public static VexReadOptions Default { get; } = new();
}

/// <summary>
/// Reads a VEX document in any supported format, telling the format from the content: OpenVEX by its <c>@context</c>,
/// CycloneDX by <c>bomFormat</c>, CSAF by <c>document.csaf_version</c>. Bad input throws <see cref="VexFormatException"/>;
/// readable documents with bad statements return them in <see cref="VexDocument.Problems"/>.
/// </summary>
public static class VexDocumentReader
{
    public static VexDocument Read(Stream utf8Json, VexReadOptions? options = null)
    {
        options ??= VexReadOptions.Default;
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = utf8Json.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > options.MaxBytes)
                throw new VexFormatException(VexErrorCode.TooLarge, $"The file is larger than {options.MaxBytes} bytes.");
        }
        return Read(ms.GetBuffer().AsMemory(0, (int)ms.Length), options);
    }

    public static VexDocument Read(string json, VexReadOptions? options = null) =>
        Read(System.Text.Encoding.UTF8.GetBytes(json), options);

    public static VexDocument Read(ReadOnlyMemory<byte> utf8Json, VexReadOptions? options = null)
    {
        options ??= VexReadOptions.Default;
        if (utf8Json.Length > options.MaxBytes)
            throw new VexFormatException(VexErrorCode.TooLarge, $"The file is larger than {options.MaxBytes} bytes.");
        if (IsWhitespace(utf8Json.Span))
            throw new VexFormatException(VexErrorCode.Empty, "The file is empty.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = options.MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var code = e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? VexErrorCode.TooDeep
                : e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("expected end", StringComparison.OrdinalIgnoreCase) ? VexErrorCode.Truncated
                : VexErrorCode.InvalidJson;
            var what = code switch
            {
                VexErrorCode.TooDeep => $"JSON nests deeper than {options.MaxDepth} levels",
                VexErrorCode.Truncated => "JSON ends before it is complete",
                _ => "Not valid JSON",
            };
            throw new VexFormatException(code, what, e.LineNumber + 1, e.BytePositionInLine, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            var format = Detect(root);
            return format switch
            {
                VexFormat.OpenVex => OpenVexReader.Read(root),
                VexFormat.CycloneDx => CycloneDxVexReader.Read(root),
                VexFormat.Csaf => CsafVexReader.Read(root),
            };
        }
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> s)
    {
        // A UTF-8 byte order mark followed by nothing is empty too.
        if (s.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) s = s[3..];
        foreach (var b in s) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    /// <summary>Which format a parsed root is; throws <see cref="VexErrorCode.NotVex"/> with what it looks like instead.</summary>
    public static VexFormat Detect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new VexFormatException(VexErrorCode.NotVex,
                $"The document is a {VexJson.Kind(root.ValueKind)}; an OpenVEX, CycloneDX or CSAF document is a JSON object.");
        if (root.Str("@context") is { } ctx)
        {
            if (ctx.StartsWith("https://openvex.dev/ns", StringComparison.OrdinalIgnoreCase)) return VexFormat.OpenVex;
            throw new VexFormatException(VexErrorCode.NotVex, $"@context '{ctx}' is not an OpenVEX context (https://openvex.dev/ns/…).");
        }
        if (root.Str("bomFormat") is { } bf)
        {
            if (bf.Equals("CycloneDX", StringComparison.OrdinalIgnoreCase)) return VexFormat.CycloneDx;
            throw new VexFormatException(VexErrorCode.NotVex, $"bomFormat '{bf}' is not CycloneDX.");
        }
        if (root.Obj("document") is { } d && (d.Prop("csaf_version") is not null || d.Prop("category") is not null)) return VexFormat.Csaf;
        if (root.Str("predicateType") is { } pt)
            throw new VexFormatException(VexErrorCode.NotVex, $"This is an in-toto statement (predicateType {pt}); import its predicate, the VEX document itself.");
        if (root.Prop("payloadType") is not null && root.Prop("payload") is not null)
            throw new VexFormatException(VexErrorCode.NotVex, "This is a DSSE envelope; verify it and import the VEX document it carries.");
        if (root.Prop("SchemaVersion") is not null || root.Prop("matches") is not null || root.Prop("runs") is not null)
            throw new VexFormatException(VexErrorCode.NotVex, "This looks like a scan report, not a VEX document; import it with `triage ingest`.");
        throw new VexFormatException(VexErrorCode.NotVex,
            "Not a VEX document: no OpenVEX @context, no CycloneDX bomFormat, no CSAF document.csaf_version.");
    }
}
