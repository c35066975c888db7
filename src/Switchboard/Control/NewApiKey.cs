namespace Switchboard.Control;

/// <summary>A key just created: its stored record and the plaintext, which exists nowhere else and is shown once.</summary>
internal sealed record NewApiKey(ApiKeyRecord Key, string Plaintext);
