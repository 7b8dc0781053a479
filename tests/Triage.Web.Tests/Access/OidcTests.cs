using System.Net;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Access;

/// <summary>OpenID Connect is offered only when configured, and then sends the browser to the provider with PKCE.</summary>
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

    private sealed class OidcFactory() : TriageWebFactory("sqlite", seedAdmin: true, new Dictionary<string, string?>
    {
        ["Triage:Oidc:Authority"] = "https://idp.example.test",
        ["Triage:Oidc:ClientId"] = "triage-web",
        ["Triage:Oidc:ClientSecret"] = "s3cret",
        ["Triage:Oidc:DisplayName"] = "Company SSO",
    })
    {
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
                o.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(o.Configuration);
            }));
        }
    }
}
