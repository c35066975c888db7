namespace Switchboard.Server.Api;

/// <summary>An interaction mode the endpoint allows.</summary>
/// <param name="Mode">The <c>mode</c> to pass to <c>POST /api/v1/sessions</c>.</param>
/// <param name="Available">Whether this gateway can run it today (only <c>text</c> is implemented).</param>
internal sealed record RuntimeMode(string Mode, bool Available);
