using System.Globalization;
using System.Text.Json;

namespace Triage.Sigstore.Json;

/// <summary>
/// A JSON element plus the path that led to it, so every structural error names the exact field. Reads proto3 JSON
/// the way protobuf's own parsers do: int64 as string or number, bytes as standard or URL-safe base64, null as absent.
/// </summary>
internal readonly struct JsonCursor
{
    private readonly JsonElement _element;

    public JsonCursor(JsonElement element, string path, SigstoreDocument document)
    {
        _element = element;
        Path = path;
        Document = document;
    }

    public string Path { get; }
    public SigstoreDocument Document { get; }
    public JsonElement Element => _element;
    public JsonValueKind Kind => _element.ValueKind;

    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8, SigstoreDocument document)
    {
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new SigstoreFormatException(document, null, $"not valid JSON ({e.Message})", e);
        }
    }

    public SigstoreFormatException Error(string problem) => new(Document, Path.Length == 0 ? null : Path, problem);

    private string Child(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    public JsonCursor RequireObject()
    {
        if (_element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(_element.ValueKind)}");
        return this;
    }

    public JsonCursor? Optional(string name)
    {
        RequireObject();
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return new JsonCursor(value, Child(name), Document);
    }

    public JsonCursor Required(string name) =>
        Optional(name) ?? throw new SigstoreFormatException(Document, Child(name), "required field is missing");

    public string GetString()
    {
        if (_element.ValueKind != JsonValueKind.String) throw Error($"expected a string, found {Describe(_element.ValueKind)}");
        return _element.GetString()!;
    }

    public string RequiredString(string name) => Required(name).GetString();
    public string? OptionalString(string name) => Optional(name)?.GetString();

    /// <summary>A proto3 int64: a JSON string of decimal digits or a JSON integer.</summary>
    public long GetInt64()
    {
        long value;
        var ok = _element.ValueKind switch
        {
            JsonValueKind.String => long.TryParse(_element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            JsonValueKind.Number => _element.TryGetInt64(out value),
            _ => throw Error($"expected an int64 (string or number), found {Describe(_element.ValueKind)}"),
        };
        if (!ok) throw Error("expected an int64 (string or number)");
        return value;
    }

    public long? OptionalInt64(string name) => Optional(name)?.GetInt64();

    /// <summary>A proto3 <c>bytes</c> field: base64, standard or URL-safe, padding optional.</summary>
    public byte[] GetBytes()
    {
        var text = GetString();
        return Base64Lenient.TryDecode(text, out var bytes) ? bytes : throw Error("expected base64 data");
    }

    public byte[] RequiredBytes(string name) => Required(name).GetBytes();
    public byte[]? OptionalBytes(string name) => Optional(name)?.GetBytes();

    /// <summary>A <c>google.protobuf.Timestamp</c>: RFC 3339 in UTC, fractional seconds optional (up to nanoseconds).</summary>
    public DateTimeOffset GetTimestamp()
    {
        var text = GetString();
        return Rfc3339.TryParse(text, out var value) ? value : throw Error($"expected an RFC 3339 timestamp, found '{text}'");
    }

    public int GetInt32()
    {
        var value = GetInt64();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error("value out of range for int32");
    }

    public IReadOnlyList<JsonCursor> GetArray()
    {
        if (_element.ValueKind != JsonValueKind.Array) throw Error($"expected an array, found {Describe(_element.ValueKind)}");
        var list = new List<JsonCursor>(_element.GetArrayLength());
        var i = 0;
        foreach (var item in _element.EnumerateArray()) list.Add(new JsonCursor(item, $"{Path}[{i++}]", Document));
        return list;
    }

    /// <summary>A repeated field: absent or null means empty.</summary>
    public IReadOnlyList<JsonCursor> OptionalArray(string name) => Optional(name)?.GetArray() ?? [];

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Undefined => "nothing",
    };
}
