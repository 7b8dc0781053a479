using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Triage.Data;

namespace Triage.Web.Infrastructure.Access;

/// <summary>Sign-in and roles: Identity with local accounts in the Triage database, the Identity cookie for people,
/// API tokens for /api/v1/*, optional OpenID Connect, and the policies every page and endpoint names.</summary>
public static class AccessServices
{
    public const string OidcScheme = "oidc";

    public static WebApplicationBuilder AddTriageAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        // Identity's EF stores need a scoped context; pages use the factory (one context per operation).
        services.AddScoped<TriageDbContext>(sp => sp.GetRequiredService<IDbContextFactory<TriageDbContext>>().CreateDbContext());

        var auth = services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        auth.AddIdentityCookies();

        services.AddIdentityCore<TriageUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Lockout.MaxFailedAccessAttempts = 10;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<TriageDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<TriageClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "triage.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            // /api/* answers 401/403, never a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiProblems.IsApi(ctx.Request)
                ? ApiProblems.WriteAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "unauthorized", "Sign-in required", "send an API token as 'Authorization: Bearer trg_…'")
                : Redirect(ctx);
            o.Events.OnRedirectToAccessDenied = ctx => ApiProblems.IsApi(ctx.Request)
                ? ApiProblems.WriteAsync(ctx.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Not allowed", "this endpoint needs another role or scope")
                : Redirect(ctx);
        });

        var oidc = builder.Configuration.GetSection("Triage:Oidc").Get<OidcSettings>();
        if (oidc?.IsConfigured == true)
        {
            services.AddSingleton(oidc);
            auth.AddOpenIdConnect(OidcScheme, oidc.DisplayName, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.CallbackPath = "/signin-oidc";
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.Scope.Clear();
                foreach (var s in oidc.EffectiveScopes) o.Scope.Add(s);
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
            });
        }
        else services.AddSingleton(new OidcSettings());

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.View, p => p.RequireAuthenticatedUser().RequireRole(Policies.ViewRoles))
            .AddPolicy(Policies.Triage, p => p.RequireAuthenticatedUser().RequireRole(Policies.TriageRoles))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Core.Domain.TriageRoleNames.Admin))
            .AddPolicy(Policies.ApiToken, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Policies.ApiRead, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
                .RequireRole(Policies.ViewRoles).RequireClaim(TriageClaims.Scope, Core.Domain.TokenScopeNames.Read))
            .AddPolicy(Policies.ApiUpload, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
                .RequireRole(Policies.TriageRoles).RequireClaim(TriageClaims.Scope, Core.Domain.TokenScopeNames.Upload))
            // Whatever does not name a policy needs a signed-in user: a new endpoint cannot ship open by accident.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddScoped<UserAccessService>();
        services.AddScoped<AccountSetup>();
        return builder;
    }

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>Triage:Oidc in configuration. Single sign-on is offered only when Authority and ClientId are set.</summary>
public sealed class OidcSettings
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>The sign-in button's label.</summary>
    public string DisplayName { get; set; } = "Single sign-on";
    /// <summary>Role given to a person who signs in through OIDC for the first time.</summary>
    public string DefaultRole { get; set; } = Core.Domain.TriageRoleNames.Viewer;
    public bool RequireHttpsMetadata { get; set; } = true;
    public string[]? Scopes { get; set; }

    public IReadOnlyList<string> EffectiveScopes => Scopes is { Length: > 0 } s ? s : ["openid", "profile", "email"];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
