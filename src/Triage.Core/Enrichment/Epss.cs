namespace Triage.Core.Enrichment;

/// <summary>One FIRST EPSS score: probability of exploitation activity in the next 30 days, and its percentile.</summary>
public readonly record struct EpssScore(string Cve, double Epss, double Percentile);

/// <summary>
/// A day's EPSS scores. Standard ids (CVE-YYYY-N…) are kept as one 64-bit number each rather than a string:
/// the full feed has ~300,000 rows, and this keeps parsing under a second and the snapshot small.
/// </summary>
public sealed class EpssSnapshot
{
    private readonly Dictionary<long, (double Epss, double Percentile)> _byNumber;
    private readonly Dictionary<string, EpssScore> _other = new(StringComparer.OrdinalIgnoreCase);

    public EpssSnapshot(int capacity = 0) => _byNumber = new Dictionary<long, (double, double)>(capacity);

    /// <summary>From the CSV's first line (#model_version:…); null for the JSON form.</summary>
    public string? ModelVersion { get; init; }
    /// <summary>From the CSV's first line (score_date:…) or the JSON rows' "date".</summary>
    public DateOnly? ScoreDate { get; set; }
    /// <summary>"csv", "csv.gz", "json" or "json.gz".</summary>
    public required string Format { get; init; }

    public int Count => _byNumber.Count + _other.Count;

    /// <summary>Every score, standard ids in ascending (year, number) order first; strings are made here, on demand.</summary>
    public IEnumerable<EpssScore> All
    {
        get
        {
            foreach (var key in _byNumber.Keys.Order())
            {
                var (e, p) = _byNumber[key];
                yield return new EpssScore(CveKey.Format(key), e, p);
            }
            foreach (var s in _other.Values.OrderBy(s => s.Cve, StringComparer.Ordinal)) yield return s;
        }
    }

    public EpssScore? Find(string cve)
    {
        if (CveKey.TryParse(cve.AsSpan().Trim(), out var key))
            return _byNumber.TryGetValue(key, out var v) ? new EpssScore(CveKey.Format(key), v.Epss, v.Percentile) : null;
        return _other.TryGetValue(cve.Trim(), out var s) ? s : null;
    }

    internal void Add(long key, double epss, double percentile) => _byNumber[key] = (epss, percentile);

    internal void Add(string cve, double epss, double percentile)
    {
        if (CveKey.TryParse(cve.AsSpan().Trim(), out var key)) _byNumber[key] = (epss, percentile);
        else _other[cve.Trim()] = new EpssScore(cve.Trim(), epss, percentile);
    }
}

/// <summary>"CVE-2024-3094" ⇄ 2024·10¹² + 3094. Ids with leading zeros beyond four digits ("CVE-2024-03094") are not
/// canonical and are kept as strings so that formatting back gives the same text.</summary>
internal static class CveKey
{
    private const long YearFactor = 1_000_000_000_000;

    public static bool TryParse(ReadOnlySpan<char> id, out long key)
    {
        key = 0;
        if (id.Length < 13 || (id[0] | 0x20) != 'c' || (id[1] | 0x20) != 'v' || (id[2] | 0x20) != 'e' || id[3] != '-' || id[8] != '-') return false;
        var year = 0;
        for (var i = 4; i < 8; i++)
        {
            if (!char.IsAsciiDigit(id[i])) return false;
            year = year * 10 + (id[i] - '0');
        }
        var digits = id[9..];
        if (digits.Length is < 4 or > 12 || (digits.Length > 4 && digits[0] == '0')) return false;
        long n = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c)) return false;
            n = n * 10 + (c - '0');
        }
        key = year * YearFactor + n;
        return true;
    }

    public static bool TryParse(ReadOnlySpan<byte> id, out long key)
    {
        Span<char> chars = stackalloc char[24];
        if (id.Length > chars.Length) { key = 0; return false; }
        for (var i = 0; i < id.Length; i++) chars[i] = (char)id[i];
        return TryParse(chars[..id.Length], out key);
    }

    public static string Format(long key) => $"CVE-{key / YearFactor}-{key % YearFactor:0000}";
}
