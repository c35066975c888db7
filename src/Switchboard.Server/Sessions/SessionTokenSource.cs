using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Control;

namespace Switchboard.Server.Sessions;

/// <summary>
/// The gateway's <see cref="SessionTokens"/>, built on first use: the signing key may have to be read from (or
/// created in) the database, which is only ready once start-up has migrated it. A failed attempt is retried on the
/// next request rather than cached.
/// </summary>
internal sealed class SessionTokenSource : Switchboard.Telegram.ILaunchKeySource
{
    private readonly ISettingStore _store;
    private readonly Switchboard.Configuration.SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Task<SessionTokens>? _tokens;
    private byte[]? _bindingKey;
    private byte[]? _launchKey;

    public SessionTokenSource(ISettingStore store, IOptions<SwitchboardOptions> options, TimeProvider time)
    {
        _store = store;
        _options = options.Value.Sessions;
        _time = time;
    }

    public Task<SessionTokens> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _tokens);
        if (current is { IsCompletedSuccessfully: true })
        {
            return current;
        }

        lock (_gate)
        {
            if (_tokens is null || _tokens.IsFaulted || _tokens.IsCanceled)
            {
                _tokens = CreateAsync();
            }

            current = _tokens;
        }

        return current.WaitAsync(cancellationToken);
    }

    /// <summary>The key of carrier streams' endpoint tokens (<see cref="Switchboard.Carriers.EndpointBinding"/>), derived from the same signing key.</summary>
    public async Task<byte[]> GetEndpointBindingKeyAsync(CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _bindingKey)!;
    }

    /// <summary>The key of Telegram launch tokens (<see cref="Switchboard.Telegram.LaunchTokens"/>), derived from the same signing key.</summary>
    public async Task<byte[]> GetLaunchTokenKeyAsync(CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _launchKey)!;
    }

    private async Task<SessionTokens> CreateAsync()
    {
        var key = await SessionSigningKey.ResolveAsync(_options, _store, CancellationToken.None).ConfigureAwait(false);
        Volatile.Write(ref _bindingKey, Switchboard.Carriers.EndpointBinding.DeriveKey(key));
        Volatile.Write(ref _launchKey, Switchboard.Telegram.LaunchTokens.DeriveKey(key));
        return new SessionTokens(key, TimeSpan.FromSeconds(_options.TokenTtlSeconds), _time);
    }
}
