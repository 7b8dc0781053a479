using System.Net;
using System.Net.Sockets;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>The Redis of the test command (.ci/test.sh starts a throwaway one and exports TRIAGE_TEST_REDIS=host:port).
/// A test that needs it fails, never skips, without it.</summary>
public static class TestRedis
{
    public static string Endpoint =>
        Environment.GetEnvironmentVariable("TRIAGE_TEST_REDIS") is { Length: > 0 } r ? r
        : throw new InvalidOperationException("TRIAGE_TEST_REDIS is not set: run the tests with .ci/test.sh, which starts a throwaway Redis (or export TRIAGE_TEST_REDIS=127.0.0.1:56379).");

    /// <summary>A key prefix of its own, so tests running side by side on one Redis never share a window.</summary>
    public static string UniquePrefix() => "triage-test:rl:" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A loopback endpoint nobody listens on: Redis "down".</summary>
    public static string ClosedEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    /// <summary>Windows are whole wall-clock minutes: a test that counts into one first waits out a minute about to end.</summary>
    public static async Task AwayFromWindowEdgeAsync(TimeSpan needed)
    {
        var now = DateTimeOffset.UtcNow;
        var left = TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond);
        if (left < needed) await Task.Delay(left + TimeSpan.FromMilliseconds(200));
    }
}
