using System.Security.Cryptography;
using System.Text;

namespace Triage.Web.Infrastructure.Access;

/// <summary>The API token format: "trg_" + 43 base64url characters (32 random bytes). Recognisable in logs and by
/// secret scanners; only its SHA-256 is stored.</summary>
public static class ApiTokens
{
    public const string Marker = "trg_";
    private const int SecretBytes = 32;
    private const int DisplayPrefixLength = 12;

    /// <summary>A new secret and the values to store for it.</summary>
    public static (string Secret, string Prefix, string Hash) Create()
    {
        var secret = Marker + Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        return (secret, secret[..DisplayPrefixLength], Hash(secret));
    }

    public static bool LooksLikeToken(string? value) =>
        value is { Length: > 20 and < 200 } && value.StartsWith(Marker, StringComparison.Ordinal) && value.Skip(Marker.Length).All(IsBase64UrlChar);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static bool IsBase64UrlChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_';

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
