namespace Triage.Sigstore.Json;

/// <summary>
/// Base64 as proto3 JSON parsers and DSSE verifiers accept it: standard or URL-safe alphabet, with or without padding.
/// We always write standard padded base64.
/// </summary>
internal static class Base64Lenient
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0) return true;
        var normalized = text.Replace('-', '+').Replace('_', '/');
        var remainder = normalized.Length % 4;
        if (remainder == 1) return false;
        if (remainder != 0) normalized += new string('=', 4 - remainder);
        try
        {
            bytes = Convert.FromBase64String(normalized);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out var bytes) ? bytes : throw new FormatException("not base64");
}
