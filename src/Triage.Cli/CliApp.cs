using System.CommandLine;
using Triage.Cli.Commands;

namespace Triage.Cli;

/// <summary>The `triage` command: a table of contents of its subcommands.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Triage: import scanner reports, deduplicate, rank, decide and export VEX.");
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(FindingsCommand.Create());
        root.Subcommands.Add(ExposureCommand.Create());
        root.Subcommands.Add(LifecycleCommand.Create());
        root.Subcommands.Add(RuntimeCommand.Create());
        root.Subcommands.Add(EnrichCommand.Create());
        root.Subcommands.Add(LineageCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(DecideCommand.Create());
        root.Subcommands.Add(VexCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SigstoreCommand.Create());
        return root;
    }

    /// <summary>Runs the command line. Usage errors exit 2 with the reason; failures exit 1.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("Run 'triage --help' (or 'triage COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, ct);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (IOException e) when (CliOutput.IsBrokenPipe(e))
        {
            // `triage findings | head`: the reader took what it wanted and closed the pipe; stop quietly, like a Unix tool.
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Failed;
        }
    }
}
