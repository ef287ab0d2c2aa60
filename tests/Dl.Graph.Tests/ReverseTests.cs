using System;
using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Reverse whose VJP hands the gradient back unreversed (as if the op were the identity).</summary>
public sealed class ReverseWithAnUnreversedGradientOp : Op
{
    private readonly ReverseOp _reverse;
    public ReverseWithAnUnreversedGradientOp(int axis) => _reverse = new ReverseOp(axis);
    public override string Name => "TestReverseWithAnUnreversedGradient";
    public override OpClass Class => OpClass.Layout;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _reverse.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context) => _reverse.Evaluate(inputs, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => new[] { gradient };
}

public class ReverseTests
{
    [Fact]
    public void Reverse_mirrors_one_axis_and_keeps_the_others()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3,2"));
        var v = Range(2, 3, 2);
        Close(new double[] { 4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7 }, Run(g.Reverse(x, 1), 2, ("x", v)), new[] { 2, 3, 2 });
        Close(new double[] { 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10 }, Run(g.Reverse(x, -1), 2, ("x", v)));
        Close(v.Data, Run(g.Reverse(g.Reverse(x, 1), 1), 2, ("x", v)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-2)]
    public void Reverse_gradient(int axis) =>
        // Weighted by a position-dependent factor so an unreversed gradient lands on the wrong elements.
        Verify((g, x) => g.Mul(g.Reverse(x[0], axis), x[1]), InputSpec.Float("x", S("N,3,2")), InputSpec.Float("w", S("3,2")));

    [Fact]
    public void A_reverse_whose_VJP_forgets_to_reverse_fails_the_check()
    {
        var result = Check((g, x) => g.Mul(g.Apply(new ReverseWithAnUnreversedGradientOp(1), x[0]), x[1]),
            new[] { InputSpec.Float("x", S("N,3,2")), InputSpec.Float("w", S("3,2")) });
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(result.Mismatches, m => m.Source == "x");
    }

    [Fact]
    public void Shape_rule_refuses_the_batch_axis_and_axes_outside_the_tensor()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3"));
        var batch = Assert.Throws<ShapeException>(() => g.Reverse(x, 0));
        Assert.Equal(ShapeErrorKind.BadAxis, batch.Kind);
        Assert.Contains("batch axis of [N,3]", batch.Message);
        var outside = Assert.Throws<ShapeException>(() => g.Reverse(x, 2));
        Assert.Contains("axis 2 is out of range", outside.Message);
        var single = g.Input("y", S("N,1"));
        Assert.Same(single, g.Reverse(single, 1));
    }
}
