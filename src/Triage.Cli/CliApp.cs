using System.CommandLine;

namespace Triage.Cli;

/// <summary>The `triage` command: a table of contents of its subcommands.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Triage: import scanner reports, deduplicate, rank, decide and export VEX.");
        root.Subcommands.Add(SigstoreCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        return await parse.InvokeAsync();
    }
}
