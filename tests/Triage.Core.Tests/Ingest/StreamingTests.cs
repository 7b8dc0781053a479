using System.Text;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Ingest;

/// <summary>A record split anywhere across reads parses the same as one read whole, and a record larger than the
/// buffer grows it.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task Parse_RecordLargerThanTheBuffer_GrowsTheBufferOnlyForThatRecord()
    {
        var description = new string('d', 600_000);
        var json = "{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"t\", \"Class\": \"os-pkgs\", \"Type\": \"debian\", \"Vulnerabilities\": [" +
                   $"{{\"VulnerabilityID\": \"CVE-1\", \"PkgName\": \"a\", \"InstalledVersion\": \"1\", \"Description\": \"{description}\"}}," +
                   "{\"VulnerabilityID\": \"CVE-2\", \"PkgName\": \"b\", \"InstalledVersion\": \"2\"}]}]}";
        using var stream = new ChunkedStream(Encoding.UTF8.GetBytes(json), maxChunk: 10_000);

        var report = await ScanReportReader.Default.ParseAsync(stream, null, ParseOptions.Default);

        Assert.Equal(2, report.ObservationCount);
        Assert.Equal(description, report.Vulnerabilities["CVE-1"].Description);
    }

    public static TheoryData<string> LocalReports() =>
        new(Directory.EnumerateFiles(LocalFixtures.Path("")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(LocalReports))]
    public async Task Parse_ReadsOfOneToSevenBytes_GiveTheSameReportAsOneRead(string fixture)
    {
        var bytes = await File.ReadAllBytesAsync(LocalFixtures.Path(fixture));
        await AssertSameAsync(bytes, maxChunk: int.MaxValue, 1);
        await AssertSameAsync(bytes, maxChunk: 7, 3);
    }

    [FixtureFact]
    public async Task Parse_LargeRealSnykReportInSmallReads_GivesTheSameReport()
    {
        var bytes = await File.ReadAllBytesAsync(TestPaths.Fixture("matched", "gcf-test-func-ubuntu1804", "snyk.json"));
        await AssertSameAsync(bytes, maxChunk: 4093, 4099);
    }

    private static async Task AssertSameAsync(byte[] bytes, int maxChunk, int otherChunk)
    {
        using var a = new ChunkedStream(bytes, maxChunk);
        using var b = new ChunkedStream(bytes, otherChunk);
        var expected = Summary(await ScanReportReader.Default.ParseAsync(a, null, ParseOptions.Default));
        var actual = Summary(await ScanReportReader.Default.ParseAsync(b, null, ParseOptions.Default));
        Assert.Equal(expected, actual);
    }

    /// <summary>Everything a parse produced, as text, in a stable order.</summary>
    private static string Summary(ParsedReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{r.Scanner} {r.ScannerVersion} {r.DatabaseInfo} {r.CreatedAt:O} {string.Join(',', r.Skipped.OrderBy(s => s.Key))} {string.Join('|', r.Warnings)}");
        foreach (var t in r.Targets)
        {
            sb.AppendLine($"T {t.Name} {t.Kind} {t.ImageId} {t.OsFamily} {t.OsName} {string.Join(',', t.RepoDigests)} {string.Join(',', t.Tags)} {string.Join(',', t.Deployments)}");
            foreach (var (k, p) in t.Packages.OrderBy(p => p.Key, StringComparer.Ordinal))
                sb.AppendLine($"P {k} {p.Purl} {p.SourceName} {p.SourceVersion} {p.Layer} {string.Join(',', p.Paths)} {string.Join(',', p.InstalledFiles)}");
            foreach (var o in t.Observations.Values.OrderBy(o => (o.VulnerabilityId, o.PackageKey)))
                sb.AppendLine($"O {o.VulnerabilityId} {o.PackageKey} {o.Severity} {o.FixState} {o.Status} {string.Join(',', o.FixedVersions)} {string.Join(',', o.Aliases)} {string.Join(',', o.Upstream)} {string.Join(',', o.DependencyPaths)} {o.Kind}");
        }
        foreach (var v in r.Vulnerabilities.Values.OrderBy(v => v.Id, StringComparer.Ordinal))
            sb.AppendLine($"V {v.Id} {v.Title} {v.Description?.Length} {string.Join(',', v.Cvss)} {string.Join(',', v.Cwes)} {v.EpssScore} {v.KnownExploited} {string.Join(',', v.References)}");
        return sb.ToString();
    }
}

/// <summary>Memory is measured with no other test running: xunit runs test classes in parallel, and their allocations
/// would count as ours.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>The parsers stream: they never ask for, or keep, more than a small buffer, whatever the report's size.</summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class StreamingMemoryTests
{
    [Fact]
    public async Task Parse_50MiBReportFromANonSeekableStream_ReadsInSmallBuffersAndKeepsOnlyWhatItStores()
    {
        const long size = 50L * 1024 * 1024;
        const int distinct = 200;
        using var stream = new GeneratedTrivyStream(size, distinct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var report = await ScanReportReader.Default.ParseAsync(stream, null, ParseOptions.Default);

        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(stream.Produced >= size, $"only {stream.Produced} bytes were generated");
        Assert.Equal(distinct, report.ObservationCount);
        Assert.True(stream.Records > 20_000, $"{stream.Records} records");
        // The largest read the parser asked for is its buffer: 128 KiB, never the file.
        Assert.InRange(stream.LargestRequest, 1, 256 * 1024);
        // What stays in memory is the parsed report (200 claims with long descriptions), far below the 50 MiB read.
        Assert.True(retained < size / 10, $"{retained:N0} bytes retained after parsing {size:N0}");
        GC.KeepAlive(report);
    }

    /// <summary>A Trivy report generated on the fly (never held in memory): one image, records cycling over
    /// <c>distinct</c> (vulnerability, package) claims, each with a long description, until <c>size</c> bytes.</summary>
    private sealed class GeneratedTrivyStream(long size, int distinct) : Stream
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes(
            "{\"SchemaVersion\": 2, \"ArtifactName\": \"registry.example/big:1\", \"ArtifactType\": \"container_image\", " +
            "\"Metadata\": {\"OS\": {\"Family\": \"debian\", \"Name\": \"12.8\"}}, \"Results\": [{\"Target\": \"registry.example/big:1 (debian 12.8)\", " +
            "\"Class\": \"os-pkgs\", \"Type\": \"debian\", \"Vulnerabilities\": [\n");
        private static readonly byte[] Tail = Encoding.UTF8.GetBytes("\n]}]}\n");
        private readonly byte[][] _records = Enumerable.Range(0, distinct).Select(i => Encoding.UTF8.GetBytes(
            $"{{\"VulnerabilityID\": \"CVE-2026-{10000 + i}\", \"PkgName\": \"lib{i % 50}\", \"InstalledVersion\": \"1.{i}\", \"Status\": \"affected\", " +
            $"\"Severity\": \"HIGH\", \"Title\": \"issue {i}\", \"Description\": \"{new string((char)('a' + i % 26), 1500)}\", " +
            $"\"References\": [\"https://example.invalid/{i}\"], \"CVSS\": {{\"nvd\": {{\"V3Score\": 7.5}}}}}}")).ToArray();
        private byte[] _current = Head;
        private int _offset;
        private bool _done;

        public long Produced { get; private set; }
        public int Records { get; private set; }
        public int LargestRequest { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            LargestRequest = Math.Max(LargestRequest, buffer.Length);
            var written = 0;
            while (written < buffer.Length)
            {
                if (_offset == _current.Length && !Advance()) break;
                var n = Math.Min(buffer.Length - written, _current.Length - _offset);
                _current.AsSpan(_offset, n).CopyTo(buffer[written..]);
                _offset += n;
                written += n;
            }
            Produced += written;
            return written;
        }

        private bool Advance()
        {
            if (_done || _current == Tail) { _done = true; return false; }
            _offset = 0;
            if (Produced >= size) { _current = Tail; return true; }
            var record = _records[Records % _records.Length];
            _current = Records == 0 ? record : [(byte)',', (byte)'\n', .. record];
            Records++;
            return true;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
