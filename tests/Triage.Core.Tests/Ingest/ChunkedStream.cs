namespace Triage.Core.Tests.Ingest;

/// <summary>A non-seekable stream over bytes that returns at most <c>maxChunk</c> bytes per read (to put record
/// boundaries anywhere in the parser's buffer) and records the largest read it was asked for.</summary>
internal sealed class ChunkedStream(byte[] data, int maxChunk) : Stream
{
    private int _position;

    public int LargestRequest { get; private set; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        LargestRequest = Math.Max(LargestRequest, buffer.Length);
        var n = Math.Min(Math.Min(buffer.Length, maxChunk), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
