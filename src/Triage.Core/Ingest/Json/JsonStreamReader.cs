using System.Runtime.CompilerServices;
using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Triage.Core.Ingest.Json;

/// <summary>Parses one complete JSON value that is known to sit in the buffer (see <see cref="JsonStreamReader.ReadValueAsync{T}"/>).</summary>
internal delegate void JsonValueParser<in T>(ref Utf8JsonReader reader, T state);

/// <summary>
/// Streams a UTF-8 JSON document through a small refilled buffer (ADR 010). Navigation above the records goes token by
/// token (<see cref="ReadAsync"/>); each record is handed whole to a synchronous <see cref="Utf8JsonReader"/> loop
/// (<see cref="ReadValueAsync{T}"/>). Memory is the buffer plus the largest single record, never the file.
/// Every malformed input leaves as a <see cref="ReportFormatException"/> with a 1-based line and byte position.
/// </summary>
internal sealed class JsonStreamReader : IDisposable
{
    private const int InitialBufferSize = 128 * 1024;
    /// <summary>Before a record the buffer is topped up to at least this many bytes, so records are parsed in one pass
    /// and only one larger than this needs the second (completeness) pass.</summary>
    private const int RecordHeadroom = 64 * 1024;

    /// <summary>Strict: invalid UTF-8 is an error (InvalidJson), never silently replaced.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly int _maxDepth;
    private readonly long? _maxBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _startChecked;
    private JsonReaderState _state;

    // Position bookkeeping for errors the reader does not raise itself (wrong types, too deep).
    private long _bufferOffset;
    private long _linesBeforeBuffer;
    private long _lineStartBeforeBuffer;

    // The current navigation token (valid until the next call that reads).
    private int _tokenStart;
    private int _valueStart;
    private int _valueLength;
    private bool _valueEscaped;

    public JsonStreamReader(Stream stream, ParseOptions options)
    {
        _stream = stream;
        _maxDepth = options.MaxDepth;
        _maxBytes = options.MaxBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        // The reader itself allows one level more than the limit, so our own check (which knows the position and
        // gives TooDeep) always fires first.
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = options.MaxDepth + 1 });
    }

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;
    /// <summary>Depth of the current token (0 for the root value's start and end).</summary>
    public int CurrentDepth { get; private set; }
    public long BytesRead { get; private set; }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }

    // ---------------------------------------------------------------- navigation

    /// <summary>Reads the next token. Returns false at the end of the document.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryReadToken(out var ended)) return true;
            if (ended) return false;
            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadToken(out bool ended)
    {
        ended = false;
        var r = NewReader();
        try
        {
            if (!r.Read())
            {
                ended = _eof;
                return false;
            }
            CheckDepth(ref r);
        }
        catch (JsonException e)
        {
            throw Convert(e);
        }
        TokenType = r.TokenType;
        CurrentDepth = r.CurrentDepth;
        _tokenStart = _start + (int)r.TokenStartIndex;
        if (r.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
        {
            _valueStart = _tokenStart + 1;
            _valueLength = r.ValueSpan.Length;
            _valueEscaped = r.ValueIsEscaped;
        }
        else
        {
            _valueStart = _tokenStart;
            _valueLength = r.ValueSpan.Length;
            _valueEscaped = false;
        }
        Commit(ref r);
        return true;
    }

    /// <summary>After a property name: reads its value as a string (null for null); a value of another type is skipped (null).</summary>
    public async ValueTask<string?> ReadStringAsync(CancellationToken ct)
    {
        if (!await ReadAsync(ct).ConfigureAwait(false)) throw TruncatedHere();
        if (TokenType == JsonTokenType.String) return GetString();
        await SkipAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>After a property name: reads the value's first token and returns true when it starts an array
    /// (false for null or anything else, which is skipped).</summary>
    public async ValueTask<bool> ReadArrayStartAsync(CancellationToken ct)
    {
        if (!await ReadAsync(ct).ConfigureAwait(false)) throw TruncatedHere();
        if (TokenType == JsonTokenType.StartArray) return true;
        await SkipAsync(ct).ConfigureAwait(false);
        return false;
    }

    /// <summary>The raw (still escaped) bytes of the current string or property name token.</summary>
    public ReadOnlySpan<byte> ValueSpan => _buffer.AsSpan(_valueStart, _valueLength);

    /// <summary>True when the current property name (or string) is exactly <paramref name="utf8"/>.</summary>
    public bool ValueIs(ReadOnlySpan<byte> utf8)
    {
        if (!_valueEscaped) return ValueSpan.SequenceEqual(utf8);
        var r = TokenReader();
        return r.ValueTextEquals(utf8);
    }

    /// <summary>The current string or property name token as a string; null for a null token.</summary>
    public string? GetString()
    {
        if (TokenType == JsonTokenType.Null) return null;
        if (TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            throw WrongType("a value", "a string", TokenType);
        try
        {
            if (!_valueEscaped) return StrictUtf8.GetString(ValueSpan);
            var r = TokenReader();
            return r.GetString();
        }
        catch (Exception e) when (e is DecoderFallbackException or InvalidOperationException)
        {
            throw InvalidUtf8(_tokenStart, e);
        }
    }

    private Utf8JsonReader TokenReader()
    {
        // A string token on its own is a complete JSON value: re-read it to unescape.
        var r = new Utf8JsonReader(_buffer.AsSpan(_tokenStart, _valueLength + 2), isFinalBlock: true, state: default);
        r.Read();
        return r;
    }

    /// <summary>After a property name: skips its value. On a start token: skips to its end. Streams: never buffers the value.</summary>
    public async ValueTask SkipAsync(CancellationToken ct)
    {
        int targetDepth;
        if (TokenType == JsonTokenType.PropertyName)
        {
            if (!await ReadAsync(ct).ConfigureAwait(false)) throw TruncatedHere();
            if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        }
        if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        targetDepth = CurrentDepth;
        while (true)
        {
            if (TrySkipTo(targetDepth)) return;
            if (_eof) throw TruncatedHere();
            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Counts the elements of the array whose start token is current, skipping them (streaming).</summary>
    public async ValueTask<int> CountAndSkipArrayAsync(CancellationToken ct)
    {
        if (TokenType != JsonTokenType.StartArray) { await SkipAsync(ct).ConfigureAwait(false); return 0; }
        var count = 0;
        while (await NextElementAsync(ct).ConfigureAwait(false))
        {
            count++;
            await ReadAsync(ct).ConfigureAwait(false);
            await SkipAsync(ct).ConfigureAwait(false);
        }
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TrySkipTo(int targetDepth)
    {
        var r = NewReader();
        try
        {
            while (r.Read())
            {
                CheckDepth(ref r);
                if (r.CurrentDepth == targetDepth && r.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    TokenType = r.TokenType;
                    CurrentDepth = r.CurrentDepth;
                    Commit(ref r);
                    return true;
                }
            }
        }
        catch (JsonException e)
        {
            throw Convert(e);
        }
        Commit(ref r);
        return false;
    }

    // ---------------------------------------------------------------- records

    /// <summary>Inside an array or object whose start was read: true when another element (or property) follows,
    /// leaving it unread; false when the container ends (its end token is consumed). Tops the buffer up first so the
    /// next record is usually parsed in a single pass.</summary>
    public async ValueTask<bool> NextElementAsync(CancellationToken ct)
    {
        while (!_eof && _end - _start < RecordHeadroom) await FillAsync(ct).ConfigureAwait(false);
        while (true)
        {
            var status = PeekElement();
            if (status != 0) return status > 0;
            if (_eof) throw TruncatedHere();
            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int PeekElement()
    {
        var r = NewReader();
        try
        {
            if (!r.Read()) return 0;
        }
        catch (JsonException e)
        {
            throw Convert(e);
        }
        if (r.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
        {
            TokenType = r.TokenType;
            CurrentDepth = r.CurrentDepth;
            Commit(ref r);
            return -1;
        }
        return 1;
    }

    /// <summary>Reads every element of the array whose start token was just read: each with <paramref name="parse"/>,
    /// then <paramref name="onValue"/>. The elements that sit in the buffer are read by one synchronous loop (no await
    /// per record; a CLI run is one cold pass and an async step per record runs as unoptimised code); the method only
    /// awaits to refill.</summary>
    public async ValueTask ReadArrayAsync<T>(JsonValueParser<T> parse, Action<T> onValue, T state, CancellationToken ct)
    {
        while (true)
        {
            while (!_eof && _end - _start < RecordHeadroom) await FillAsync(ct).ConfigureAwait(false);
            switch (ReadBufferedElements(parse, onValue, state))
            {
                case ArrayProgress.Ended:
                    return;
                case ArrayProgress.NeedData:
                    continue;
                case ArrayProgress.ValueTooLong:
                    if (PeekElement() < 0) return;
                    await ReadValueAsync(parse, state, ct).ConfigureAwait(false);
                    onValue(state);
                    continue;
            }
        }
    }

    private enum ArrayProgress { Ended, NeedData, ValueTooLong }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ArrayProgress ReadBufferedElements<T>(JsonValueParser<T> parse, Action<T> onValue, T state)
    {
        while (true)
        {
            if (!_eof && _end - _start < RecordHeadroom) return ArrayProgress.NeedData;
            var peek = PeekElement();
            if (peek < 0) return ArrayProgress.Ended;
            if (peek == 0)
            {
                if (_eof) throw TruncatedHere();
                return ArrayProgress.ValueTooLong;
            }
            if (!TryParseValue(parse, state)) return ArrayProgress.ValueTooLong;
            onValue(state);
        }
    }

    /// <summary>Reads the next complete JSON value (an array element, or the value after the property name just read)
    /// with <paramref name="parse"/>, which must consume exactly that value. Usually one pass over the buffer; a value
    /// longer than the buffer's headroom is first made whole in the buffer (grown as needed) and parsed again.</summary>
    public async ValueTask ReadValueAsync<T>(JsonValueParser<T> parse, T state, CancellationToken ct)
    {
        if (TryParseValue(parse, state)) return;
        await EnsureCompleteValueAsync(ct).ConfigureAwait(false);
        if (!TryParseValue(parse, state))
            throw new ReportFormatException(ReportErrorCode.InvalidJson, "the parser could not read a complete value", inner: null);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryParseValue<T>(JsonValueParser<T> parse, T state)
    {
        var r = NewReader();
        try
        {
            parse(ref r, state);
        }
        catch (NeedMoreDataException)
        {
            return false;
        }
        catch (JsonException e)
        {
            // Record parsers skip unknown values with the reader's own TrySkip; past the limit the reader throws, and
            // its depth tells that this was nesting, not a syntax error.
            if (r.CurrentDepth >= _maxDepth - 1)
            {
                var (line, col) = PositionOf(ref r);
                throw new ReportFormatException(ReportErrorCode.TooDeep, $"the JSON is nested deeper than {_maxDepth} levels", line, col, e);
            }
            throw Convert(e);
        }
        catch (Exception e) when (e is DecoderFallbackException || e is InvalidOperationException { InnerException: DecoderFallbackException })
        {
            throw InvalidUtf8(_start + (int)r.TokenStartIndex, e);
        }
        catch (InvalidOperationException e)
        {
            var (line, col) = PositionOf(ref r);
            throw new ReportFormatException(ReportErrorCode.InvalidJson, $"unexpected JSON value: {e.Message}", line, col, e);
        }
        Commit(ref r);
        return true;
    }

    private async ValueTask EnsureCompleteValueAsync(CancellationToken ct)
    {
        while (!IsNextValueComplete())
        {
            if (_eof) throw TruncatedHere();
            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsNextValueComplete()
    {
        var r = NewReader();
        try
        {
            if (!r.Read()) return false;
            CheckDepth(ref r);
            if (r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return true;
            var depth = r.CurrentDepth;
            while (r.Read())
            {
                CheckDepth(ref r);
                if (r.CurrentDepth == depth && r.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) return true;
            }
            return false;
        }
        catch (JsonException e)
        {
            throw Convert(e);
        }
    }

    /// <summary>Thrown by <see cref="RecordReader"/> helpers when a record runs past the buffered data (never escapes).</summary>
    internal sealed class NeedMoreDataException : Exception;

    // ---------------------------------------------------------------- buffer

    private Utf8JsonReader NewReader() => new(_buffer.AsSpan(_start, _end - _start), _eof, _state);

    private void Commit(ref Utf8JsonReader r)
    {
        _start += (int)r.BytesConsumed;
        _state = r.CurrentState;
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_eof) return;
        // Compact only when the free space at the end is gone or the consumed part is large: a stream that returns
        // a few bytes per read must not cost a buffer-sized copy per read.
        if (_start > 0 && (_end == _buffer.Length || _start >= _buffer.Length / 2))
        {
            AccountDiscarded(_buffer.AsSpan(0, _start));
            var keep = _end - _start;
            if (keep > 0) Buffer.BlockCopy(_buffer, _start, _buffer, 0, keep);
            _bufferOffset += _start;
            _tokenStart -= _start;
            _valueStart -= _start;
            _end = keep;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            // One value larger than the buffer: grow (the value must be whole to be parsed).
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (n == 0)
        {
            _eof = true;
        }
        else
        {
            _end += n;
            BytesRead += n;
            if (_maxBytes is { } max && BytesRead > max)
                throw new ReportFormatException(ReportErrorCode.TooLarge, $"the report is larger than the limit of {max:N0} bytes");
        }
        if (!_startChecked && (_eof || _end >= 3))
        {
            _startChecked = true;
            // A UTF-8 byte order mark is legal at the start of a file but not JSON: step over it.
            if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8)) { _start += 3; }
        }
    }

    private void AccountDiscarded(ReadOnlySpan<byte> discarded)
    {
        var lines = discarded.Count((byte)'\n');
        if (lines == 0) return;
        _linesBeforeBuffer += lines;
        _lineStartBeforeBuffer = _bufferOffset + discarded.LastIndexOf((byte)'\n') + 1;
    }

    // ---------------------------------------------------------------- errors

    /// <summary>1-based line and 0-based byte in that line of the byte at <paramref name="bufferIndex"/>.</summary>
    public (long Line, long Byte) PositionOf(int bufferIndex)
    {
        bufferIndex = Math.Clamp(bufferIndex, 0, _end);
        var before = _buffer.AsSpan(0, bufferIndex);
        var lines = _linesBeforeBuffer + before.Count((byte)'\n');
        var last = before.LastIndexOf((byte)'\n');
        var lineStart = last >= 0 ? _bufferOffset + last + 1 : _lineStartBeforeBuffer;
        return (lines + 1, _bufferOffset + bufferIndex - lineStart);
    }

    /// <summary>Position of an index of a record reader created by this stream reader (e.g. a saved TokenStartIndex).</summary>
    public (long Line, long Byte) PositionAt(long readerIndex) => PositionOf(_start + (int)readerIndex);

    /// <summary>Position of a token of a record reader created by this stream reader.</summary>
    public (long Line, long Byte) PositionOf(ref Utf8JsonReader r) => PositionOf(_start + (int)r.TokenStartIndex);

    public ReportFormatException WrongType(string field, string expected, JsonTokenType actual, int? bufferIndex = null)
    {
        var (line, col) = PositionOf(bufferIndex ?? _tokenStart);
        return new ReportFormatException(ReportErrorCode.WrongType, $"field \"{field}\" must be {expected} but is {Describe(actual)}", line, col);
    }

    public ReportFormatException WrongType(ref Utf8JsonReader r, string field, string expected)
    {
        var (line, col) = PositionOf(ref r);
        return new ReportFormatException(ReportErrorCode.WrongType, $"field \"{field}\" must be {expected} but is {Describe(r.TokenType)}", line, col);
    }

    internal static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.String => "a string",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => t.ToString(),
    };

    private void CheckDepth(ref Utf8JsonReader r)
    {
        if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && r.CurrentDepth >= _maxDepth)
        {
            var (line, col) = PositionOf(_start + (int)r.TokenStartIndex);
            throw new ReportFormatException(ReportErrorCode.TooDeep, $"the JSON is nested deeper than {_maxDepth} levels", line, col);
        }
    }

    private ReportFormatException InvalidUtf8(int bufferIndex, Exception e)
    {
        var (line, col) = PositionOf(bufferIndex);
        return new ReportFormatException(ReportErrorCode.InvalidJson, "the report is not valid UTF-8 text", line, col, e);
    }

    private ReportFormatException TruncatedHere()
    {
        var (line, col) = PositionOf(_end);
        return new ReportFormatException(ReportErrorCode.Truncated, JsonErrors.TruncatedMessage, line, col);
    }

    /// <summary>Turns the reader's exception into a report error. At the end of the file, a buffer that is a valid
    /// prefix of JSON (it only lacks its end) means the file was cut short: Truncated; anything else is InvalidJson.</summary>
    private ReportFormatException Convert(JsonException e)
    {
        if (_eof && IsValidPrefix())
        {
            var (line, col) = PositionOf(_end);
            return new ReportFormatException(ReportErrorCode.Truncated, JsonErrors.TruncatedMessage, line, col, e);
        }
        return JsonErrors.FromJsonException(e, _buffer.AsSpan(_start, _end - _start), _bufferOffset + _start == 0);
    }

    private bool IsValidPrefix()
    {
        var r = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), isFinalBlock: false, _state);
        try
        {
            while (r.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
