using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Triage.Data.Configuration;

/// <summary>
/// PostgreSQL text cannot hold NUL, but scanner reports do (Grype reports a python binary with version "3\u00006") and
/// strings are stored exactly as given. On PostgreSQL, NUL is therefore written as U+E000 U+E000 and a real U+E000 as
/// U+E000 U+E001 (a private-use escape, fully reversible); SQLite stores strings as they are.
/// </summary>
public static class PostgresText
{
    private const char Escape = '\uE000';

    public static string Encode(string s)
    {
        if (s.AsSpan().IndexOfAny('\0', Escape) < 0) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c == '\0') sb.Append(Escape).Append(Escape);
            else if (c == Escape) sb.Append(Escape).Append('\uE001');
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Decode(string s)
    {
        if (s.IndexOf(Escape) < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == Escape && i + 1 < s.Length)
            {
                sb.Append(s[i + 1] == Escape ? '\0' : Escape);
                i++;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}

/// <summary>Applies <see cref="PostgresText"/> to every string property of the PostgreSQL model.</summary>
public sealed class PostgresTextConverter() : ValueConverter<string, string>(v => PostgresText.Encode(v), v => PostgresText.Decode(v));
