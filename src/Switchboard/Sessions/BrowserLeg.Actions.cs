using System.Collections.Concurrent;
using System.Text.Json;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// Browser actions (<c>browser_actions</c> mode): a function call whose name is one of the endpoint's
/// <c>browserActions</c> is sent to the page as <c>action</c>; the page's <c>action_result</c> (or a timeout) becomes the
/// function call's output for the model.
/// </summary>
internal sealed partial class BrowserLeg
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _pendingActions = new(StringComparer.Ordinal);

    /// <summary>Asks the page to perform the action and waits for its answer; returns the output JSON for the model.</summary>
    public async Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken token)
    {
        var call = (CallId: callId, Name: name, Arguments: argumentsJson);
        JsonDocument arguments;
        try
        {
            arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.Arguments) ? "{}" : call.Arguments);
        }
        catch (JsonException)
        {
            SessionLog.BrowserAction(_logger, _session.Id, call.Name, call.CallId, "invalid arguments");
            return Output(ok: false, null, "the arguments are not valid JSON");
        }

        using (arguments)
        {
            var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_pendingActions.TryAdd(call.CallId, answer))
            {
                return Output(ok: false, null, "duplicate call_id");
            }

            try
            {
                await _outbox.SendAsync(SessionMessageTypes.Action, (call, arguments.RootElement), static (w, s) =>
                {
                    w.WriteString("actionId"u8, s.call.CallId);
                    w.WriteString("name"u8, s.call.Name);
                    w.WritePropertyName("arguments"u8);
                    s.Item2.WriteTo(w);
                }, token).ConfigureAwait(false);

                var timeout = TimeSpan.FromSeconds(_options.ActionTimeoutSeconds);
                try
                {
                    var result = await answer.Task.WaitAsync(timeout, _time, token).ConfigureAwait(false);
                    SessionLog.BrowserAction(_logger, _session.Id, call.Name, call.CallId, "answered");
                    return result;
                }
                catch (TimeoutException)
                {
                    SessionLog.BrowserAction(_logger, _session.Id, call.Name, call.CallId, "timed out");
                    return Output(ok: false, null, $"the page did not answer in {timeout.TotalSeconds:0} s");
                }
            }
            finally
            {
                _pendingActions.TryRemove(call.CallId, out _);
            }
        }
    }

    /// <summary>The page's answer to an <c>action</c>; false when no action is waiting for it.</summary>
    private bool OnActionResult(SessionClientMessage message)
    {
        if (!_pendingActions.TryRemove(message.ActionId!, out var answer))
        {
            return false;
        }

        answer.TrySetResult(Output(message.Ok, message.ResultJson, message.Ok ? null : message.Text ?? "the page could not perform the action"));
        return true;
    }

    /// <summary>The function output the model sees: <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error":"…"}</c>.</summary>
    private static string Output(bool ok, string? resultJson, string? error) => JsonText.Object(w =>
    {
        w.WriteBoolean("ok"u8, ok);
        if (resultJson is not null)
        {
            w.WritePropertyName("result"u8);
            w.WriteRawValue(resultJson);
        }

        if (error is not null)
        {
            w.WriteString("error"u8, error.Length > 500 ? error[..500] : error);
        }
    });
}
