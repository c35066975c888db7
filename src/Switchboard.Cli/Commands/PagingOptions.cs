using System.CommandLine;
using Switchboard.Common;

namespace Switchboard.Cli.Commands;

/// <summary><c>--page</c> and <c>--limit</c> of the list commands, with the API's defaults.</summary>
internal sealed class PagingOptions
{
    public Option<int> Page { get; } = new("--page")
    {
        HelpName = "n",
        Description = "Page number, from 1",
        DefaultValueFactory = _ => 1,
    };

    public Option<int> Limit { get; } = new("--limit")
    {
        HelpName = "n",
        Description = "Items per page, 1-100",
        DefaultValueFactory = _ => PageRequest.DefaultLimit,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Page);
        command.Options.Add(Limit);
    }
}
