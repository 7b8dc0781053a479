using Triage.Cli;
using Triage.Data;

// The methods the last run of this command had to JIT are compiled on the second core while this one starts.
JitProfile.Start(args);
CliOutput.ProcessStdout = true;
var code = await CliApp.RunAsync(args);
// A checkpoint an import asked for finishes before the process ends (the next process then opens a short log).
await SqliteCheckpointer.DrainAsync();
return code;
