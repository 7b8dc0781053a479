using Microsoft.AspNetCore.Http;
using Triage.Testing;
using Triage.Web.Components.Shared;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>The two counting wrappers on their shared base: one reports progress and owns its stream, the other refuses a
/// body past the limit and leaves the body to the server.</summary>
public class CountingReadStreamTests
{
    private sealed class Recorder : IProgress<long>
    {
        public List<long> Seen { get; } = [];
        public void Report(long value) => Seen.Add(value);
    }

    [Fact]
    public async Task ProgressStream_ReportsTheRunningTotal_AndDisposesWhatItWraps()
    {
        var inner = new DisposalTrackingStream(new byte[10]);
        var progress = new Recorder();
        await using (var s = new ProgressStream(inner, progress))
        {
            var buffer = new byte[4];
            Assert.Equal(4, s.Read(buffer, 0, 4));
            Assert.Equal(4, await s.ReadAsync(buffer));
            Assert.Equal(2, await s.ReadAsync(buffer, 0, 4, CancellationToken.None));
            Assert.Equal(0, await s.ReadAsync(buffer));
            Assert.Equal((10L, 10L), (s.Position, s.Length));
            Assert.False(s.CanSeek || s.CanWrite);
        }
        Assert.Equal([4L, 8L, 10L, 10L], progress.Seen);
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task LimitedReadStream_Throws413PastTheLimit_AndLeavesTheBodyOpen()
    {
        var inner = new DisposalTrackingStream(new byte[10]);
        await using (var s = new LimitedReadStream(inner, 6))
        {
            var buffer = new byte[4];
            Assert.Equal(4, await s.ReadAsync(buffer));
            var e = await Assert.ThrowsAsync<BadHttpRequestException>(async () => Assert.Equal(4, await s.ReadAsync(buffer)));
            Assert.Equal(StatusCodes.Status413PayloadTooLarge, e.StatusCode);
            Assert.Throws<NotSupportedException>(() => s.Length);
        }
        Assert.False(inner.Disposed);
    }
}
