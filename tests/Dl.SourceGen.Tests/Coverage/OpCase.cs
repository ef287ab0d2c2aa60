using System;
using Dl.Graph;
using Dl.Graph.Tests;

namespace Dl.SourceGen.Tests.Coverage;

/// <summary>
/// Everything the coverage test runs for one row of the op table (<see cref="OpTable"/>). Each check
/// is either given or exempted with a reason (listed by the coverage test), never silently absent.
/// </summary>
public sealed class OpCase
{
    public OpCase(string op) => Op = op;

    /// <summary>The op table row.</summary>
    public string Op { get; }

    /// <summary>
    /// The members of a model class <c>M</c> that uses the op: compiled by the generator, run on the CPU
    /// and compared with the reference evaluator (forward, loss, gradients), then generated for the GPU.
    /// </summary>
    public string Model { get; init; } = "";

    /// <summary>The row's attributes for the graph-level checks (shape error, gradient check).</summary>
    public OpArgs Args { get; init; } = OpArgs.None;

    /// <summary>Operands the row's shape rule must refuse (a <see cref="ShapeException"/>), with the args to use (default <see cref="Args"/>).</summary>
    public Func<GraphBuilder, Node[]>? BadOperands { get; init; }
    public OpArgs? BadArgs { get; init; }
    /// <summary>Why the op has no shape error (it takes no shape it could get wrong).</summary>
    public string? NoShapeError { get; init; }

    /// <summary>Operands for the finite-difference gradient check of the row's factory (parameters it makes are checked too).</summary>
    public InputSpec[]? Gradient { get; init; }
    /// <summary>Why the op has no gradient check (nothing to differentiate).</summary>
    public string? NoGradient { get; init; }

    /// <summary>Null: the GPU backend must emit a working Gpu class. Otherwise the reason it gives (DL0041) for not running the op.</summary>
    public string? NotOnGpu { get; init; }

    public override string ToString() => Op;
}
