using System.IO.Compression;
using System.Text;

namespace Triage.Testing;

/// <summary>
/// A corpus of malformed and hostile reports, made from real ones (the repository's small fixture and, when present, a few
/// of ../shared/fixtures): truncations, bit flips, huge strings, deep nesting, duplicated keys, wrong types, NULs,
/// gzip and zip bombs. Deterministic for a seed, so a failure names a case that can be replayed.
/// </summary>
public static class HostileReports
{
    public sealed record Case(string Name, byte[] Bytes)
    {
        public override string ToString() => $"{Name} ({Bytes.Length} bytes)";
    }

    /// <summary>Seeds: the local fixture, plus one small real report per scanner when the shared fixtures are there.</summary>
    public static List<(string Name, byte[] Bytes)> Seeds()
    {
        var seeds = new List<(string, byte[])> { ("small-trivy", File.ReadAllBytes(TestPaths.Local("Triage.Cli.Tests", "small-trivy.json"))) };
        if (TestPaths.SharedFixturesPresent)
        {
            foreach (var (scanner, file) in new[]
                     {
                         ("trivy", "trivy-golden_alpine-310.json"), ("grype", "defectdojo_same_cve_different_paths.json"), ("snyk", "defectdojo_single_project_one_vuln.json"),
                     })
            {
                var path = Path.Combine(TestPaths.SharedFixtures, "scanners", scanner, file);
                if (File.Exists(path)) seeds.Add((scanner + "-" + Path.GetFileNameWithoutExtension(file), File.ReadAllBytes(path)));
            }
        }
        return seeds;
    }

    /// <summary>The structured cases first (one of each kind per seed), then random mutations without end; the caller bounds it.</summary>
    public static IEnumerable<Case> Generate(int seed = 20261128)
    {
        var rng = new Random(seed);
        var seeds = Seeds();
        // One kind of damage across every seed before the next kind: a short time budget still sees every kind.
        var structured = seeds.Select(x => Structured(x.Name, x.Bytes, rng).ToList()).ToList();
        for (var k = 0; k < structured.Max(l => l.Count); k++)
            foreach (var list in structured)
                if (k < list.Count) yield return list[k];
        for (var i = 0; ; i++)
        {
            var (name, bytes) = seeds[rng.Next(seeds.Count)];
            yield return Mutate(name, bytes, rng, i);
        }
    }

    /// <summary>Compressed payloads that expand enormously: Triage never decompresses an upload, so each must be refused
    /// as not JSON, quickly and without growing memory.</summary>
    public static IReadOnlyList<Case> Bombs() => LazyBombs.Value;

    private static readonly Lazy<IReadOnlyList<Case>> LazyBombs = new(() =>
    [
        new Case("gzip-bomb", Gzip(new byte[64 << 20])),             // 64 MiB of zeros in ~64 KiB
        new Case("gzip-of-report", Gzip(Seeds()[0].Bytes)),
        new Case("zip-bomb", Zip(new byte[64 << 20])),
        new Case("gzip-nested", Gzip(Gzip(new byte[16 << 20]))),
    ]);

    /// <summary>Small EPSS files as FIRST publishes them: the daily CSV and the API's JSON (the enrichment endpoints' seeds).</summary>
    public const string EpssCsv = "#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\ncve,epss,percentile\nCVE-2024-3094,0.1,0.2\nCVE-2021-44228,0.9,0.99\n";

    public const string EpssJson = """[{"cve":"CVE-2024-3094","epss":0.1,"percentile":0.2},{"cve":"CVE-2021-44228","epss":0.9,"percentile":0.99}]""";

    /// <summary>
    /// Gzip EPSS files of a few hundred KiB that inflate to <paramref name="inflatedBytes"/>: valid rows without end (only a
    /// limit on the inflated size stops them) and one line without end (only a limit on the line stops it). EPSS is the one
    /// upload Triage decompresses (FIRST publishes .csv.gz).
    /// </summary>
    public static IReadOnlyList<Case> EpssBombs(long inflatedBytes) => [EpssRowsBomb(inflatedBytes), EpssLineBomb(inflatedBytes)];

    public static Case EpssRowsBomb(long inflatedBytes) => new("epss-gzip-rows-bomb", GzipRepeated(EpssHeader, "CVE-2024-3094,0.1,0.2\n", inflatedBytes));

    public static Case EpssLineBomb(long inflatedBytes) => new("epss-gzip-line-bomb", GzipRepeated(EpssHeader + "CVE-2024-3094,0.", "1", inflatedBytes));

    private static string EpssHeader => EpssCsv[..EpssCsv.IndexOf("CVE-", StringComparison.Ordinal)];

    /// <summary>
    /// The damage fed to every upload endpoint besides scans (which get the whole corpus): a gzip bomb, the file cut in half,
    /// deep nesting in place of its first string value (the one that says what the file is), and that value replaced by 4 MiB
    /// on one line.
    /// </summary>
    public static IEnumerable<Case> UploadDamage(string name, string seedJson)
    {
        var bytes = Utf8(seedJson);
        yield return new Case($"{name}-gzip-bomb", Bombs().Single(b => b.Name == "gzip-bomb").Bytes);
        yield return new Case($"{name}-truncated", bytes[..(bytes.Length / 2)]);
        yield return new Case($"{name}-deep-nesting", Utf8(ReplaceFirstString(seedJson, null, new string('[', 5000) + new string(']', 5000))));
        yield return new Case($"{name}-huge-line", Utf8(ReplaceFirstString(seedJson, new string('A', 4 << 20))));
    }

    private static byte[] GzipRepeated(string head, string unit, long inflatedBytes)
    {
        var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(unit, Math.Max(1, (64 << 10) / unit.Length))));
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(head));
            for (long written = head.Length; written < inflatedBytes; written += block.Length) gz.Write(block);
        }
        return ms.ToArray();
    }

    private static IEnumerable<Case> Structured(string name, byte[] bytes, Random rng)
    {
        var text = Encoding.UTF8.GetString(bytes);
        yield return new Case($"{name}-truncated-half", bytes[..(bytes.Length / 2)]);
        yield return new Case($"{name}-truncated-1", bytes[..^Math.Min(bytes.Length, 2)]);
        yield return new Case($"{name}-bitflip", BitFlip(bytes, rng, 8));
        yield return new Case($"{name}-huge-string", Utf8(ReplaceFirstString(text, new string('A', 4 << 20))));
        yield return new Case($"{name}-huge-key", Utf8("{\"" + new string('k', 2 << 20) + "\":1," + text.TrimStart()[1..]));
        yield return new Case($"{name}-deep-nesting", Utf8(ReplaceFirstString(text, null, new string('[', 5000) + new string(']', 5000))));
        yield return new Case($"{name}-deep-objects", Utf8(ReplaceFirstString(text, null, string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000))));
        yield return new Case($"{name}-duplicated-keys", Utf8(DuplicateRootKeys(text)));
        yield return new Case($"{name}-wrong-type-number", Utf8(ReplaceFirstString(text, null, "12345")));
        yield return new Case($"{name}-wrong-type-array", Utf8(ReplaceFirstString(text, null, "[1,2,3]")));
        yield return new Case($"{name}-wrong-type-object", Utf8(ReplaceFirstString(text, null, "{\"x\":{}}")));
        yield return new Case($"{name}-root-array", Utf8("[" + text + "]"));
        yield return new Case($"{name}-nul-bytes", Utf8(ReplaceFirstString(text, "a\u0000b\u0000")));
        yield return new Case($"{name}-invalid-utf8", Splice(bytes, bytes.Length / 3, [0xC3, 0x28, 0xFF, 0xFE]));
        yield return new Case($"{name}-bom-and-trailing", [0xEF, 0xBB, 0xBF, .. bytes, .. "\n{}"u8]);
        yield return new Case($"{name}-lone-surrogate", Utf8(ReplaceFirstString(text, null, "\"\\uD800x\"")));
        yield return new Case($"{name}-many-elements", Utf8("{\"SchemaVersion\":2,\"Results\":[" + string.Join(',', Enumerable.Repeat("{}", 200_000)) + "]}"));
    }

    private static Case Mutate(string name, byte[] bytes, Random rng, int i)
    {
        switch (rng.Next(4))
        {
            case 0:
                var cut = rng.Next(1, bytes.Length);
                return new Case($"{name}-fuzz{i}-cut{cut}", bytes[..cut]);
            case 1:
                return new Case($"{name}-fuzz{i}-flips", BitFlip(bytes, rng, rng.Next(1, 32)));
            case 2:
                var at = rng.Next(bytes.Length);
                var junk = new byte[rng.Next(1, 64)];
                rng.NextBytes(junk);
                return new Case($"{name}-fuzz{i}-insert{at}", Splice(bytes, at, junk));
            default:
                // Swap one structural character for another: wrong types and broken nesting in valid-looking JSON.
                var copy = (byte[])bytes.Clone();
                var structural = "{}[]:,\"0n"u8.ToArray();
                for (var k = 0; k < 4; k++) copy[rng.Next(copy.Length)] = structural[rng.Next(structural.Length)];
                return new Case($"{name}-fuzz{i}-structure", copy);
        }
    }

    private static byte[] BitFlip(byte[] bytes, Random rng, int flips)
    {
        var copy = (byte[])bytes.Clone();
        for (var k = 0; k < flips; k++) copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
        return copy;
    }

    private static byte[] Splice(byte[] bytes, int at, byte[] insert) => [.. bytes[..at], .. insert, .. bytes[at..]];

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Replaces the first string value after a colon with <paramref name="content"/> (a string) or <paramref name="raw"/> (any JSON).</summary>
    private static string ReplaceFirstString(string text, string? content, string? raw = null)
    {
        var colon = text.IndexOf(":", StringComparison.Ordinal);
        while (colon >= 0)
        {
            var i = colon + 1;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                while (end > 0 && text[end - 1] == '\\') end = text.IndexOf('"', end + 1);
                if (end < 0) break;
                var replacement = raw ?? System.Text.Json.JsonSerializer.Serialize(content);
                return text[..i] + replacement + text[(end + 1)..];
            }
            colon = text.IndexOf(":", colon + 1, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>Every root property written twice (the second time first: a naive last-wins reader sees the original).</summary>
    private static string DuplicateRootKeys(string text)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return text;
            var parts = new List<string>();
            foreach (var p in doc.RootElement.EnumerateObject()) parts.Add($"{System.Text.Json.JsonSerializer.Serialize(p.Name)}:\"duplicate\"");
            foreach (var p in doc.RootElement.EnumerateObject()) parts.Add($"{System.Text.Json.JsonSerializer.Serialize(p.Name)}:{p.Value.GetRawText()}");
            return "{" + string.Join(',', parts) + "}";
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] Zip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("report.json", CompressionLevel.Optimal);
            using var s = entry.Open();
            s.Write(data);
        }
        return ms.ToArray();
    }
}
