using System.Reflection;
using Switchboard.Common;
using Switchboard.Journal;
using Switchboard.Storage;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// A real store with faults injected into <see cref="ICallStore.AppendEventsAsync"/>: every other call reaches the
/// real database unchanged. The fault decides per batch (null: let it through).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852", Justification = "DispatchProxy derives from it at run time")]
internal class FaultyStore : DispatchProxy
{
    private IStore? _inner;
    private Func<IReadOnlyList<CallEvent>, Exception?>? _fault;

    /// <summary>Batches that reached the real store.</summary>
    public int Written;

    /// <summary>Batches refused by the fault.</summary>
    public int Refused;

    /// <summary>While set, <see cref="IStore.PingAsync"/> reports the database down (as during a real outage).</summary>
    public volatile bool PingDown;

    public static (IStore Store, FaultyStore Control) Wrap(IStore inner, Func<IReadOnlyList<CallEvent>, Exception?> fault)
    {
        var proxy = Create<IStore, FaultyStore>();
        var control = (FaultyStore)(object)proxy;
        control._inner = inner;
        control._fault = fault;
        return (proxy, control);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ICallStore.AppendEventsAsync) && _fault!((IReadOnlyList<CallEvent>)args![0]!) is { } error)
        {
            Interlocked.Increment(ref Refused);
            return Task.FromException(error);
        }

        if (targetMethod.Name == nameof(IStore.PingAsync) && PingDown)
        {
            return Task.FromResult(new StoreHealth(false, _inner!.Provider, "injected outage"));
        }

        if (targetMethod.Name == nameof(ICallStore.AppendEventsAsync))
        {
            Interlocked.Increment(ref Written);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}
