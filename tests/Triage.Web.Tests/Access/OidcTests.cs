using System.Net;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Triage.Core.Audit;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Access;

/// <summary>OpenID Connect is offered only when configured, sends the browser to the provider with PKCE, and signs a person
/// in from the provider's signed ID token (a fake provider answers the token endpoint).</summary>
public sealed class OidcTests
{
    [Fact]
    public async Task NotConfigured_NoButton_AndNoScheme()
    {
        using var app = new TriageWebFactory();
        var html = await app.CreateClient().GetStringAsync("/account/login");
        Assert.DoesNotContain("sign-in-oidc", html);
        var schemes = app.Services.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();
        Assert.Null(await schemes.GetSchemeAsync("oidc"));
    }

    [Fact]
    public async Task Configured_ButtonChallengesTheProvider()
    {
        using var app = new OidcFactory();
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var (html, token) = await TriageWebFactory.FormAsync(client, "/account/login");
        Assert.Contains("Sign in with Company SSO", html);
        var response = await client.PostAsync("/account/external-login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["returnUrl"] = "/findings",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("https://idp.example.test/authorize", location.GetLeftPart(UriPartial.Path));
        Assert.Contains("client_id=triage-web", location.Query);
        Assert.Contains("code_challenge=", location.Query);
        Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost%2Fsignin-oidc", location.Query);
    }

    [Fact]
    public async Task ProviderSignsInANewPerson_AccountCreatedAsViewer_SecondSignInFindsIt_AllAudited()
    {
        using var app = new OidcFactory();
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        for (var round = 1; round <= 2; round++)
        {
            // The browser goes to the provider (state, nonce, PKCE), the provider posts a code back, the handler redeems it
            // at the token endpoint (the fake IdP below) and validates the signed ID token, then Triage signs the person in.
            var (_, token) = await TriageWebFactory.FormAsync(client, "/account/login");
            var challenge = await client.PostAsync("/account/external-login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["returnUrl"] = "/findings",
            }));
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(challenge.Headers.Location!.Query);
            app.Idp.Nonce = query["nonce"].ToString();
            var callback = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["code"] = "code-" + round, ["state"] = query["state"].ToString(),
            }));
            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            Assert.StartsWith("/account/external-callback", callback.Headers.Location!.OriginalString);
            var done = await client.GetAsync(callback.Headers.Location);
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
            Assert.Equal("/findings", done.Headers.Location!.OriginalString);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/findings")).StatusCode);
        }

        await using var db = app.Db();
        var user = await db.Users.SingleAsync(u => u.Email == FakeIdp.Email);
        Assert.Equal("Grace Hopper", user.DisplayName);
        var access = await app.AccessForAsync(FakeIdp.Email);
        Assert.Equal(Triage.Core.Domain.TriageRole.Viewer, access.Role);
        var events = await db.AuditEvents.Where(e => e.Actor == FakeIdp.Email).OrderBy(e => e.Id).Select(e => new { e.Action, e.Details }).ToListAsync();
        Assert.Equal(
            [(AuditActions.UserCreated, "on first OpenID Connect sign-in, role Viewer"), (AuditActions.SignedIn, "OpenID Connect (login linked)"), (AuditActions.SignedIn, "OpenID Connect")],
            events.Select(e => (e.Action, e.Details)));
    }

    /// <summary>The identity provider's token endpoint: redeems any code for an ID token signed with its key.</summary>
    private sealed class FakeIdp : HttpMessageHandler
    {
        public const string Email = "grace@example.test";
        public RsaSecurityKey Key { get; } = new(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "test-key" };
        public string Nonce { get; set; } = "";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath != "/token") return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "https://idp.example.test",
                Audience = "triage-web",
                IssuedAt = DateTime.UtcNow,
                Expires = DateTime.UtcNow.AddMinutes(5),
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = "user-42", ["email"] = Email, ["email_verified"] = true, ["name"] = "Grace Hopper", ["nonce"] = Nonce,
                },
                SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
            });
            var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["access_token"] = "at", ["token_type"] = "Bearer", ["expires_in"] = 300, ["id_token"] = idToken,
            });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });
        }
    }

    private sealed class OidcFactory() : TriageWebFactory("sqlite", seedAdmin: true, new Dictionary<string, string?>
    {
        ["Triage:Oidc:Authority"] = "https://idp.example.test",
        ["Triage:Oidc:ClientId"] = "triage-web",
        ["Triage:Oidc:ClientSecret"] = "s3cret",
        ["Triage:Oidc:DisplayName"] = "Company SSO",
    })
    {
        public FakeIdp Idp { get; } = new();

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // No network here: give the handler the provider's metadata instead of letting it fetch the discovery document.
            builder.ConfigureServices(s => s.PostConfigure<OpenIdConnectOptions>("oidc", o =>
            {
                o.Configuration = new OpenIdConnectConfiguration
                {
                    Issuer = "https://idp.example.test", AuthorizationEndpoint = "https://idp.example.test/authorize", TokenEndpoint = "https://idp.example.test/token",
                };
                o.Configuration.SigningKeys.Add(Idp.Key);
                o.Backchannel = new HttpClient(Idp);
                // The test client speaks plain http to the test server: let the correlation and nonce cookies travel on it.
                o.CorrelationCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                o.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(o.Configuration);
            }));
        }
    }
}
