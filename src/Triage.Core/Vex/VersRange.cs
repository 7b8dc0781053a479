using System.Globalization;

namespace Triage.Core.Vex;

/// <summary>
/// A version range in the <c>vers</c> notation (package-url/purl-spec VERSION-RANGE-SPEC): <c>vers:&lt;scheme&gt;/&lt;constraints&gt;</c>,
/// constraints joined by '|', each <c>=, !=, &lt;, &lt;=, &gt;, &gt;=</c> and a version, or <c>*</c> for all versions.
/// Versions compare segment by segment (numbers numerically, other text ordinally, "~" before anything), which is exact for
/// semver-like schemes and a close approximation for deb/rpm/apk; scheme-specific epochs are compared as their leading number.
/// </summary>
public sealed class VersRange
{
    private readonly (string Op, string Version)[] _constraints;

    private VersRange(string text, string scheme, (string, string)[] constraints)
    {
        Text = text;
        Scheme = scheme;
        _constraints = constraints;
    }

    public string Text { get; }
    public string Scheme { get; }

    public override string ToString() => Text;

    public static bool TryParse(string? text, out VersRange range, out string error)
    {
        range = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "empty range"; return false; }
        var t = text.Trim();
        if (!t.StartsWith("vers:", StringComparison.OrdinalIgnoreCase)) { error = "a range starts with 'vers:'"; return false; }
        var slash = t.IndexOf('/', 5);
        if (slash < 0) { error = "no '/' after the versioning scheme"; return false; }
        var scheme = t[5..slash].ToLowerInvariant();
        var list = new List<(string, string)>();
        foreach (var raw in t[(slash + 1)..].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "*") { list.Add(("*", "")); continue; }
            var op = raw.StartsWith(">=", StringComparison.Ordinal) || raw.StartsWith("<=", StringComparison.Ordinal) || raw.StartsWith("!=", StringComparison.Ordinal) ? raw[..2]
                : raw[0] is '<' or '>' or '=' ? raw[..1] : "=";
            var v = raw[(op == "=" && raw[0] != '=' ? 0 : op.Length)..].Trim();
            if (v.Length == 0) { error = $"constraint '{raw}' has no version"; return false; }
            list.Add((op, Uri.UnescapeDataString(v)));
        }
        if (list.Count == 0) { error = "no constraints"; return false; }
        range = new VersRange(t, scheme, [.. list]);
        return true;
    }

    /// <summary>Evaluates the constraints the way the vers spec does: sorted by version, '=' and '!=' checked first, then
    /// consecutive bounds pair up into intervals.</summary>
    public bool Contains(string? version)
    {
        if (string.IsNullOrEmpty(version)) return false;
        if (_constraints.Any(c => c.Op == "*")) return true;
        foreach (var (op, v) in _constraints)
        {
            var cmp = Compare(version, v);
            if (op == "=" && cmp == 0) return true;
            if (op == "!=" && cmp == 0) return false;
        }
        var bounds = _constraints.Where(c => c.Op is "<" or "<=" or ">" or ">=").OrderBy(c => c.Version, Comparer<string>.Create(Compare)).ToArray();
        if (bounds.Length == 0) return _constraints.All(c => c.Op == "!=");
        for (var i = 0; i < bounds.Length; i++)
        {
            var (op, v) = bounds[i];
            var cmp = Compare(version, v);
            if (op is ">" or ">=")
            {
                var lowOk = op == ">" ? cmp > 0 : cmp >= 0;
                if (!lowOk) continue;
                if (i + 1 < bounds.Length && bounds[i + 1].Op is "<" or "<=")
                {
                    var c2 = Compare(version, bounds[i + 1].Version);
                    if (bounds[i + 1].Op == "<" ? c2 < 0 : c2 <= 0) return true;
                }
                else if (i + 1 == bounds.Length) return true;
            }
            else if (i == 0)
            {
                if (op == "<" ? cmp < 0 : cmp <= 0) return true;
            }
        }
        return false;
    }

    /// <summary>Segment-wise comparison: digits numerically, letters ordinally, '~' sorts before everything (Debian), a
    /// missing segment before a present one.</summary>
    public static int Compare(string a, string b)
    {
        a = a.TrimStart('v', 'V');
        b = b.TrimStart('v', 'V');
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && a[i] == '~' || j < b.Length && b[j] == '~')
            {
                var ta = i < a.Length && a[i] == '~';
                var tb = j < b.Length && b[j] == '~';
                if (ta != tb) return ta ? -1 : 1;
                i++; j++;
                continue;
            }
            while (i < a.Length && !char.IsAsciiLetterOrDigit(a[i]) && a[i] != '~') i++;
            while (j < b.Length && !char.IsAsciiLetterOrDigit(b[j]) && b[j] != '~') j++;
            if (i >= a.Length || j >= b.Length) return (i >= a.Length ? 0 : 1) - (j >= b.Length ? 0 : 1);
            var da = char.IsAsciiDigit(a[i]);
            var db = char.IsAsciiDigit(b[j]);
            var si = i; var sj = j;
            while (i < a.Length && (da ? char.IsAsciiDigit(a[i]) : char.IsAsciiLetter(a[i]))) i++;
            while (j < b.Length && (db ? char.IsAsciiDigit(b[j]) : char.IsAsciiLetter(b[j]))) j++;
            var sa = a[si..i];
            var sb = b[sj..j];
            int c;
            if (da && db)
            {
                c = decimal.Parse(sa.Length > 28 ? sa[..28] : sa, CultureInfo.InvariantCulture).CompareTo(decimal.Parse(sb.Length > 28 ? sb[..28] : sb, CultureInfo.InvariantCulture));
            }
            else if (da != db) c = da ? 1 : -1; // a number outranks a pre-release word ("1.0.1" > "1.0.rc1")
            else c = string.CompareOrdinal(sa, sb);
            if (c != 0) return Math.Sign(c);
        }
        return 0;
    }
}
