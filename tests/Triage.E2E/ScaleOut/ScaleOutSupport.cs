using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Testing;
using Triage.Web.Infrastructure.Access;

namespace Triage.E2E.ScaleOut;

/// <summary>What the scale-out tests share: the Redis server the test command started, API tokens written straight into
/// the database, report uploads.</summary>
public static class ScaleOut
{
    public const string AdminEmail = "admin@example.test";
    public const string Password = "correct-horse-42";

    /// <summary>TRIAGE_TEST_REDIS (host:port), set by .ci/test.sh.</summary>
    public static string Redis =>
        Environment.GetEnvironmentVariable("TRIAGE_TEST_REDIS") is { Length: > 0 } r ? r
        : throw new InvalidOperationException("TRIAGE_TEST_REDIS is not set: run the tests with .ci/test.sh, which starts a throwaway Redis.");

    /// <summary>An API token (read and upload) for an existing user, stored as the tokens page stores it.</summary>
    public static async Task<string> CreateTokenAsync(string connectionString, string email)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var (secret, prefix, hash) = ApiTokens.Create();
        db.ApiTokens.Add(new ApiToken
        {
            UserId = user.Id, Name = "scale-out test", Prefix = prefix, Hash = hash, Scopes = TokenScopes.Read | TokenScopes.Upload, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    public static HttpClient Api(string baseUrl, string token, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what}: not within {timeout}");
            await Task.Delay(250);
        }
    }
}

/// <summary>One app instance on a real loopback port (Kestrel), on a given database and Redis: two of them in one test
/// process are two instances behind a load balancer.</summary>
public sealed class InstanceFactory(string connectionString, string redis) : WebApplicationFactory<Program>
{
    public string BaseUrl { get; private set; } = "";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Triage", connectionString);
        builder.UseSetting("ConnectionStrings:Redis", redis);
        builder.UseSetting("Triage:Admin:Email", ScaleOut.AdminEmail);
        builder.UseSetting("Triage:Admin:Password", ScaleOut.Password);
        builder.UseSetting("Triage:Admin:Name", "Ada Admin");
        builder.UseSetting("Triage:Queue:LeaseSeconds", "3");
        builder.UseSetting("Triage:Queue:PollSeconds", "0.3");
    }

    public InstanceFactory Start()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return this;
    }

    public async Task CreateUserAsync(string email, string name, TriageRole role)
    {
        await using var scope = Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<AccountSetup>();
        await setup.EnsureRolesAsync();
        Assert.Empty(await setup.CreateUserAsync(email, ScaleOut.Password, name, role));
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<UserManager<TriageUser>>().FindByEmailAsync(email));
    }
}

/// <summary>The scale-out tests start several instances (and processes) each: they run alone, after the others, so their
/// timings (leases, live updates) do not compete with the rest of the suite for the CPU.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleOutCollection
{
    public const string Name = "scale-out";
}
