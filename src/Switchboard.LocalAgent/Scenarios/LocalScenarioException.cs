namespace Switchboard.LocalAgent.Scenarios;

/// <summary>A scenario file that cannot be used; the message names the file and the JSON path at fault.</summary>
public sealed class LocalScenarioException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public LocalScenarioException()
        : base("Invalid local backend scenario.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public LocalScenarioException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public LocalScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the scenario file and the JSON path at fault.</summary>
    public LocalScenarioException(string filePath, string jsonPath, string problem, Exception? innerException = null)
        : base($"Scenario file '{filePath}': {jsonPath}: {problem}", innerException)
    {
        FilePath = filePath;
        JsonPath = jsonPath;
    }

    /// <summary>The scenario file at fault, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The JSON path of the offending value (for example <c>$.turns[1].audio</c>), when known.</summary>
    public string? JsonPath { get; }
}
