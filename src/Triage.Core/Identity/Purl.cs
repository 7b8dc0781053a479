using System.Text;

namespace Triage.Core.Identity;

/// <summary>A package URL (https://github.com/package-url/purl-spec): pkg:type/namespace/name@version?qualifiers#subpath.
/// Parsing decodes percent-escapes; <see cref="ToString"/> writes the canonical form (qualifiers sorted, escapes where needed).</summary>
public sealed record Purl
{
    public required string Type { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public string? Version { get; init; }
    public IReadOnlyDictionary<string, string> Qualifiers { get; init; } = Empty;
    public string? Subpath { get; init; }

    private static readonly IReadOnlyDictionary<string, string> Empty = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public static bool TryParse(string? text, out Purl? purl)
    {
        purl = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (!s.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return false;
        s = s[4..].TrimStart('/');

        string? subpath = null;
        var hash = s.IndexOf('#');
        if (hash >= 0) { subpath = Decode(s[(hash + 1)..].Trim('/')); s = s[..hash]; }

        var qualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var q = s.IndexOf('?');
        if (q >= 0)
        {
            foreach (var pair in s[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0) continue;
                var key = pair[..eq].ToLowerInvariant();
                var value = Decode(pair[(eq + 1)..]);
                if (value.Length > 0) qualifiers[key] = value;
            }
            s = s[..q];
        }

        var slash = s.IndexOf('/');
        if (slash <= 0) return false;
        var type = s[..slash].ToLowerInvariant();
        var rest = s[(slash + 1)..].TrimEnd('/');

        string? version = null;
        var at = rest.LastIndexOf('@');
        // An '@' at the start of a segment is an npm scope written unescaped, not a version separator.
        if (at > 0 && rest[at - 1] != '/')
        {
            version = Decode(rest[(at + 1)..]);
            rest = rest[..at];
        }

        var lastSlash = rest.LastIndexOf('/');
        string? ns = null;
        string name;
        if (lastSlash >= 0)
        {
            ns = string.Join('/', rest[..lastSlash].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Decode));
            name = Decode(rest[(lastSlash + 1)..]);
        }
        else name = Decode(rest);
        if (name.Length == 0) return false;

        purl = new Purl
        {
            Type = type,
            Namespace = string.IsNullOrEmpty(ns) ? null : ns,
            Name = name,
            Version = string.IsNullOrEmpty(version) ? null : version,
            Qualifiers = qualifiers,
            Subpath = string.IsNullOrEmpty(subpath) ? null : subpath,
        };
        return true;
    }

    public static Purl Parse(string text) =>
        TryParse(text, out var p) ? p! : throw new FormatException($"Not a package URL: '{text}'");

    /// <summary>The purl without version, qualifiers and subpath: what "every version of this package" means.</summary>
    public Purl WithoutVersion() => this with { Version = null, Qualifiers = Empty, Subpath = null };

    public override string ToString()
    {
        var sb = new StringBuilder("pkg:").Append(Type).Append('/');
        if (!string.IsNullOrEmpty(Namespace))
        {
            foreach (var seg in Namespace.Split('/', StringSplitOptions.RemoveEmptyEntries)) sb.Append(Encode(seg)).Append('/');
        }
        sb.Append(Encode(Name));
        if (!string.IsNullOrEmpty(Version)) sb.Append('@').Append(Encode(Version));
        if (Qualifiers.Count > 0)
        {
            sb.Append('?');
            var first = true;
            foreach (var (k, v) in Qualifiers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!first) sb.Append('&');
                sb.Append(k).Append('=').Append(Encode(v, keepSlash: true));
                first = false;
            }
        }
        if (!string.IsNullOrEmpty(Subpath)) sb.Append('#').Append(Subpath);
        return sb.ToString();
    }

    private static string Decode(string s) => s.Contains('%') ? Uri.UnescapeDataString(s) : s;

    private static string Encode(string s, bool keepSlash = false)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' or '~' || (keepSlash && ch is '/' or ':'))
                sb.Append(ch);
            else
                foreach (var b in Encoding.UTF8.GetBytes(ch.ToString())) sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }
}
