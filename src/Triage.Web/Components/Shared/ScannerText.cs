using System.Text;

namespace Triage.Web.Components.Shared;

/// <summary>Scanner text (descriptions, titles, package names) is data from outside: it is rendered as text, never
/// markup, and control characters other than line breaks and tabs are dropped so they cannot garble the page.</summary>
public static class ScannerText
{
    public static string Clean(string? value, int maxLength = 20_000)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var b = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var ch in value)
        {
            if (b.Length >= maxLength) { b.Append('…'); break; }
            if (ch == '\r') continue;
            if (ch is '\n' or '\t' || !char.IsControl(ch) && ch is not ('\u200B' or '\u200E' or '\u200F' or '\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E'))
                b.Append(ch);
        }
        return b.ToString();
    }
}
