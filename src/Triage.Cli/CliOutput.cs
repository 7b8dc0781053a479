using System.Text;

namespace Triage.Cli;

/// <summary>Where commands write machine-readable output: a byte stream over <see cref="Console.Out"/>, so JSON writers
/// stream straight out and tests that redirect the console see the same bytes a script would.</summary>
internal static class CliOutput
{
    public static Stream OpenStdout() => new TextWriterStream(Console.Out);

    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private char[] _chars = new char[4096];

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var max = _decoder.GetCharCount(buffer, flush: false);
            if (max > _chars.Length) _chars = new char[Math.Max(max, _chars.Length * 2)];
            var n = _decoder.GetChars(buffer, _chars, flush: false);
            writer.Write(_chars, 0, n);
        }

        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) writer.Flush();
            base.Dispose(disposing);
        }
    }
}
