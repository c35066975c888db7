using System.Text.Json.Nodes;
using Switchboard.Cli.Admin;

namespace Switchboard.Cli.Commands;

/// <summary>Where an admin command writes: stdout for results, stderr for notes and errors, JSON when asked.</summary>
internal sealed record AdminOutput(TextWriter Out, TextWriter Error, bool Json)
{
    public void WriteJson(JsonNode node) => Out.WriteLine(AdminJson.Print(node));

    public void WriteJson(string json) => Out.WriteLine(json);
}
