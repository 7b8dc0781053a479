using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Ingest;

/// <summary>The limit put on what a decompressor hands out: exactly the limit is read, one byte more is refused as
/// too_large with the caller's message, and the wrapped stream is disposed with it.</summary>
public class SizeLimitedStreamTests
{
    [Fact]
    public async Task ExactlyTheLimit_IsRead_OneByteMore_IsTooLarge()
    {
        var inner = new DisposalTrackingStream(new byte[10]);
        await using (var s = new SizeLimitedStream(inner, 10, "ten bytes at most"))
        {
            var buffer = new byte[16];
            Assert.Equal(10, await s.ReadAsync(buffer));
            Assert.Equal(0, await s.ReadAsync(buffer));
        }
        Assert.True(inner.Disposed);

        await using var over = new SizeLimitedStream(new MemoryStream(new byte[11]), 10, "ten bytes at most");
        var e = await Assert.ThrowsAsync<ReportFormatException>(async () => await over.CopyToAsync(Stream.Null));
        Assert.Equal((ReportErrorCode.TooLarge, "ten bytes at most"), (e.Code, e.Message));
    }
}
