using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Triage.Data;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Account;

public partial class Setup
{
    [Inject] private SignInManager<TriageUser> SignIn { get; set; } = default!;
    [Inject] private AccountSetup AccountSetup { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private Infrastructure.Security.Auditor Audit { get; set; } = default!;

    [SupplyParameterFromQuery] private string? ReturnUrl { get; set; }
    [SupplyParameterFromForm] private SetupInput Input { get; set; } = default!;

    private IReadOnlyList<string> Errors { get; set; } = [];

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        if (await AccountSetup.HasUsersAsync()) Navigation.NavigateTo($"account/login?ReturnUrl={Uri.EscapeDataString(ReturnUrls.Safe(ReturnUrl))}");
    }

    private async Task CreateAsync()
    {
        Errors = await AccountSetup.CreateFirstAdminAsync(Input.Email, Input.Password, Input.DisplayName);
        if (Errors.Count > 0) return;
        var user = await SignIn.UserManager.FindByNameAsync(Input.Email.Trim());
        if (user is null)
        {
            Errors = ["The account was created but could not be read back; sign in instead."];
            return;
        }
        await Audit.RecordAsync(user.UserName ?? Input.Email.Trim(), user.Id, Core.Audit.AuditActions.UserCreated, "first admin, on the setup page");
        await SignIn.SignInAsync(user, isPersistent: false);
        await Audit.RecordAsync(user.UserName ?? Input.Email.Trim(), user.Id, Core.Audit.AuditActions.SignedIn, "setup page");
        Navigation.NavigateTo(ReturnUrls.Safe(ReturnUrl));
    }
}
