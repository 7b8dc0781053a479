using Triage.Cli;

return await CliApp.RunAsync(args);
