using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// A constant argument of an elementwise operator: <c>Value · N^BatchPower</c>, so a factor that
/// depends on the batch size (a mean's 1/N) is resolved where the batch is known.
/// </summary>
public readonly struct OperatorArgument
{
    public OperatorArgument(double value, int batchPower = 0) { Value = value; BatchPower = batchPower; }
    public double Value { get; }
    public int BatchPower { get; }
}

/// <summary>
/// The run-time operator that computes an elementwise op in float: the readonly struct
/// <c>Dl.Operators.{Name}</c> in Dl.Runtime (one float formula for every SIMD width and the GPU),
/// built from <see cref="Arguments"/> in order. Emitters instantiate it by this name; they never
/// spell an op's formula themselves.
/// </summary>
public sealed class ElementwiseOperator
{
    public ElementwiseOperator(string name, params OperatorArgument[] arguments) { Name = name; Arguments = arguments; }

    /// <summary>The struct's name in the namespace <c>Dl.Operators</c>.</summary>
    public string Name { get; }
    public IReadOnlyList<OperatorArgument> Arguments { get; }

    /// <summary>The struct's full name in C#, for generated code.</summary>
    public string TypeName => "global::Dl.Operators." + Name;

    public bool HasArguments => Arguments.Count > 0;

    public override string ToString() => Name + (HasArguments ? "(" + string.Join(", ", Arguments.Select(a => a.Value)) + ")" : "");
}
