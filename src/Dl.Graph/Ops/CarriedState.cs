using System;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>
/// State a stateful recurrent layer carries from one call to the next (its final hidden and cell
/// states, [N, L·D, H]): the generated class keeps it beside the parameters, every entry point reads
/// it as the layer's initial state and writes the layer's final state back after the call, and
/// <c>ResetState()</c> zeroes it. It is a source: no gradient flows into it, so backpropagation
/// through time stops at the call's boundary (truncated BPTT). Unlike <see cref="StateOp"/> it has
/// the batch in its shape; a call with another batch size starts from zeros.
/// </summary>
public sealed class CarriedStateOp : SourceOp
{
    public CarriedStateOp(string name, Shape shape) : base(shape, DType.Float32)
    {
        if (shape.Rank == 0 || !shape[0].IsBatch || shape.BatchRank != 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"carried state '{name}' must have the batch as its first and only batch dimension, got {shape}");
        StateName = name;
    }

    /// <summary>The layer's path and which state: "lstm.h", "lstm.c".</summary>
    public string StateName { get; }
    public override string Name => "CarriedState";
    public override string Attributes => $"{StateName} {Shape}";
}

public sealed partial class GraphBuilder
{
    private readonly List<(Node State, Node Value)> _carries = new();

    /// <summary>Carried states registered so far (state node, the value the next call starts from).</summary>
    public IReadOnlyList<(Node State, Node Value)> Carries => _carries;

    /// <summary>A carried state by name (the same name again is the same node).</summary>
    public Node CarriedState(string name, Shape shape) => Apply(new CarriedStateOp(name, shape));

    /// <summary>
    /// Registers <paramref name="value"/> as what <paramref name="state"/> holds after each call. The
    /// same value again is a no-op (reading a layer's output and its final state builds it twice);
    /// a different one means the stateful layer ran on two sequences in one call, which has no
    /// single state to carry.
    /// </summary>
    public void Carry(Node state, Node value)
    {
        if (state.Op is not CarriedStateOp s)
            throw new ArgumentException($"{state} is not a carried state");
        if (!value.Shape.Equals(state.Shape) || value.Type != state.Type)
            throw new ShapeException(ShapeErrorKind.Mismatch, $"carried state '{s.StateName}' {state.Shape} cannot carry a value of shape {value.Shape}");
        foreach (var (other, old) in _carries)
            if (other == state && old != value)
                throw new ShapeException(ShapeErrorKind.BadArgument,
                    $"the stateful layer '{s.StateName.Substring(0, s.StateName.LastIndexOf('.'))}' runs on two different sequences in one call: it has one state to carry to the next call; use two layers, or stateful: false");
        _carries.RemoveAll(c => c.State == state);
        _carries.Add((state, value));
    }
}
