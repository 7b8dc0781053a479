using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>The Redis connections of an instance: the backplane's and the container's are separate, and shutting down
/// disposes each once, through its owner.</summary>
public sealed class ScaleOutServicesTests
{
    private sealed class Instance(string redis) : TriageWebFactory("sqlite", seedAdmin: true,
        new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis });

    [Fact]
    public async Task Shutdown_AfterBlazorsBackplaneSubscribed_AndTheContainersConnectionWasUsed_ThrowsNothing()
    {
        await using var observer = await ConnectionMultiplexer.ConnectAsync(TestRedis.Endpoint + ",allowAdmin=true");
        for (var start = 0; start < 3; start++)
        {
            var name = "triage-probe-" + Guid.NewGuid().ToString("N")[..8];
            var app = new Instance($"{TestRedis.Endpoint},name={name}");
            // The first request builds the endpoints, and with them Blazor's hub, whose backplane connects and subscribes
            // in the background...
            Assert.True((await app.CreateClient().GetAsync("/account/login")).IsSuccessStatusCode);
            await BackplaneSubscribedAsync(observer, name);
            // ...and the container's connection is created after it, so the container disposes it first: shared with the
            // backplane, the backplane's Dispose then unsubscribed through a disposed connection and threw.
            var redis = app.Services.GetRequiredService<IConnectionMultiplexer>();
            await redis.GetDatabase().PingAsync();
            Assert.Equal(name, redis.ClientName);

            var shutdown = Record.Exception(app.Dispose);

            Assert.Null(shutdown);
            // The container disposed its own connection (IsConnected may lag behind the close: ask it to work instead).
            Assert.Throws<ObjectDisposedException>(() => redis.GetDatabase().Ping());
        }
    }

    /// <summary>Waits until the backplane's own connection (its name is the instance's plus "-signalr") holds channel
    /// subscriptions on the server (CLIENT LIST "sub=").</summary>
    private static async Task BackplaneSubscribedAsync(IConnectionMultiplexer observer, string name)
    {
        var server = observer.GetServers().Single();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await server.ClientListAsync()).Any(c => c.Name == name + "-signalr" && c.SubscriptionCount > 0))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the backplane of {name} never subscribed on a connection of its own");
            await Task.Delay(50);
        }
    }
}
