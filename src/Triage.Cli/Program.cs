using Triage.Cli;
using Triage.Data;

var code = await CliApp.RunAsync(args);
// A checkpoint an import asked for finishes before the process ends (the next process then opens a short log).
await SqliteCheckpointer.DrainAsync();
return code;
