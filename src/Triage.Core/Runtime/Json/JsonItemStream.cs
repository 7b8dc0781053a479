using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Triage.Core.Ingest;

namespace Triage.Core.Runtime.Json;

/// <summary>One value found while walking a JSON document: a top-level property value (<see cref="Index"/> = -1),
/// or one element of a selected top-level array (<see cref="Index"/> ≥ 0). For a document whose root is an array,
/// <see cref="Property"/> is empty and every element is an item.</summary>
internal readonly record struct JsonItem(string Property, int Index, JsonElement Value);

/// <summary>
/// Walks a UTF-8 JSON document from a stream and hands out one <see cref="JsonElement"/> per array element of the
/// selected top-level properties, so memory grows with the largest element, not with the file
/// (a 100 MB pod list or SBOM is read one pod or package at a time).
/// Other top-level values are handed out whole; they are small in every format we read (metadata, kind, config).
/// </summary>
internal static class JsonItemStream
{
    private const int InitialBuffer = 64 * 1024;

    public static async IAsyncEnumerable<JsonItem> ReadAsync(
        Stream utf8Json,
        IReadOnlySet<string> streamedArrays,
        string what,
        int maxDepth = 64,
        long maxItemBytes = 256L * 1024 * 1024,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var walker = new Walker(streamedArrays, maxDepth);
            var length = 0;
            var final = false;
            long absolute = 0; // bytes discarded before buffer[0], for error positions
            var items = new List<JsonItem>();
            while (true)
            {
                if (!final)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= maxItemBytes)
                            throw new ReportFormatException(ReportErrorCode.TooLarge, $"{what}: one JSON element is larger than {maxItemBytes / (1024 * 1024)} MiB.");
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var n = await utf8Json.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (n == 0) final = true;
                    else
                    {
                        length += n;
                        if (length < buffer.Length) continue; // fill the buffer before parsing: fewer restarts
                    }
                }

                var start = walker.Started ? 0 : SkipBomAndWhitespace(buffer.AsSpan(0, length));
                if (!walker.Started && start == length)
                {
                    if (final) throw new ReportFormatException(ReportErrorCode.Empty, $"{what}: the file is empty.");
                    length = 0;
                    continue;
                }

                int consumed;
                try
                {
                    consumed = start + walker.Advance(buffer.AsSpan(start, length - start), final, items);
                }
                catch (JsonException ex)
                {
                    throw JsonErrors.From(ex, what, absolute);
                }

                foreach (var item in items) yield return item;
                items.Clear();

                if (walker.Done) yield break;
                if (final)
                    throw new ReportFormatException(ReportErrorCode.Truncated, $"{what}: the JSON ends before it is complete.", bytePosition: absolute + length);

                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                absolute += consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int SkipBomAndWhitespace(ReadOnlySpan<byte> data)
    {
        var i = 0;
        if (data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3;
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i;
    }

    private enum Phase { Root, InObject, InSelectedArray, InRootArray, Done }

    /// <summary>The walk's state between buffers. Every step starts from a checkpoint so an element that does not fit
    /// yet is re-read whole after the next read from the stream.</summary>
    private sealed class Walker(IReadOnlySet<string> streamedArrays, int maxDepth)
    {
        private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Skip });
        private Phase _phase = Phase.Root;
        private string _property = "";
        private int _index;

        public bool Started => _phase != Phase.Root;
        public bool Done => _phase == Phase.Done;

        /// <summary>Parses what it can; returns the number of bytes fully consumed.</summary>
        public int Advance(ReadOnlySpan<byte> data, bool final, List<JsonItem> items)
        {
            var reader = new Utf8JsonReader(data, final, _state);
            while (_phase != Phase.Done)
            {
                var checkpointState = reader.CurrentState;
                var checkpoint = reader.BytesConsumed;
                if (!reader.Read()) break;
                switch (_phase)
                {
                    case Phase.Root:
                        if (reader.TokenType == JsonTokenType.StartObject) _phase = Phase.InObject;
                        else if (reader.TokenType == JsonTokenType.StartArray) { _phase = Phase.InRootArray; _property = ""; _index = 0; }
                        else throw new JsonException("The document is a single JSON value, not an object or an array.");
                        break;
                    case Phase.InObject:
                        if (reader.TokenType == JsonTokenType.EndObject) { _phase = Phase.Done; break; }
                        var name = reader.GetString() ?? "";
                        if (!reader.Read()) { _state = checkpointState; return (int)checkpoint; }
                        if (reader.TokenType == JsonTokenType.StartArray && streamedArrays.Contains(name))
                        {
                            _property = name;
                            _index = 0;
                            _phase = Phase.InSelectedArray;
                            break;
                        }
                        if (!JsonDocument.TryParseValue(ref reader, out var whole)) { _state = checkpointState; return (int)checkpoint; }
                        using (whole) items.Add(new JsonItem(name, -1, whole.RootElement.Clone()));
                        break;
                    case Phase.InSelectedArray:
                    case Phase.InRootArray:
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            _phase = _phase == Phase.InRootArray ? Phase.Done : Phase.InObject;
                            break;
                        }
                        if (!JsonDocument.TryParseValue(ref reader, out var element)) { _state = checkpointState; return (int)checkpoint; }
                        using (element) items.Add(new JsonItem(_property, _index++, element.RootElement.Clone()));
                        break;
                    case Phase.Done:
                        break;
                }
            }
            if (_phase == Phase.Done)
            {
                // Anything after the root value other than whitespace is an error, as in any JSON parser.
                var rest = data[(int)reader.BytesConsumed..];
                foreach (var b in rest)
                    if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                        throw new JsonException("Unexpected data after the end of the JSON document.");
                return data.Length;
            }
            _state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }
    }
}
