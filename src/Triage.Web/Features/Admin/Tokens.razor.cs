using Microsoft.AspNetCore.Components;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Admin;

/// <summary>The signed-in person's own API tokens.</summary>
public partial class Tokens
{
    [Inject] private TokenService Service { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private List<TokenRow> _rows = [];
    private string _name = "";
    private bool _read = true;
    private bool _upload;
    private bool _canUpload;
    private int _days = 90;
    private string? _created;
    private string? _error;

    private string Example => _upload
        ? $"curl -fsS -H \"Authorization: Bearer {_created}\" -F file=@trivy.json \"{Navigation.BaseUri}api/v1/scans\""
        : $"curl -fsS -H \"Authorization: Bearer {_created}\" \"{Navigation.BaseUri}api/v1/findings?severity=high\"";

    protected override async Task OnInitializedAsync()
    {
        var user = await Access.CurrentAsync();
        _canUpload = user.CanTriage;
        _rows = await Service.ListAsync(user, all: false);
    }

    private async Task CreateAsync()
    {
        try
        {
            _error = null;
            var user = await Access.CurrentAsync();
            var scopes = (_read ? TokenScopes.Read : TokenScopes.None) | (_upload ? TokenScopes.Upload : TokenScopes.None);
            DateTime? expires = _days > 0 ? Time.GetUtcNow().UtcDateTime.AddDays(_days) : null;
            _created = (await Service.CreateAsync(user, _name, scopes, expires)).Secret;
            _name = "";
            _rows = await Service.ListAsync(user, all: false);
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            _error = Components.Shared.ErrorText.Describe(e);
        }
    }

    private async Task RevokeAsync(TokenRow row)
    {
        var ok = await Dialogs.ShowMessageBoxAsync("Revoke token?", $"“{row.Name}” ({row.Prefix}…) stops working at once. This cannot be undone.",
            yesText: "Revoke", cancelText: "Cancel");
        if (ok != true) return;
        var user = await Access.CurrentAsync();
        await Service.RevokeAsync(user, row.Id);
        _rows = await Service.ListAsync(user, all: false);
    }
}
