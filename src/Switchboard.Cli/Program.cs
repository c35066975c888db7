using Switchboard.Cli;

return await CliApp.InvokeAsync(args);
