using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Triage.Data;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Account;

public partial class Login
{
    [Inject] private SignInManager<TriageUser> SignIn { get; set; } = default!;
    [Inject] private AccountSetup Setup { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] internal OidcSettings Oidc { get; set; } = default!;

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery] private string? ReturnUrl { get; set; }
    [SupplyParameterFromQuery(Name = "error")] private string? ErrorCode { get; set; }
    [SupplyParameterFromForm] private LoginInput Input { get; set; } = default!;

    private string? Message { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        if (!HttpMethods.IsGet(HttpContext.Request.Method)) return;
        // A fresh database has nobody to sign in as: the first visitor sets up the admin account.
        if (!await Setup.HasUsersAsync())
        {
            Navigation.NavigateTo($"account/setup?ReturnUrl={Uri.EscapeDataString(ReturnUrls.Safe(ReturnUrl))}");
            return;
        }
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        Message = ErrorCode switch
        {
            null or "" => null,
            "external-failed" => "Single sign-on did not complete. Try again, or sign in with a password.",
            "external-no-email" => "The identity provider did not send an email address, so no account could be matched.",
            "external-unverified" => "An account with this email exists, but the identity provider did not confirm the address. Ask an admin to link it.",
            "locked" => "This account is locked. Ask an admin to unlock it.",
            _ => "Sign-in failed.",
        };
    }

    [Inject] private Infrastructure.Security.Auditor Audit { get; set; } = default!;

    private async Task SignInAsync()
    {
        var result = await SignIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            var user = await SignIn.UserManager.FindByNameAsync(Input.Email.Trim());
            if (user is not null)
            {
                user.LastSignInAt = Time.GetUtcNow().UtcDateTime;
                await SignIn.UserManager.UpdateAsync(user);
                await Audit.RecordAsync(user.UserName ?? Input.Email.Trim(), user.Id, Core.Audit.AuditActions.SignedIn, "password");
            }
            Navigation.NavigateTo(ReturnUrls.Safe(ReturnUrl));
            return;
        }
        await Audit.RecordAnonymousAsync(Input.Email.Trim(), Core.Audit.AuditActions.SignInFailed, result.IsLockedOut ? "account locked" : "wrong email or password");
        Message = result.IsLockedOut
            ? "Too many failed attempts or locked by an admin: this account is locked for now."
            : "Wrong email or password.";
    }
}
