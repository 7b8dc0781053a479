namespace Triage.Core.Runtime.Files;

/// <summary>
/// Normalised paths with the three questions verdicts ask: is this file there, is anything under this directory
/// there, is anything under &lt;anchor&gt;/&lt;name&gt;/ there (node_modules/express, site-packages/yaml).
/// Built once per evidence source so a check costs a lookup, not a scan of every file.
/// </summary>
internal sealed class PathIndex
{
    private readonly HashSet<string> _paths;
    private readonly string[] _sorted;
    private readonly Dictionary<string, List<(string Parent, string Path)>> _anchored = new(StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> Anchors = new(StringComparer.OrdinalIgnoreCase) { "node_modules", "site-packages", "dist-packages", "gems" };

    public PathIndex(IEnumerable<string> paths)
    {
        _paths = new HashSet<string>(paths, StringComparer.Ordinal);
        _sorted = [.. _paths];
        Array.Sort(_sorted, StringComparer.Ordinal);
        foreach (var p in _sorted)
        {
            var start = 1;
            while (start < p.Length)
            {
                var slash = p.IndexOf('/', start);
                var end = slash < 0 ? p.Length : slash;
                var segment = p.AsSpan(start, end - start);
                if (slash > 0 && IsAnchor(segment))
                {
                    var nextEnd = p.IndexOf('/', slash + 1);
                    var next = nextEnd < 0 ? p[(slash + 1)..] : p[(slash + 1)..nextEnd];
                    // Scoped npm packages live two levels down: node_modules/@scope/name.
                    if (next.StartsWith('@') && nextEnd > 0)
                    {
                        var scopedEnd = p.IndexOf('/', nextEnd + 1);
                        next = scopedEnd < 0 ? p[(slash + 1)..] : p[(slash + 1)..scopedEnd];
                    }
                    var key = segment.ToString() + "/" + next;
                    if (!_anchored.TryGetValue(key, out var list)) _anchored[key] = list = [];
                    list.Add((p[..(start - 1)], p));
                }
                if (slash < 0) break;
                start = slash + 1;
            }
        }
    }

    private static bool IsAnchor(ReadOnlySpan<char> segment)
    {
        foreach (var a in Anchors)
            if (segment.Equals(a, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public int Count => _paths.Count;

    public bool Contains(string path) => _paths.Contains(path);

    /// <summary>Paths equal to <paramref name="dir"/> or below it.</summary>
    public IEnumerable<string> Under(string dir)
    {
        var prefix = dir.EndsWith('/') ? dir : dir + "/";
        if (_paths.Contains(dir.TrimEnd('/'))) yield return dir.TrimEnd('/');
        var i = LowerBound(prefix);
        for (; i < _sorted.Length && _sorted[i].StartsWith(prefix, StringComparison.Ordinal); i++) yield return _sorted[i];
    }

    /// <summary>Paths under &lt;anchor&gt;/&lt;name&gt; (name may use '*'), optionally below a parent matching a glob.</summary>
    public IEnumerable<string> UnderConvention(string anchor, string name, string? parentGlob)
    {
        if (!name.Contains('*'))
        {
            if (!_anchored.TryGetValue(anchor + "/" + name, out var list)) yield break;
            foreach (var (parent, path) in list)
                if (parentGlob is null || Inventory.GlobMatch(parentGlob, parent)) yield return path;
            yield break;
        }
        foreach (var (key, list) in _anchored)
        {
            var slash = key.IndexOf('/');
            if (!key.AsSpan(0, slash).Equals(anchor, StringComparison.OrdinalIgnoreCase) || !Inventory.GlobMatch(name, key[(slash + 1)..])) continue;
            foreach (var (parent, path) in list)
                if (parentGlob is null || Inventory.GlobMatch(parentGlob, parent)) yield return path;
        }
    }

    private int LowerBound(string value)
    {
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_sorted[mid], value) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Glob access without making the inventory's helper public.</summary>
    private static class Inventory
    {
        public static bool GlobMatch(string pattern, string text) => Runtime.Inventory.Glob.Matches(pattern, text);
    }
}
