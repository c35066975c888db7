namespace Switchboard.Configuration;

/// <summary>Resolves <see cref="BackendKind.Auto"/> to the backend the gateway will really use.</summary>
internal static class EffectiveBackend
{
    public static BackendKind Resolve(SwitchboardOptions options) => options.Backend.Kind switch
    {
        BackendKind.Auto when !string.IsNullOrWhiteSpace(options.OpenAI.ApiKey) => BackendKind.OpenAI,
        BackendKind.Auto when !string.IsNullOrWhiteSpace(options.Azure.ApiKey) && !string.IsNullOrWhiteSpace(options.Azure.Endpoint) => BackendKind.Azure,
        BackendKind.Auto => BackendKind.Local,
        var explicitKind => explicitKind,
    };
}
