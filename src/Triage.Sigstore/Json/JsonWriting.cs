using System.Text.Encodings.Web;
using System.Text.Json;

namespace Triage.Sigstore.Json;

internal static class JsonWriting
{
    /// <summary>
    /// Indented, and without the default encoder's escaping of '+' and '/', which would turn every base64 value into
    /// <c>\u002B</c> noise (valid JSON, but unlike what every other Sigstore client writes).
    /// </summary>
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonWriterOptions Compact = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
