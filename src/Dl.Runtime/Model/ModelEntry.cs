using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Dl;

/// <summary>
/// One call into a generated model, from its entry point's first line to its end (the generated code
/// opens it with <c>using var</c>): a model holds one arena, so a second thread entering it while a
/// call runs would overwrite that call's buffers and parameters. The model's owner field holds the
/// managed id of the thread inside it, or 0: entering swaps it in with one compare-and-swap (no lock,
/// nothing allocated), leaving writes 0 back. A nested call on the same thread (TrainStep calling
/// ComputeGradients) passes, and only the outermost call releases.
/// </summary>
public ref struct ModelEntry
{
    private readonly ref int _owner;
    private readonly bool _outermost;

    private ModelEntry(ref int owner, bool outermost)
    {
        _owner = ref owner;
        _outermost = outermost;
    }

    /// <summary>
    /// Enters the model whose owner field is <paramref name="owner"/>; throws
    /// <see cref="InvalidOperationException"/> naming <paramref name="model"/> when another thread is inside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ModelEntry Enter(ref int owner, string model)
    {
        int thread = Environment.CurrentManagedThreadId;
        int previous = Interlocked.CompareExchange(ref owner, thread, 0);
        if (previous != 0 && previous != thread) throw InUse(model, previous);
        return new ModelEntry(ref owner, previous == 0);
    }

    /// <summary>Leaves the model (the outermost call only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        if (_outermost) Volatile.Write(ref _owner, 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException InUse(string model, int thread) =>
        new($"{model} is in use on another thread (managed thread {thread}): one model runs one call at a time. " +
            "Give each thread its own model, or lock around the calls.");
}
