using System.Text;
using System.Text.Json.Nodes;
using Triage.Core.Identity;
using Triage.Core.Ranking;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>A test database with the runtime services wired the way the CLI and the web app wire them: every import is
/// followed by the score refresh the import paths run.</summary>
internal sealed class RuntimeWorld(string provider, RuntimeSettings? settings = null, RankingPolicy? policy = null, TimeProvider? time = null)
{
    public string Conn { get; } = TestDatabases.New(provider);
    public RuntimeSettings Settings { get; } = settings ?? RuntimeSettings.Default;
    public RankingPolicy Policy { get; } = policy ?? RankingPolicy.Default;
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public FindingRiskService Risk => new(Conn, Policy, Settings, Time);
    public RuntimeIngestService Runtime => new(Conn, Settings, Policy, Time);

    public EnrichmentService Enrichment(KevListedHandler? kevListed = null) => new(Conn, Policy, Settings, Time, kevListed);

    /// <summary>Imports a report file the way `triage ingest` does, then refreshes scores as the import paths do.</summary>
    public async Task<ImportSummary> ImportFileAsync(string path, string? image = null)
    {
        await using var s = File.OpenRead(path);
        return await ImportAsync(s, Path.GetFileName(path), image);
    }

    public async Task<ImportSummary> ImportJsonAsync(JsonNode report, string name)
    {
        await using var s = new MemoryStream(Encoding.UTF8.GetBytes(report.ToJsonString()));
        return await ImportAsync(s, name, null);
    }

    private async Task<ImportSummary> ImportAsync(Stream s, string name, string? image)
    {
        var summary = await new ReportImporter(Conn, Risk).ImportAsync(s, name, new ImportOptions { Image = image, ImportedBy = "test" });
        await Risk.AfterImportAsync(summary);
        return summary;
    }

    /// <summary>Stores a report built in code (no raw file), then refreshes scores.</summary>
    public async Task<ImportSummary> StoreAsync(ReportBuilder builder, string? image = null)
    {
        var plan = ImportPlan.Build(builder.Build(), image, "report.json");
        var summary = await new ReportImporter(Conn, Risk).StoreAsync(plan, "report.json", Guid.NewGuid().ToString("N"), [1, 2, 3], 3, new ImportOptions());
        await Risk.AfterImportAsync(summary);
        return summary;
    }

    public async Task<RuntimeIngestSummary> IngestAsync(string path, RuntimeIngestOptions? options = null)
    {
        await using var s = File.OpenRead(path);
        return await Runtime.IngestAsync(s, Path.GetFileName(path), options ?? new RuntimeIngestOptions());
    }

    public async Task<RuntimeIngestSummary> IngestTextAsync(string text, string name, RuntimeIngestOptions? options = null)
    {
        await using var s = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return await Runtime.IngestAsync(s, name, options ?? new RuntimeIngestOptions());
    }

    public async Task<EnrichmentSummary> EnrichAsync(string path, KevListedHandler? kevListed = null)
    {
        await using var s = File.OpenRead(path);
        return await Enrichment(kevListed).ImportAsync(s, Path.GetFileName(path), new EnrichmentImportOptions());
    }

    public async Task<EnrichmentSummary> EnrichBytesAsync(byte[] bytes, string name, KevListedHandler? kevListed = null) =>
        await Enrichment(kevListed).ImportAsync(new MemoryStream(bytes), name, new EnrichmentImportOptions());

    public async Task<List<FindingView>> FindingsAsync(FindingFilter? filter = null, FindingSort sort = FindingSort.Severity, bool descending = true)
    {
        await using var db = TriageDatabase.CreateContext(Conn);
        return await FindingQueries.ToViewsAsync(db, FindingQueries.Sort(FindingQueries.Filtered(db, filter ?? new FindingFilter { IncludeInactive = true }), db, sort, descending));
    }

    public TriageDbContext Db() => TriageDatabase.CreateContext(Conn);
}
