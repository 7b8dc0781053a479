using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Import;
using Triage.Testing;
using Triage.Web.Features.Admin;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>The real app on a fresh SQLite file (or PostgreSQL database), with helpers to make users, tokens and signed-in clients.</summary>
public class TriageWebFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@example.test";
    public const string Password = "correct-horse-42";

    private readonly Dictionary<string, string?> _settings;

    public TriageWebFactory() : this("sqlite", seedAdmin: true) { }

    protected TriageWebFactory(string provider, bool seedAdmin, IDictionary<string, string?>? settings = null)
    {
        ConnectionString = TestDatabases.New(provider);
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (seedAdmin)
        {
            _settings["Triage:Admin:Email"] = AdminEmail;
            _settings["Triage:Admin:Password"] = Password;
        }
    }

    public string ConnectionString { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Triage", ConnectionString);
        // Host settings reach builder.Configuration before Program reads it (ConfigureAppConfiguration may come too late for that).
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public TriageDbContext Db() => Services.GetRequiredService<IDbContextFactory<TriageDbContext>>().CreateDbContext();

    public async Task<string> CreateUserAsync(string email, TriageRole role, params string[] teams)
    {
        await using var scope = Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<AccountSetup>();
        await setup.EnsureRolesAsync();
        var errors = await setup.CreateUserAsync(email, Password, null, role);
        Assert.Empty(errors);
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<TriageUser>>().FindByEmailAsync(email);
        await using var db = Db();
        foreach (var name in teams)
        {
            var team = await db.Teams.FirstOrDefaultAsync(t => t.Name == name) ?? db.Teams.Add(new Team { Name = name, CreatedAt = DateTime.UtcNow }).Entity;
            await db.SaveChangesAsync();
            db.TeamMembers.Add(new TeamMember { TeamId = team.Id, UserId = user!.Id });
            await db.SaveChangesAsync();
        }
        return user!.Id;
    }

    public async Task<UserAccess> AccessForAsync(string email)
    {
        await using var db = Db();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var role = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name).SingleAsync();
        var teams = await db.TeamMembers.Where(m => m.UserId == user.Id).Select(m => m.TeamId).ToListAsync();
        TriageRoleNames.TryParse(role, out var parsed);
        return new UserAccess(user.Id, email, parsed, teams);
    }

    /// <summary>A token made the way the API tokens page makes it.</summary>
    public async Task<string> CreateTokenAsync(string email, TokenScopes scopes)
    {
        await using var scope = Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<TokenService>();
        return (await tokens.CreateAsync(await AccessForAsync(email), "test", scopes, null)).Secret;
    }

    public HttpClient TokenClient(string token)
    {
        var c = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        c.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>A client signed in through the real sign-in form (antiforgery token included), with its cookies.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await FormAsync(client, "/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.Token, ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<(string Html, string Token)> FormAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        var m = Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(m.Success, $"no antiforgery token on {path}");
        return (html, WebUtility.HtmlDecode(m.Groups[1].Value));
    }

    public async Task<ImportSummary> ImportFixtureAsync(params string[] fixture)
    {
        var importer = Services.GetRequiredService<ReportImporter>();
        await using var file = File.OpenRead(TestPaths.Fixture(fixture));
        return await importer.ImportAsync(file, Path.GetFileName(fixture[^1]), new ImportOptions { ImportedBy = "test" });
    }

    /// <summary>A fresh database with nobody in it: the one-time setup page's world.</summary>
    public static TriageWebFactory WithoutUsers() => new EmptyFactory();

    private sealed class EmptyFactory() : TriageWebFactory("sqlite", seedAdmin: false);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TestDatabases.ClearPools();
    }
}
