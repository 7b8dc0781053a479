using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Triage.Core.Tests.Enrichment;

/// <summary>
/// Writes a FIRST-shaped EPSS CSV: the "#model_version…,score_date…" line, the header, then one row per CVE with
/// years 1999–2025 and a skewed score distribution (most scores tiny, a long tail), as in the real daily file.
/// Deterministic for a seed.
/// </summary>
internal static class EpssCsvGenerator
{
    public static byte[] Generate(int rows, bool gzip, int seed = 42)
    {
        var random = new Random(seed);
        var sb = new StringBuilder(rows * 36);
        sb.Append("#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\n");
        sb.Append("cve,epss,percentile\n");
        for (var i = 0; i < rows; i++)
        {
            var year = 1999 + i * 27 / rows;
            var epss = Math.Round(Math.Pow(random.NextDouble(), 6), 5);
            var pct = Math.Round(Math.Pow(epss, 0.15), 5);
            sb.Append("CVE-").Append(year).Append('-').Append((10000 + i).ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(epss.ToString("0.#####", CultureInfo.InvariantCulture)).Append(',')
              .Append(pct.ToString("0.#####", CultureInfo.InvariantCulture)).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        if (!gzip) return bytes;
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }
}
