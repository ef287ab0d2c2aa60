using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Slice with negative axes, Select, Concat along any axis and Stack: meaning, gradients and the shape rules' messages.</summary>
public class SequenceLayoutTests
{
    private static void Fails(ShapeErrorKind kind, Func<GraphBuilder, Node> build, params string[] mentions)
    {
        var ex = Assert.Throws<ShapeException>(() => build(new GraphBuilder()));
        Assert.Equal(kind, ex.Kind);
        foreach (var m in mentions)
            Assert.True(ex.Message.Contains(m, StringComparison.Ordinal), $"message should mention \"{m}\": {ex.Message}");
    }

    private static Node F(GraphBuilder g, string name, string shape) => g.Input(name, S(shape));

    [Fact]
    public void Select_takes_one_step_and_drops_its_axis()
    {
        var g = new GraphBuilder();
        var x = F(g, "x", "N,3,2");
        var v = Range(2, 3, 2);
        Close(new double[] { 2, 3, 8, 9 }, Run(g.Select(x, 1, 1), 2, ("x", v)), new[] { 2, 2 });
        Close(new double[] { 4, 5, 10, 11 }, Run(g.Select(x, 1, -1), 2, ("x", v)), new[] { 2, 2 });
        Close(new double[] { 1, 3, 5, 7, 9, 11 }, Run(g.Select(x, -1, 1), 2, ("x", v)), new[] { 2, 3 });
    }

    [Fact]
    public void Stack_inserts_the_new_axis_where_asked()
    {
        var g = new GraphBuilder();
        var a = F(g, "a", "N,2");
        var b = F(g, "b", "N,2");
        var av = T(new[] { 2, 2 }, 1, 2, 3, 4);
        var bv = T(new[] { 2, 2 }, 10, 20, 30, 40);
        var s1 = g.Stack(new[] { a, b }, 1);
        Assert.Equal(S("N,2,2"), s1.Shape);
        Close(new double[] { 1, 2, 10, 20, 3, 4, 30, 40 }, Run(s1, 2, ("a", av), ("b", bv)));
        var last = g.Stack(new[] { a, b, a }, -1);
        Assert.Equal(S("N,2,3"), last.Shape);
        Close(new double[] { 1, 10, 1, 2, 20, 2, 3, 30, 3, 4, 40, 4 }, Run(last, 2, ("a", av), ("b", bv)));
    }

    [Fact]
    public void Concat_along_the_last_axis_and_Slice_with_a_negative_axis()
    {
        var g = new GraphBuilder();
        var a = F(g, "a", "N,2,1");
        var b = F(g, "b", "N,2,2");
        var c = g.Concat(new[] { a, b }, -1);
        Assert.Equal(S("N,2,3"), c.Shape);
        var av = T(new[] { 1, 2, 1 }, 1, 2);
        var bv = T(new[] { 1, 2, 2 }, 10, 11, 12, 13);
        Close(new double[] { 1, 10, 11, 2, 12, 13 }, Run(c, 1, ("a", av), ("b", bv)));
        Close(new double[] { 10, 12 }, Run(g.Slice(c, -1, 1, 1), 1, ("a", av), ("b", bv)), new[] { 1, 2, 1 });
    }

    [Theory]
    [InlineData(1, 0, 2)]
    [InlineData(-1, 1, 2)]
    [InlineData(2, 2, 1)]
    public void Slice_gradient(int axis, int start, int length) =>
        Verify((g, x) => g.Tanh(g.Slice(x[0], axis, start, length)), InputSpec.Float("x", S("N,3,3")));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, -1)]
    [InlineData(-1, 1)]
    public void Select_gradient(int axis, int index) =>
        Verify((g, x) => g.Mul(g.Select(x[0], axis, index), g.Select(x[0], axis, 0)), InputSpec.Float("x", S("N,3,2")));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Stack_gradient(int axis) =>
        Verify((g, x) => g.Stack(new[] { x[0], g.Tanh(x[1]), x[0] }, axis), InputSpec.Float("a", S("N,2")), InputSpec.Float("b", S("N,2")));

    [Fact]
    public void Concat_along_the_last_axis_gradient() =>
        Verify((g, x) => g.Concat(new[] { g.Tanh(x[0]), x[1], x[0] }, -1), InputSpec.Float("a", S("N,2,1")), InputSpec.Float("b", S("N,2,3")));

    [Fact]
    public void Shape_rules_refuse_the_batch_axis_and_ranges_outside_the_tensor()
    {
        Fails(ShapeErrorKind.BadAxis, g => g.Slice(F(g, "x", "N,4"), 0, 0, 1), "Slice", "batch", "[N,4]");
        Fails(ShapeErrorKind.BadArgument, g => g.Slice(F(g, "x", "N,4"), -1, 3, 2), "Slice", "[3:5]", "[N,4]");
        Fails(ShapeErrorKind.BadAxis, g => g.Slice(F(g, "x", "N,4"), 2, 0, 1), "Slice", "axis 2", "[N,4]");
        Fails(ShapeErrorKind.BadAxis, g => g.Select(F(g, "x", "N,4"), 0, 0), "Select", "batch", "[N,4]");
        Fails(ShapeErrorKind.BadArgument, g => g.Select(F(g, "x", "N,3,4"), 1, 3), "Select", "index 3", "axis 1", "size 3");
        Fails(ShapeErrorKind.BadArgument, g => g.Select(F(g, "x", "N,3,4"), 1, -4), "Select", "index -4");
        Fails(ShapeErrorKind.BadAxis, g => g.Concat(new[] { F(g, "a", "N,4"), F(g, "b", "N,4") }, 0), "Concat", "batch");
        Fails(ShapeErrorKind.BadAxis, g => g.Concat(new[] { F(g, "a", "N,4") }, 0), "Concat", "batch");
        Fails(ShapeErrorKind.BadAxis, g => g.Stack(new[] { F(g, "a", "N,4"), F(g, "b", "N,4") }, 0), "Stack", "before the batch axis");
        Fails(ShapeErrorKind.BadAxis, g => g.Stack(new[] { F(g, "a", "N,4") }, 3), "Stack", "axis 3", "0..2");
        Fails(ShapeErrorKind.Mismatch, g => g.Stack(new[] { F(g, "a", "N,4"), F(g, "b", "N,3") }, 1), "Stack", "[N,4]", "[N,3]");
    }
}
