namespace Triage.Core.Ingest;

/// <summary>
/// Refuses to read past <paramref name="maxBytes"/> with <see cref="ReportErrorCode.TooLarge"/>, as <see cref="CaptureStream"/>
/// does for an upload's own bytes. Wrapped around a decompressor, it bounds what a small upload may inflate to (a gzip bomb
/// stops at the limit instead of filling memory or keeping a core busy).
/// </summary>
/// <param name="tooLarge">The error's message: names the limit (the caller adds the file name).</param>
public sealed class SizeLimitedStream(Stream inner, long maxBytes, string tooLarge, bool ownsInner = true) : CountingReadStream(inner, ownsInner)
{
    public long MaxBytes => maxBytes;

    protected override void OnRead(long total)
    {
        if (total > maxBytes) throw new ReportFormatException(ReportErrorCode.TooLarge, tooLarge);
    }
}
