using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Triage.Core.Audit;
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
        OidcSettings oidc, TimeProvider time, ILoggerFactory loggers, Infrastructure.Security.Auditor audit, [FromQuery] string? returnUrl)
    {
        var log = loggers.CreateLogger("Triage.Account");
        var target = ReturnUrls.Safe(returnUrl);
        var info = await signIn.GetExternalLoginInfoAsync();
        if (info is null)
        {
            await audit.RecordAnonymousAsync("oidc", AuditActions.SignInFailed, "OpenID Connect: no external login information");
            return Results.LocalRedirect("/account/login?error=external-failed");
        }
        var email = info.Principal.FindFirstValue("email") ?? info.Principal.FindFirstValue(ClaimTypes.Email);
        var who = email ?? info.Principal.FindFirstValue("sub") ?? info.ProviderKey;

        var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
        if (result.Succeeded)
        {
            var known = await signIn.UserManager.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
            await audit.RecordAsync(known?.UserName ?? who, known?.Id, AuditActions.SignedIn, "OpenID Connect");
            return await DoneAsync();
        }
        if (result.IsLockedOut) return await FailAsync("locked", "account locked");

        if (string.IsNullOrWhiteSpace(email)) return await FailAsync("external-no-email", "the identity provider sent no email");
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
                return await FailAsync("external-failed", "the account could not be created");
            }
            log.LogInformation("OIDC sign-in: created account {Email} with role {Role}", email, role.ToName());
            await audit.RecordAsync(email, user.Id, AuditActions.UserCreated, $"on first OpenID Connect sign-in, role {role.ToName()}");
        }
        else if (!string.Equals(info.Principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase))
        {
            // An unverified address must not take over the local account that has it.
            return await FailAsync("external-unverified", "the identity provider has not verified this email, which a local account already uses");
        }
        var linked = await users.AddLoginAsync(user, info);
        if (!linked.Succeeded) return await FailAsync("external-failed", "the external login could not be linked");
        await signIn.SignInAsync(user, isPersistent: false, info.LoginProvider);
        await audit.RecordAsync(user.UserName ?? email, user.Id, AuditActions.SignedIn, "OpenID Connect (login linked)");
        return await DoneAsync();

        async Task<IResult> FailAsync(string error, string reason)
        {
            await audit.RecordAnonymousAsync(who, AuditActions.SignInFailed, "OpenID Connect: " + reason);
            return Results.LocalRedirect("/account/login?error=" + error);
        }

        async Task<IResult> DoneAsync()
        {
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            return Results.LocalRedirect(target);
        }
    }
}
