using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// Op identity is structural: every attribute (field) of an op is part of it, not only what its
/// hand-written <see cref="Op.Attributes"/> text shows. Two nodes differing in one attribute are
/// never merged by interning (CSE).
/// </summary>
public class StructuralIdentityTests
{
    /// <summary>An op whose display text deliberately forgets one of its attributes (as a hand-written key would).</summary>
    private sealed class ForgetfulOp(double shown, double forgotten) : UnaryOp
    {
        public double Shown { get; } = shown;
        public double Forgotten { get; } = forgotten;
        public override string Name => "Forgetful";
        public override string Attributes => Shown.ToString(System.Globalization.CultureInfo.InvariantCulture);
        public override double Apply(double x, EvalContext c) => x * Shown + Forgotten;
        public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(dy, Shown) };
    }

    /// <summary>An op with an array attribute (compared element by element) and a class-typed one without Equals.</summary>
    private sealed class Settings(int a) { public int A { get; } = a; }

    private sealed class ArrayOp(int[] axes, Settings settings) : UnaryOp
    {
        public int[] Axes { get; } = axes;
        public Settings Settings { get; } = settings;
        public override string Name => "ArrayOp";
        public override double Apply(double x, EvalContext c) => x;
        public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { dy };
    }

    [Fact]
    public void Nodes_differing_only_in_an_attribute_missing_from_the_text_are_not_merged()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var a = g.Apply(new ForgetfulOp(2, 0), x);
        var b = g.Apply(new ForgetfulOp(2, 1), x);
        Assert.NotSame(a, b);
        Assert.NotEqual(new ForgetfulOp(2, 0), new ForgetfulOp(2, 1));
        // Equal attributes are still one node.
        Assert.Same(a, g.Apply(new ForgetfulOp(2, 0), x));
        Assert.Equal(new ForgetfulOp(2, 1).GetHashCode(), new ForgetfulOp(2, 1).GetHashCode());
    }

    [Fact]
    public void Array_and_nested_attributes_compare_by_value()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var a = g.Apply(new ArrayOp(new[] { 1, 2 }, new Settings(3)), x);
        Assert.Same(a, g.Apply(new ArrayOp(new[] { 1, 2 }, new Settings(3)), x));
        Assert.NotSame(a, g.Apply(new ArrayOp(new[] { 1, 3 }, new Settings(3)), x));
        Assert.NotSame(a, g.Apply(new ArrayOp(new[] { 1, 2 }, new Settings(4)), x));
    }

    [Fact]
    public void Negative_zero_is_not_merged_with_zero()
    {
        var g = new GraphBuilder();
        Assert.NotSame(g.Constant(0.0), g.Constant(-0.0));
    }

    [Fact]
    public void Convolutions_differing_in_geometry_are_not_merged()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,1,8,8"));
        var w = g.Param("w", S("2,1,3,3"), Init.He);
        Assert.NotSame(g.Conv2d(x, w, new ConvGeometry(stride: 1)), g.Conv2d(x, w, new ConvGeometry(stride: 2)));
        Assert.Same(g.Conv2d(x, w, new ConvGeometry(stride: 2)), g.Conv2d(x, w, new ConvGeometry(stride: 2)));
    }
}
