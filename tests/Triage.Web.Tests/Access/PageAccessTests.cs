using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Triage.Core.Domain;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Access;

/// <summary>Pages: anonymous people are sent to sign in; every page names its policy; forms need their antiforgery token.</summary>
public sealed class PageAccessTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private HttpClient Anonymous() => app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public static TheoryData<string> Pages => new() { "/", "/findings", "/findings/1", "/images", "/images/1", "/import", "/runtime", "/sessions", "/sessions/1", "/tokens", "/admin" };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_Anonymous_RedirectsToSignIn(string path)
    {
        var response = await Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location!.Query);
    }

    [Fact]
    public void EveryRoutableComponent_NamesAPolicyOrAllowsAnonymous()
    {
        var pages = typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any()).ToList();
        Assert.True(pages.Count >= 10, $"only {pages.Count} pages found");
        foreach (var page in pages)
        {
            var authorize = page.GetCustomAttributes<AuthorizeAttribute>().ToList();
            var anonymous = page.GetCustomAttributes<AllowAnonymousAttribute>().Any();
            Assert.True(anonymous || authorize.Any(a => a.Policy is not null), $"{page.Name} names no policy and does not allow anonymous access");
        }
    }

    [Fact]
    public async Task SignInForm_WithoutAntiforgeryToken_IsRefused()
    {
        var response = await Anonymous().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail, ["Input.Password"] = TriageWebFactory.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task SignInForm_WithToken_SignsIn_WrongPassword_DoesNot()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var (_, token) = await TriageWebFactory.FormAsync(client, "/account/login?ReturnUrl=%2Ffindings");
        var wrong = await client.PostAsync("/account/login?ReturnUrl=%2Ffindings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail, ["Input.Password"] = "wrong-password-1",
        }));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Wrong email or password", await wrong.Content.ReadAsStringAsync());

        var right = await client.PostAsync("/account/login?ReturnUrl=%2Ffindings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail, ["Input.Password"] = TriageWebFactory.Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/findings", Path(right));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/findings")).StatusCode);
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefused()
    {
        var client = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/findings")).StatusCode);
    }

    [Fact]
    public async Task SignIn_OpenRedirect_IsIgnored()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var (_, token) = await TriageWebFactory.FormAsync(client, "/account/login");
        var response = await client.PostAsync("/account/login?ReturnUrl=%2F%2Fevil.example%2F", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.Email"] = TriageWebFactory.AdminEmail, ["Input.Password"] = TriageWebFactory.Password,
        }));
        Assert.Equal("/", Path(response));
    }

    private static string Path(HttpResponseMessage r) => new Uri(new Uri("http://localhost"), r.Headers.Location!).PathAndQuery;

    [Theory]
    [InlineData(TriageRole.Viewer, "/import", false)]
    [InlineData(TriageRole.Viewer, "/runtime", false)]
    [InlineData(TriageRole.Viewer, "/admin", false)]
    [InlineData(TriageRole.Viewer, "/findings", true)]
    [InlineData(TriageRole.Triager, "/import", true)]
    [InlineData(TriageRole.Triager, "/runtime", true)]
    [InlineData(TriageRole.Triager, "/admin", false)]
    public async Task Page_ByRole(TriageRole role, string path, bool allowed)
    {
        var email = $"{role.ToName().ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        await app.CreateUserAsync(email, role);
        var client = await app.SignedInClientAsync(email);
        var response = await client.GetAsync(path);
        if (allowed) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
        }
    }
}

/// <summary>A fresh database shows the one-time setup form, which creates the admin and then disappears.</summary>
public sealed class FirstAdminSetupTests : IDisposable
{
    private readonly TriageWebFactory _app = TriageWebFactory.WithoutUsers();

    [Fact]
    public async Task FreshDatabase_Findings_ShowsSetupForm_ThenItIsGone()
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true });
        var page = await client.GetAsync("/findings");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal("/account/setup", page.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("type=\"password\"", html);
        Assert.Contains("Create the first admin", html);

        var (_, token) = await TriageWebFactory.FormAsync(client, "/account/setup?ReturnUrl=%2Ffindings");
        var created = await client.PostAsync("/account/setup?ReturnUrl=%2Ffindings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "setup", ["Input.Email"] = "first@example.test", ["Input.DisplayName"] = "First",
            ["Input.Password"] = TriageWebFactory.Password, ["Input.ConfirmPassword"] = TriageWebFactory.Password,
        }));
        Assert.Equal("/findings", created.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Findings", await created.Content.ReadAsStringAsync());
        var access = await _app.AccessForAsync("first@example.test");
        Assert.Equal(TriageRole.Admin, access.Role);

        var anonymous = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });
        var again = await anonymous.GetAsync("/account/setup");
        Assert.Equal("/account/login", again.RequestMessage!.RequestUri!.AbsolutePath);
    }

    public void Dispose() => _app.Dispose();
}
