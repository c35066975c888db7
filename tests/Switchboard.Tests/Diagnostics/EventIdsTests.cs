using System.Reflection;
using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Tests.Diagnostics;

/// <summary>
/// Guards the log event ids: operators alert on them, so two messages must never share one, and every id must be a
/// named constant of <see cref="EventIds"/>. Reflects over every <c>[LoggerMessage]</c> method of the gateway's
/// assemblies (core, server, CLI).
/// </summary>
public class EventIdsTests
{
    private static readonly string[] AssemblyNames = ["Switchboard", "Switchboard.Server", "Switchboard.Cli"];

    private sealed record LogMessage(string Assembly, string Method, int EventId, string? Message);

    private static List<LogMessage> LogMessages()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var messages = new List<LogMessage>();
        foreach (var name in AssemblyNames)
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(All))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        messages.Add(new LogMessage(name, $"{type.FullName}.{method.Name}", attribute.EventId, attribute.Message));
                    }
                }
            }
        }
        return messages;
    }

    private static Dictionary<string, int> Constants() =>
        typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    [Fact]
    public void LoggerMessages_CoreAndServer_AreFound()
    {
        var messages = LogMessages();

        Assert.Contains(messages, m => m.Assembly == "Switchboard");
        Assert.Contains(messages, m => m.Assembly == "Switchboard.Server");
    }

    [Fact]
    public void LoggerMessages_AllAssemblies_UseEachEventIdOnce()
    {
        var shared = LogMessages()
            .GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();

        Assert.True(shared.Count == 0, "Event ids used by more than one log message:\n" + string.Join("\n", shared));
    }

    [Fact]
    public void LoggerMessages_AllAssemblies_UseRegisteredEventIds()
    {
        var registered = Constants().Values.ToHashSet();

        var unregistered = LogMessages()
            .Where(m => !registered.Contains(m.EventId))
            .Select(m => $"{m.Method}: {m.EventId}")
            .ToList();

        Assert.True(unregistered.Count == 0, "Log messages whose event id is not an EventIds constant:\n" + string.Join("\n", unregistered));
    }

    [Fact]
    public void EventIds_Constants_AreDistinctAndPositive()
    {
        var constants = Constants();

        var shared = constants
            .GroupBy(c => c.Value)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Key))}")
            .ToList();

        Assert.NotEmpty(constants);
        Assert.True(shared.Count == 0, "EventIds constants with the same value:\n" + string.Join("\n", shared));
        Assert.All(constants, c => Assert.True(c.Value > 0, $"EventIds.{c.Key} is {c.Value}"));
    }
}
