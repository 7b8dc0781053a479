using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Queries;

// The commands write to Console.Out and Console.Error, which these tests redirect: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Triage.Cli.Tests.Support;

/// <summary>Runs `triage` in-process through <see cref="CliApp.RunAsync"/> and captures what it prints.</summary>
internal static class TriageCli
{
    public sealed record Result(int Exit, string Out, string Err)
    {
        public override string ToString() => $"exit {Exit}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<Result> Run(params string[] args)
    {
        await Gate.WaitAsync();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            var exit = await CliApp.RunAsync(args);
            return new Result(exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Gate.Release();
        }
    }

    /// <summary>The findings as `triage findings --format json` lists them (that command writes to the raw standard output,
    /// so the tests read the same query in-process).</summary>
    public static async Task<List<FindingView>> Findings(string connection)
    {
        await using var db = TriageDatabase.CreateContext(connection);
        var q = FindingQueries.Sort(FindingQueries.Filtered(db, new FindingFilter()), db, FindingSort.Severity, descending: true);
        return await FindingQueries.ToViewsAsync(db, q);
    }

    public static async Task<int> DecisionCount(string connection)
    {
        await using var db = TriageDatabase.CreateContext(connection);
        return await db.Decisions.CountAsync();
    }
}
