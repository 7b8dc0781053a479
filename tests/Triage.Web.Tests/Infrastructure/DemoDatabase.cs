using Triage.Core.Demo;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Web.Tests.Infrastructure;

/// <summary>Databases with the demo reports imported, which several page and decision tests start from.</summary>
internal static class DemoDatabase
{
    /// <summary>A new database of <paramref name="provider"/> with every demo report imported.</summary>
    public static async Task<string> NewAsync(string provider)
    {
        var conn = TestDatabases.New(provider);
        await ImportAsync(conn, DemoDataset.Reports());
        return conn;
    }

    /// <summary>Imports <paramref name="reports"/> into <paramref name="conn"/> as a user would, one report at a time.</summary>
    public static async Task ImportAsync(string conn, IEnumerable<DemoDataset.DemoReport> reports)
    {
        var importer = new ReportImporter(conn);
        foreach (var report in reports)
        {
            using var stream = new MemoryStream(report.Json, writable: false);
            await importer.ImportAsync(stream, report.FileName, new ImportOptions { ImportedBy = "test" });
        }
    }
}
