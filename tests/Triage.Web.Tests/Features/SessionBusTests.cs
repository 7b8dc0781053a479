using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Triage.Web.Features.Sessions;

namespace Triage.Web.Tests.Features;

public sealed class SessionRoomTests
{
    private static InProcessSessionBus Bus() => new(NullLogger<InProcessSessionBus>.Instance);

    private static Participant P(string name) => new(Guid.NewGuid().ToString("N"), name + "-id", name, "Triager");

    [Fact]
    public async Task Newcomer_LearnsWhoIsThere_AndOthersLearnOfTheNewcomer_AndOfLeaving()
    {
        var bus = Bus();
        await using var ana = new SessionRoom(bus, 1, P("ana"), TimeProvider.System);
        await ana.JoinAsync();
        var ben = new SessionRoom(bus, 1, P("ben"), TimeProvider.System);
        await ben.JoinAsync();
        Assert.Equal(["ana", "ben"], ana.Present.Select(p => p.Name));
        Assert.Equal(["ana", "ben"], ben.Present.Select(p => p.Name));
        await ben.DisposeAsync();
        Assert.Equal(["ana"], ana.Present.Select(p => p.Name));
    }

    [Fact]
    public async Task Events_StayInTheirSession_AndReachEveryTab()
    {
        var bus = Bus();
        await using var a = new SessionRoom(bus, 1, P("a"), TimeProvider.System);
        await using var b = new SessionRoom(bus, 1, P("b"), TimeProvider.System);
        await using var other = new SessionRoom(bus, 2, P("c"), TimeProvider.System);
        var seen = new List<(string, SessionEventKind)>();
        a.Changed += e => { seen.Add(("a", e.Kind)); return Task.CompletedTask; };
        b.Changed += e => { seen.Add(("b", e.Kind)); return Task.CompletedTask; };
        other.Changed += e => { seen.Add(("c", e.Kind)); return Task.CompletedTask; };
        await a.JoinAsync();
        await b.JoinAsync();
        await other.JoinAsync();
        seen.Clear();
        await a.PublishAsync(a.Event(SessionEventKind.Decided) with { FindingId = 5, Status = "affected" });
        Assert.Contains(("a", SessionEventKind.Decided), seen);
        Assert.Contains(("b", SessionEventKind.Decided), seen);
        Assert.DoesNotContain(seen, s => s.Item1 == "c");
    }

    [Fact]
    public async Task AFailingSubscriber_DoesNotStopTheOthers()
    {
        var bus = Bus();
        var got = 0;
        await using var bad = await bus.SubscribeAsync(1, _ => throw new InvalidOperationException("boom"));
        await using var good = await bus.SubscribeAsync(1, _ => { got++; return Task.CompletedTask; });
        await bus.PublishAsync(new SessionEvent { Kind = SessionEventKind.Moved, SessionId = 1, Position = 2 });
        Assert.Equal(1, got);
    }
}

/// <summary>Two app instances share sessions through Redis: an event published on one reaches a subscriber of the other.</summary>
public sealed class RedisSessionBusTests : IAsyncLifetime
{
    private Process? _server;
    private string _endpoint = "";

    public async Task InitializeAsync()
    {
        _endpoint = Environment.GetEnvironmentVariable("TRIAGE_TEST_REDIS") ?? "";
        if (_endpoint.Length > 0) return;
        // No server from the test command: start a throwaway one on a free loopback port.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _server = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        _endpoint = $"127.0.0.1:{port}";
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
    }

    [Fact]
    public async Task EventOnOneInstance_ReachesTheOther()
    {
        await using var redisA = await ConnectionMultiplexer.ConnectAsync(_endpoint);
        await using var redisB = await ConnectionMultiplexer.ConnectAsync(_endpoint);
        var a = new RedisSessionBus(redisA, new InProcessSessionBus(NullLogger<InProcessSessionBus>.Instance), NullLogger<RedisSessionBus>.Instance);
        var b = new RedisSessionBus(redisB, new InProcessSessionBus(NullLogger<InProcessSessionBus>.Instance), NullLogger<RedisSessionBus>.Instance);
        var received = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await b.SubscribeAsync(42, e => { received.TrySetResult(e); return Task.CompletedTask; });
        var sent = new SessionEvent { Kind = SessionEventKind.Decided, SessionId = 42, FindingId = 7, Status = "not_affected", UserName = "ana", Text = "<b>x</b>", At = DateTime.UtcNow };
        await a.PublishAsync(sent);
        var got = await received.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(sent, got);
    }

    [Fact]
    public async Task RoomsOnTwoInstances_SeeEachOthersPresence()
    {
        await using var redisA = await ConnectionMultiplexer.ConnectAsync(_endpoint);
        await using var redisB = await ConnectionMultiplexer.ConnectAsync(_endpoint);
        var a = new RedisSessionBus(redisA, new InProcessSessionBus(NullLogger<InProcessSessionBus>.Instance), NullLogger<RedisSessionBus>.Instance);
        var b = new RedisSessionBus(redisB, new InProcessSessionBus(NullLogger<InProcessSessionBus>.Instance), NullLogger<RedisSessionBus>.Instance);
        await using var ana = new SessionRoom(a, 9, new Participant("k1", "u1", "ana", "Triager"), TimeProvider.System);
        await using var ben = new SessionRoom(b, 9, new Participant("k2", "u2", "ben", "Viewer"), TimeProvider.System);
        await ana.JoinAsync();
        await ben.JoinAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((ana.Present.Count < 2 || ben.Present.Count < 2) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(["ana", "ben"], ana.Present.Select(p => p.Name));
        Assert.Equal(["ana", "ben"], ben.Present.Select(p => p.Name));
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false }) _server.Kill();
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
