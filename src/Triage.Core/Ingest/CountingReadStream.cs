namespace Triage.Core.Ingest;

/// <summary>
/// A read-only, forward-only wrapper that counts the bytes read through it and tells the subclass the running total after
/// every read: the upload progress bar and the body limit for requests without a length (in the web app) and the limit on
/// what a decompressor may hand out (<see cref="SizeLimitedStream"/>) differ only in what they do with the count.
/// </summary>
/// <param name="ownsInner">Dispose the wrapped stream with this one (a browser file or a decompressor is ours; a request
/// body is the server's).</param>
public abstract class CountingReadStream(Stream inner, bool ownsInner) : Stream
{
    private long _read;

    protected Stream Inner => inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>After each read, with the bytes read so far (may throw to refuse the stream).</summary>
    protected abstract void OnRead(long total);

    private int Count(int n)
    {
        _read += n;
        OnRead(_read);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (ownsInner) await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
