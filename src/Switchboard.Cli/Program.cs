using System.CommandLine;
using Switchboard.Cli.Commands;

var root = new RootCommand("Switchboard: a realtime voice-AI gateway, and tools to run and exercise it.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
return await root.Parse(args).InvokeAsync();
