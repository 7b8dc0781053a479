using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Account;

/// <summary>Form posts that are not pages: sign out, and the OpenID Connect round trip. Form-bound, so antiforgery applies.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account");

        account.MapPost("/logout", async (HttpContext http, SignInManager<TriageUser> signIn, Infrastructure.Security.Auditor audit, [FromForm] string? returnUrl) =>
        {
            if (http.User.Identity?.IsAuthenticated == true)
                await audit.RecordAsync(http.User.Identity.Name ?? "unknown", http.User.UserId(), Core.Audit.AuditActions.SignedOut);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        }).AllowAnonymous();

        account.MapPost("/external-login", (SignInManager<TriageUser> signIn, OidcSettings oidc, [FromForm] string? returnUrl) =>
        {
            if (!oidc.IsConfigured) return Results.NotFound();
            var callback = $"/account/external-callback?returnUrl={Uri.EscapeDataString(ReturnUrls.Safe(returnUrl))}";
            var properties = signIn.ConfigureExternalAuthenticationProperties(AccessServices.OidcScheme, callback);
            return Results.Challenge(properties, [AccessServices.OidcScheme]);
        }).AllowAnonymous();

        account.MapGet("/external-callback", ExternalCallbackAsync).AllowAnonymous();
        return app;
    }

    /// <summary>Signs in the person the identity provider vouched for: an existing link, else the local account with the
    /// same (verified) email, else a new account with the configured default role.</summary>
    private static async Task<IResult> ExternalCallbackAsync(HttpContext http, SignInManager<TriageUser> signIn, AccountSetup setup,
        OidcSettings oidc, TimeProvider time, ILoggerFactory loggers, [FromQuery] string? returnUrl)
    {
        var log = loggers.CreateLogger("Triage.Account");
        var target = ReturnUrls.Safe(returnUrl);
        var info = await signIn.GetExternalLoginInfoAsync();
        if (info is null) return Results.LocalRedirect("/account/login?error=external-failed");

        var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
        if (result.Succeeded) return await DoneAsync();
        if (result.IsLockedOut) return Results.LocalRedirect("/account/login?error=locked");

        var email = info.Principal.FindFirstValue("email") ?? info.Principal.FindFirstValue(ClaimTypes.Email);
        if (string.IsNullOrWhiteSpace(email)) return Results.LocalRedirect("/account/login?error=external-no-email");
        var users = signIn.UserManager;
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await setup.EnsureRolesAsync();
            var role = TriageRoleNames.TryParse(oidc.DefaultRole, out var r) ? r : TriageRole.Viewer;
            user = new TriageUser
            {
                UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime,
                DisplayName = info.Principal.FindFirstValue("name") ?? info.Principal.FindFirstValue(ClaimTypes.Name),
            };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded || !(await users.AddToRoleAsync(user, role.ToName())).Succeeded)
            {
                log.LogWarning("OIDC sign-in: could not create the account for {Email}: {Errors}", email, string.Join("; ", created.Errors.Select(e => e.Description)));
                return Results.LocalRedirect("/account/login?error=external-failed");
            }
            log.LogInformation("OIDC sign-in: created account {Email} with role {Role}", email, role.ToName());
        }
        else if (!string.Equals(info.Principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return Results.LocalRedirect("/account/login?error=external-unverified");
        }
        var linked = await users.AddLoginAsync(user, info);
        if (!linked.Succeeded) return Results.LocalRedirect("/account/login?error=external-failed");
        await signIn.SignInAsync(user, isPersistent: false, info.LoginProvider);
        return await DoneAsync();

        async Task<IResult> DoneAsync()
        {
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            return Results.LocalRedirect(target);
        }
    }
}
