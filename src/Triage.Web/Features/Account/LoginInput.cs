using System.ComponentModel.DataAnnotations;

namespace Triage.Web.Features.Account;

public sealed class LoginInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";

    public bool RememberMe { get; set; }
}

public sealed class SetupInput
{
    [Required(ErrorMessage = "Enter an email address.")]
    [EmailAddress(ErrorMessage = "That is not an email address.")]
    public string Email { get; set; } = "";

    [MaxLength(200)]
    public string? DisplayName { get; set; }

    [Required(ErrorMessage = "Choose a password.")]
    [MinLength(10, ErrorMessage = "Use at least 10 characters.")]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>Only local paths are followed after sign-in (no open redirect).</summary>
public static class ReturnUrls
{
    public static string Safe(string? returnUrl) =>
        returnUrl is { Length: > 0 } u && u[0] == '/' && !u.StartsWith("//", StringComparison.Ordinal) && !u.StartsWith("/\\", StringComparison.Ordinal)
            && !u.StartsWith("/account/", StringComparison.OrdinalIgnoreCase)
            ? u : "/";
}
