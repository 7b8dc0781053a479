using System.CommandLine;
using Triage.Core.Demo;
using Triage.Data.Import;

namespace Triage.Cli.Commands;

/// <summary>`triage demo [--db CONN]`: loads the demo dataset through the normal import path.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var cmd = new Command("demo", "Load a small demo dataset (a fictional shop's images scanned by Trivy, Grype and Snyk) so there is something to explore.") { db };
        cmd.SetAction(async (parse, ct) =>
        {
            var conn = CliSettings.ConnectionString(parse.GetValue(db));
            var importer = RuntimeCommand.Importer(conn);
            foreach (var report in DemoDataset.Reports())
            {
                using var stream = new MemoryStream(report.Json, writable: false);
                var s = await importer.ImportAsync(stream, report.FileName, new ImportOptions { ImportedBy = "demo" }, ct);
                await RuntimeCommand.AfterImportAsync(conn, s, ct);
                Console.WriteLine(s.Duplicate
                    ? $"{report.FileName}: already loaded"
                    : $"{report.FileName}: {s.Image}: {s.Observations} observations, {s.Findings} findings ({s.NewFindings} new)");
            }
            Console.WriteLine("Demo loaded. Start the app with: dotnet run --project src/Triage.Web");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
