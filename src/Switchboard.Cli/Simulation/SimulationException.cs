namespace Switchboard.Cli.Simulation;

/// <summary>A simulation could not run; the message is written for the person at the command line.</summary>
internal sealed class SimulationException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public SimulationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and its cause.</summary>
    public SimulationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SimulationException()
        : base("The simulation failed.")
    {
    }
}
