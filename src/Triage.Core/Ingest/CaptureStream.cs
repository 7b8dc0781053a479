using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Triage.Core.Ingest;

/// <summary>
/// Reads a report once while hashing it (SHA-256) and keeping a gzip copy, so the raw report is stored without a second
/// pass. Compression runs on another thread, beside the parser. Refuses to read past <see cref="MaxBytes"/>: a body over
/// the limit fails cleanly instead of filling memory.
/// </summary>
public sealed class CaptureStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly MemoryStream _compressed = new();
    private readonly GZipStream _gzip;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly Task _compressor;
    private bool _finished;
    private byte[]? _sha;

    public CaptureStream(Stream inner, long maxBytes)
    {
        _inner = inner;
        MaxBytes = maxBytes;
        _gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true);
        _compressor = Task.Run(CompressAsync);
    }

    private async Task CompressAsync()
    {
        await foreach (var (buffer, length) in _chunks.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            _gzip.Write(buffer, 0, length);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _gzip.Dispose();
    }

    public long MaxBytes { get; }
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Capture(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Capture(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Capture(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        BytesRead += data.Length;
        if (BytesRead > MaxBytes)
            throw new ReportFormatException(ReportErrorCode.TooLarge, $"the report is larger than the limit of {FormatBytes(MaxBytes)}");
        _hash.AppendData(data);
        var copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        if (!_chunks.Writer.TryWrite((copy, data.Length)))
            _chunks.Writer.WriteAsync((copy, data.Length)).AsTask().GetAwaiter().GetResult(); // back-pressure when compression lags
    }

    /// <summary>Reads whatever the parser left unread (trailing whitespace), so the hash covers every byte.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var buf = new byte[81920];
        while (await ReadAsync(buf, ct).ConfigureAwait(false) > 0) { }
    }

    /// <summary>Lower-case hex SHA-256 of everything read.</summary>
    public string Sha256Hex
    {
        get
        {
            Finish();
            return Convert.ToHexStringLower(_sha!);
        }
    }

    /// <summary>The gzip bytes of everything read.</summary>
    public byte[] CompressedBytes
    {
        get
        {
            Finish();
            return _compressed.ToArray();
        }
    }

    private void Finish()
    {
        if (_finished) return;
        _finished = true;
        _chunks.Writer.TryComplete();
        _compressor.GetAwaiter().GetResult();
        _sha = _hash.GetHashAndReset();
    }

    public static string FormatBytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (1 << 20)} MiB" : bytes >= 1 << 10 ? $"{bytes / (1 << 10)} KiB" : $"{bytes} bytes";

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunks.Writer.TryComplete();
            try { _compressor.GetAwaiter().GetResult(); } catch (ObjectDisposedException) { }
            _gzip.Dispose();
            _compressed.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
