using System;
using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>A sequence mask whose VJP passes the whole gradient back, as if the padding had been read.</summary>
public sealed class SequenceMaskWithAnUnmaskedGradientOp : Op
{
    private readonly SequenceMaskOp _mask = new();
    public override string Name => "TestSequenceMaskWithAnUnmaskedGradient";
    public override OpClass Class => OpClass.Layout;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _mask.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context) => _mask.Evaluate(inputs, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => new[] { gradient, null };
}

public class SequenceMaskTests
{
    private static readonly InputSpec[] SequenceAndLengths = { InputSpec.Float("x", S("N,4,2")), InputSpec.Labels("lengths", S("N"), 5) };

    [Fact]
    public void Steps_at_or_past_each_length_become_zero()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3,2"));
        var lengths = g.Input("lengths", S("N"), DType.Int32);
        var masked = g.SequenceMask(x, lengths);
        Assert.Equal(S("N,3,2"), masked.Shape);
        var v = T(new[] { 3, 3, 2 }, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
        Close(new double[] { 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 13, 14, 15, 16, 17, 18 },
            Run(masked, 3, ("x", v), ("lengths", T(new[] { 3 }, 2, 0, 3))), new[] { 3, 3, 2 });
    }

    [Fact]
    public void A_rank_two_sequence_is_masked_per_step()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var masked = g.SequenceMask(x, g.Input("lengths", S("N"), DType.Int32));
        var v = T(new[] { 2, 4 }, 1, 2, 3, 4, 5, 6, 7, 8);
        Close(new double[] { 1, 0, 0, 0, 5, 6, 7, 0 }, Run(masked, 2, ("x", v), ("lengths", T(new[] { 2 }, 1, 3))));
    }

    [Fact]
    public void A_length_outside_the_steps_is_an_error_naming_it()
    {
        var g = new GraphBuilder();
        var masked = g.SequenceMask(g.Input("x", S("N,4,2")), g.Input("lengths", S("N"), DType.Int32));
        var x = Range(2, 4, 2);
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Run(masked, 2, ("x", x), ("lengths", T(new[] { 2 }, 4, 5))));
        Assert.Contains("SequenceMask: length 5 (element 1 of the lengths)", ex.Message);
        Assert.Contains("outside 0..4", ex.Message);
        Assert.Contains("length -1 (element 0", Assert.Throws<IndexOutOfRangeException>(() => Run(masked, 2, ("x", x), ("lengths", T(new[] { 2 }, -1, 0)))).Message);
        // Both ends of 0..T are lengths: nothing kept, everything kept.
        Close(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 8, 9, 10, 11, 12, 13, 14, 15 }, Run(masked, 2, ("x", x), ("lengths", T(new[] { 2 }, 0, 4))));
    }

    [Fact]
    public void Gradient_passes_only_the_kept_steps() =>
        Verify((g, x) => g.Tanh(g.SequenceMask(x[0], x[1])), SequenceAndLengths);

    [Fact]
    public void Gradient_through_a_nonlinearity_before_the_mask() =>
        // Weighted by a per-step factor so a gradient on the wrong steps shows.
        Verify((g, x) => g.Mul(g.SequenceMask(g.Tanh(x[0]), x[1]), x[2]), InputSpec.Float("x", S("N,4,2")), InputSpec.Labels("lengths", S("N"), 5), InputSpec.Float("w", S("4,2")));

    [Fact]
    public void Gradient_through_an_LSTM_whose_output_is_masked() =>
        // Back through the time steps: the padding's steps are in the loop, the mask keeps their gradient out.
        Verify((g, x) => g.SequenceMask(Layers.Lstm(g, "lstm", x[0], 2, 3).Output, x[1]), InputSpec.Float("x", S("N,4,2")), InputSpec.Labels("lengths", S("N"), 5));

    [Fact]
    public void A_mask_whose_VJP_passes_the_padding_gradient_fails_the_check()
    {
        var result = Check((g, x) => g.Tanh(g.Apply(new SequenceMaskWithAnUnmaskedGradientOp(), x[0], x[1])), SequenceAndLengths);
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(result.Mismatches, m => m.Source == "x");
    }

    [Fact]
    public void Shape_rules_name_what_is_wrong()
    {
        var g = new GraphBuilder();
        var lengths = g.Input("lengths", S("N"), DType.Int32);
        var rank = Assert.Throws<ShapeException>(() => g.SequenceMask(g.Input("v", S("N")), lengths));
        Assert.Equal(ShapeErrorKind.WrongRank, rank.Kind);
        Assert.Contains("[N, T, ...] (rank 2 or more), got [N]", rank.Message);
        var ints = Assert.Throws<ShapeException>(() => g.SequenceMask(g.Input("t", S("N,4"), DType.Int32), lengths));
        Assert.Equal(ShapeErrorKind.WrongType, ints.Kind);
        Assert.Contains("x must be floats", ints.Message);
        var x = g.Input("x", S("N,4,2"));
        Assert.Contains("must be integers (Labels)", Assert.Throws<ShapeException>(() => g.SequenceMask(x, g.Input("f", S("N")))).Message);
        var perStep = Assert.Throws<ShapeException>(() => g.SequenceMask(x, g.Input("l2", S("N,4"), DType.Int32)));
        Assert.Equal(ShapeErrorKind.Mismatch, perStep.Kind);
        Assert.Contains("one per sample of x [N,4,2], [N], got [N,4]", perStep.Message);
        Assert.Contains("got [3]", Assert.Throws<ShapeException>(() => g.SequenceMask(x, g.Input("l3", S("3"), DType.Int32))).Message);
    }
}
