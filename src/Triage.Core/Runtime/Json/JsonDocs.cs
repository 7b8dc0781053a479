using System.Text.Json;
using Triage.Core.Ingest;

namespace Triage.Core.Runtime.Json;

/// <summary>Whole-document parsing for inputs that are small by nature (slim reports, govulncheck legacy output),
/// with the same error reporting as the streaming path.</summary>
internal static class JsonDocs
{
    public static async Task<JsonDocument> ParseAsync(Stream utf8Json, string what, int maxDepth, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await utf8Json.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (IsBlank(bytes.Span)) throw new ReportFormatException(ReportErrorCode.Empty, $"{what}: the file is empty.");
        try
        {
            var doc = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind == JsonValueKind.Null)
            {
                doc.Dispose();
                throw new ReportFormatException(ReportErrorCode.NullReport, $"{what}: the document is the JSON literal null.");
            }
            return doc;
        }
        catch (JsonException ex)
        {
            throw JsonErrors.From(ex, what);
        }
    }

    public static bool IsBlank(ReadOnlySpan<byte> data)
    {
        var i = 0;
        if (data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3;
        for (; i < data.Length; i++)
            if (data[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}
