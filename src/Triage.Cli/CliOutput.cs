using System.Text;

namespace Triage.Cli;

/// <summary>Where commands write machine-readable output: a byte stream over <see cref="Console.Out"/>, so JSON writers
/// stream straight out and tests that redirect the console see the same bytes a script would.</summary>
internal static class CliOutput
{
    /// <summary>Set by the process's entry point: stdout is the process's own file descriptor 1 (tests that redirect the
    /// console leave it unset and read what <see cref="Console.Out"/> received).</summary>
    internal static bool ProcessStdout { get; set; }

    /// <summary>The process's standard output as bytes. Console streams on Unix drop writes to a pipe whose reader has gone
    /// (EPIPE), so `triage findings | head` would go on reading every finding for nobody; written to file descriptor 1
    /// directly, the write fails and the command stops (<see cref="IsBrokenPipe"/>). Unbuffered: lines written through
    /// <see cref="Console.Out"/> (which flushes every write) stay in order with these bytes.</summary>
    public static Stream OpenStdout()
    {
        if (ProcessStdout)
        {
            try
            {
                return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // No usable descriptor 1 (started with stdout closed): the console drops what it cannot write, as before.
            }
        }
        return new TextWriterStream(Console.Out);
    }

    /// <summary>The reader of standard output has closed it (EPIPE): what it wanted it has; nothing is wrong.</summary>
    public static bool IsBrokenPipe(IOException e) => e.HResult == 32 || e.InnerException is IOException { HResult: 32 };

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
