using System;
using System.Globalization;
using System.Threading;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Reading;

/// <summary>
/// The limits that keep reading a model finite and fast, whatever its code does: tracing unrolls loops
/// and inlines calls, so a loop of loops or a method that calls itself twice per level would otherwise
/// trace for hours. Each limit counts across the whole model (nested loops multiply, every inlined call
/// counts again), is far above what real models need (a ResNet-152 traces about 520 ops, 50 layer
/// instances and a few hundred calls), and ends reading with its own diagnostic at the user's code.
/// </summary>
internal sealed class TraceBudget(CancellationToken cancellation)
{
    /// <summary>Tensor operations (ops of the spec: layer calls, arithmetic, constants, parameters).</summary>
    public const int MaxOps = 1024;

    /// <summary>Method calls read in place (Forward of user layers, helper methods), all levels together.</summary>
    public const int MaxCalls = 4096;

    /// <summary>Loop iterations unrolled, all loops together (one loop alone stops at <see cref="Interpreter.MaxUnroll"/>).</summary>
    public const int MaxIterations = 16384;

    /// <summary>Instances of user [Layer] classes the model holds, all levels together.</summary>
    public const int MaxLayerInstances = 1024;

    /// <summary>Calls nested in calls (a recursion needs a base case the reader reaches).</summary>
    public const int MaxCallDepth = 32;

    /// <summary>Layers holding layers.</summary>
    public const int MaxLayerDepth = 32;

    private int _ops, _calls, _iterations, _instances;

    public void Op(LocationInfo at, LocationInfo? callSite)
    {
        if (++_ops <= MaxOps) return;
        throw Exceeded(DiagnosticDescriptors.TraceTooLarge, at, callSite,
            $"Reading the model stops here: it makes more than {N(MaxOps)} tensor operations (every unrolled iteration and every inlined call counts again); use fewer loop iterations, a smaller recursion depth or fewer layer calls");
    }

    public void Call(LocationInfo at, LocationInfo? callSite)
    {
        cancellation.ThrowIfCancellationRequested();
        if (++_calls <= MaxCalls) return;
        throw Exceeded(DiagnosticDescriptors.TraceTooLarge, at, callSite,
            $"Reading the model stops here: it makes more than {N(MaxCalls)} method calls (each is read in place; a method that calls itself twice per level doubles them at every level); use a smaller recursion depth");
    }

    public void Iteration(LocationInfo loop, LocationInfo? callSite)
    {
        if ((++_iterations & 255) == 0) cancellation.ThrowIfCancellationRequested();
        if (_iterations <= MaxIterations) return;
        throw Exceeded(DiagnosticDescriptors.TooManyIterations, loop, callSite,
            $"The loops of this model unroll more than {N(MaxIterations)} iterations in all (loops are unrolled at build time and nested loops multiply); use smaller bounds");
    }

    public void LayerInstance(LocationInfo at, string layer)
    {
        cancellation.ThrowIfCancellationRequested();
        if (++_instances <= MaxLayerInstances) return;
        throw Exceeded(DiagnosticDescriptors.LayersTooDeep, at, null,
            $"The model holds more than {N(MaxLayerInstances)} layer instances: does layer '{layer}' hold two or more of itself (each level doubles them)?");
    }

    public static void LayerDepth(int depth, LocationInfo at, string layer)
    {
        if (depth < MaxLayerDepth) return;
        throw Exceeded(DiagnosticDescriptors.LayersTooDeep, at, null,
            $"Layers are nested more than {MaxLayerDepth} deep here: does layer '{layer}' hold itself (directly or through another layer)?");
    }

    public static void CallDepth(int depth, LocationInfo at, LocationInfo? callSite, string method)
    {
        if (depth < MaxCallDepth) return;
        throw Exceeded(DiagnosticDescriptors.CallsTooDeep, at, callSite,
            $"Calls are nested more than {MaxCallDepth} deep here: '{method}' keeps calling itself (a recursion in a model needs a constant base case it reaches, e.g. 'depth == 0 ? x : ...')");
    }

    private static TraceAbortedException Exceeded(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo at, LocationInfo? callSite, string message)
    {
        var diagnostic = DiagnosticInfo.Create(descriptor, at, message);
        if (callSite is { } site && site != at) diagnostic = diagnostic with { AdditionalLocations = new[] { site }.ToEquatableArray() };
        return new TraceAbortedException(diagnostic);
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>A budget ran out: reading the model ends with this diagnostic (and those found before it).</summary>
internal sealed class TraceAbortedException(DiagnosticInfo diagnostic) : Exception(diagnostic.Id)
{
    public DiagnosticInfo Diagnostic { get; } = diagnostic;
}
