using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>x², with a VJP that is right (2·x·dy) or deliberately wrong (3·x·dy).</summary>
public sealed class SquareOp : UnaryOp
{
    public SquareOp(double vjpFactor) => VjpFactor = vjpFactor;
    public double VjpFactor { get; }
    public override string Name => "TestSquare";
    public override string Attributes => VjpFactor.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public override double Apply(double x, EvalContext c) => x * x;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Scale(g.Mul(y[0], dy), VjpFactor) };
}

/// <summary>a * b with broadcasting, whose VJP optionally forgets to SumTo the broadcast operand.</summary>
public sealed class BroadcastMulOp : BinaryOp
{
    public BroadcastMulOp(bool sumTo) => SumTo = sumTo;
    public bool SumTo { get; }
    public override string Name => "TestBroadcastMul";
    public override string Attributes => SumTo ? "sumTo" : "noSumTo";
    public override double Apply(double a, double b) => a * b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy)
    {
        var da = g.Mul(dy, node[1]);
        var db = g.Mul(dy, node[0]);
        return SumTo ? new[] { g.SumTo(da, node[0].Shape), g.SumTo(db, node[1].Shape) } : new[] { da, db };
    }
}

/// <summary>exp(x), whose VJP returns the gradient of the wrong input position: dy instead of dy·exp(x).</summary>
public sealed class ForgetfulExpOp : UnaryOp
{
    public override string Name => "TestForgetfulExp";
    public override double Apply(double x, EvalContext c) => System.Math.Exp(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { dy };
}

/// <summary>SiLU with the VJP one gets by treating sigmoid(x) as a constant (dy·s): the x·s·(1-s) term is missing.</summary>
public sealed class SiluWithoutItsSecondTermOp : UnaryOp
{
    public override string Name => "TestSiluWithoutItsSecondTerm";
    public override double Apply(double x, EvalContext c) => new SiluOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Sigmoid(y[0])) };
}

/// <summary>GELU (tanh form) whose VJP forgets the chain-rule factor of the cubic: z' = 2c instead of 2c·(1 + 3a·x²).</summary>
public sealed class GeluTanhWithoutTheCubicsDerivativeOp : UnaryOp
{
    public override string Name => "TestGeluTanhWithoutTheCubicsDerivative";
    public override double Apply(double x, EvalContext c) => new GeluTanhOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0];
        var s = g.Sigmoid(g.Scale(g.Add(x, g.Scale(g.Mul(g.Mul(x, x), x), GeluTanhOp.Cubic)), GeluTanhOp.TwoC));
        return new[] { g.Mul(dy, g.Mul(s, g.Add(g.Constant(1), g.Scale(g.Mul(x, g.Sub(g.Constant(1), s)), GeluTanhOp.TwoC)))) };
    }
}

/// <summary>Hard sigmoid whose VJP forgets the saturation mask (1/6 everywhere).</summary>
public sealed class HardSigmoidWithoutItsMaskOp : UnaryOp
{
    public override string Name => "TestHardSigmoidWithoutItsMask";
    public override double Apply(double x, EvalContext c) => new HardSigmoidOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(dy, 1.0 / 6) };
}

/// <summary>√x whose VJP forgets the 1/2 of the power rule (dy/√x instead of dy/(2√x)).</summary>
public sealed class SqrtWithoutTheHalfOp : UnaryOp
{
    public override string Name => "TestSqrtWithoutTheHalf";
    public override double Apply(double x, EvalContext c) => new SqrtOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Div(dy, y) };
}

/// <summary>x^p whose VJP forgets the factor p of the power rule (x^(p-1)·dy instead of p·x^(p-1)·dy).</summary>
public sealed class PowWithoutTheFactorOp : UnaryOp
{
    public PowWithoutTheFactorOp(double exponent) => Exponent = exponent;
    public double Exponent { get; }
    public override string Name => "TestPowWithoutTheFactor";
    public override double Apply(double x, EvalContext c) => new PowOp(Exponent).Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Pow(y[0], Exponent - 1)) };
}

/// <summary>clamp(x, -0.5, 0.5) whose VJP lets the gradient through everywhere, as if it were the identity.</summary>
public sealed class ClampPassingEverythingOp : UnaryOp
{
    public override string Name => "TestClampPassingEverything";
    public override double Apply(double x, EvalContext c) => new ClampOp(-0.5, 0.5).Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { dy };
}

/// <summary>where(c, a, b) whose VJP hands dy to both a and b, not only to the side taken.</summary>
public sealed class WhereGradientToBothOp : Op
{
    public override string Name => "TestWhereGradientToBoth";
    public override OpClass Class => OpClass.Elementwise;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => new WhereOp().InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => new WhereOp().Evaluate(x, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { null, g.SumTo(dy, node[1].Shape), g.SumTo(dy, node[2].Shape) };
}

/// <summary>Exact GELU whose VJP keeps only Φ(x), forgetting the x·φ(x) of the product rule.</summary>
public sealed class GeluWithoutTheDensityOp : UnaryOp
{
    public override string Name => "TestGeluWithoutTheDensity";
    public override double Apply(double x, EvalContext c) => new GeluOp().Apply(x, c);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.NormalCdf(y[0])) };
}

/// <summary>max(a, b) whose VJP hands the whole gradient to both sides, not only to the side that was taken.</summary>
public sealed class MaximumGradientToBothOp : BinaryOp
{
    public override string Name => "TestMaximumGradientToBoth";
    public override double Apply(double a, double b) => new MaximumOp().Apply(a, b);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { g.SumTo(dy, node[0].Shape), g.SumTo(dy, node[1].Shape) };
}

/// <summary>A matrix product over rows [N, T, K] whose weight gradient averages over the T steps instead of summing them.</summary>
public sealed class RowsMatMulAveragingItsWeightGradientOp : Op
{
    public override string Name => "TestRowsMatMulAveragingItsWeightGradient";
    public override OpClass Class => OpClass.Contraction;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => new MatMulOp().InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => new MatMulOp().Evaluate(x, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.MatMul(dy, g.Transpose(y[1])), g.Scale(g.TransposedMatMul(y[0], dy), 1.0 / y[0].Shape[1].Size) };
}

public class WrongVjpTests
{
    [Fact]
    public void RowsMatMulWhoseWeightGradientAveragesOverSteps_FailsTheCheck()
    {
        var inputs = new[] { InputSpec.Float("a", S("N,3,2")), InputSpec.Float("b", S("2,4")) };
        Assert.True(Check((g, x) => g.MatMul(x[0], x[1]), inputs).Passed);
        var result = Check((g, x) => g.Apply(new RowsMatMulAveragingItsWeightGradientOp(), x[0], x[1]), inputs);
        Assert.False(result.Passed, result.ToString());
        Assert.All(result.Mismatches, m => Assert.Equal("b", m.Source));
    }

    private static readonly InputSpec[] X = { InputSpec.Float("x", S("N,4")) };

    [Fact]
    public void CorrectSquareVjp_Passes()
    {
        var result = Check((g, x) => g.Apply(new SquareOp(2), x[0]), X);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(12, result.Compared);
        Assert.True(result.MaxAbsError < 1e-8, result.ToString());
    }

    [Fact]
    public void WrongSquareVjp_IsReportedWithEveryElement()
    {
        var result = Check((g, x) => g.Apply(new SquareOp(3), x[0]), X);
        Assert.False(result.Passed);
        // 3xR vs 2xR: off by |x·R|, far above tolerance for almost every element.
        Assert.True(result.Mismatches.Count >= 10, result.ToString());
        Assert.True(result.MaxAbsError > 0.05, result.ToString());
        foreach (var m in result.Mismatches)
        {
            Assert.Equal("x", m.Source);
            Assert.Equal(1.5, m.Analytic / m.Numeric, 6);
        }
    }

    [Fact]
    public void WrongSquareVjp_AssertThrowsGradCheckException()
    {
        var ex = Assert.Throws<GradCheckException>(() => GradCheck.Verify((g, x) => g.Apply(new SquareOp(3), x[0]), X));
        Assert.False(ex.Result.Passed);
        Assert.Contains("FAILED", ex.Message);
        Assert.Contains("d/dx[", ex.Message);
    }

    [Fact]
    public void SlightlyWrongVjp_IsCaughtByTheTightTolerance()
    {
        // A 0.1% error in the derivative must not slip through.
        var result = Check((g, x) => g.Apply(new SquareOp(2.002), x[0]), X);
        Assert.False(result.Passed, result.ToString());
    }

    [Fact]
    public void CorrectBroadcastVjp_Passes()
    {
        var result = Check((g, x) => g.Apply(new BroadcastMulOp(sumTo: true), x[0], x[1]),
            new[] { InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("4")) });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void BroadcastVjpWithoutSumTo_IsReportedAsAShapeProblem()
    {
        var result = Check((g, x) => g.Apply(new BroadcastMulOp(sumTo: false), x[0], x[1]),
            new[] { InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("4")) });
        Assert.False(result.Passed);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("d/db", problem);
        Assert.Contains("[3,4]", problem);
        Assert.Contains("[4]", problem);
    }

    [Fact]
    public void VjpMissingTheChainRuleFactor_IsReported()
    {
        var result = Check((g, x) => g.Apply(new ForgetfulExpOp(), x[0]), X);
        Assert.False(result.Passed);
        Assert.NotEmpty(result.Mismatches);
    }

    [Fact]
    public void WrongVjpDeepInsideAComposition_IsReported()
    {
        // The bad op sits under tanh and a reduction: the error must still surface at the input.
        var result = Check((g, x) => g.Sum(g.Tanh(g.Apply(new SquareOp(3), x[0])), new[] { 1 }), X);
        Assert.False(result.Passed, result.ToString());
    }

    [Fact]
    public void SiluVjpWithoutTheSigmoidsDerivative_IsReported_AndTheRealOnePasses()
    {
        Assert.False(Check((g, x) => g.Apply(new SiluWithoutItsSecondTermOp(), x[0]), X).Passed);
        var result = Check((g, x) => g.Silu(x[0]), X);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void GeluTanhVjpWithoutTheCubicsDerivative_IsReported_AndTheRealOnePasses()
    {
        Assert.False(Check((g, x) => g.Apply(new GeluTanhWithoutTheCubicsDerivativeOp(), x[0]), X).Passed);
        var result = Check((g, x) => g.GeluTanh(x[0]), X);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void HardSigmoidVjpWithoutItsMask_IsReportedOnTheSaturatedSide()
    {
        var saturated = new[] { InputSpec.Float("x", S("N,4"), 3.5, 6) };
        Assert.False(Check((g, x) => g.Apply(new HardSigmoidWithoutItsMaskOp(), x[0]), saturated).Passed);
        var result = Check((g, x) => g.HardSigmoid(x[0]), saturated);
        Assert.True(result.Passed, result.ToString());
    }

    private static readonly InputSpec[] Positive = { InputSpec.Float("x", S("N,4"), 0.2, 3) };

    [Fact]
    public void MaximumVjpToBothSides_IsReported_AndTheRealOnePasses()
    {
        var inputs = new[] { InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("N,4")) };
        Assert.False(Check((g, x) => g.Apply(new MaximumGradientToBothOp(), x[0], x[1]), inputs).Passed);
        var result = Check((g, x) => g.Maximum(x[0], x[1]), inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SqrtVjpWithoutTheHalf_IsReported_AndTheRealOnePasses()
    {
        Assert.False(Check((g, x) => g.Apply(new SqrtWithoutTheHalfOp(), x[0]), Positive).Passed);
        var result = Check((g, x) => g.Sqrt(x[0]), Positive);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void PowVjpWithoutTheFactor_IsReported_AndTheRealOnePasses()
    {
        Assert.False(Check((g, x) => g.Apply(new PowWithoutTheFactorOp(2.5), x[0]), Positive).Passed);
        var result = Check((g, x) => g.Pow(x[0], 2.5), Positive);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ClampVjpPassingEverything_IsReported_AndTheRealOnePasses()
    {
        var wide = new[] { InputSpec.Float("x", S("N,4"), -1.5, 1.5) };
        Assert.False(Check((g, x) => g.Apply(new ClampPassingEverythingOp(), x[0]), wide).Passed);
        var result = Check((g, x) => g.Clamp(x[0], -0.5, 0.5), wide);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void WhereVjpToBothSides_IsReported_AndTheRealOnePasses()
    {
        var inputs = new[] { InputSpec.Mask("c", S("N,4")), InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("N,4")) };
        Assert.False(Check((g, x) => g.Apply(new WhereGradientToBothOp(), x[0], x[1], x[2]), inputs).Passed);
        var result = Check((g, x) => g.Where(x[0], x[1], x[2]), inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void GeluVjpWithoutTheDensity_IsReported_AndTheRealOnePasses()
    {
        var inputs = new[] { InputSpec.Float("x", S("N,4"), -3, 3) };
        Assert.False(Check((g, x) => g.Apply(new GeluWithoutTheDensityOp(), x[0]), inputs).Passed);
        var result = Check((g, x) => g.Gelu(x[0]), inputs);
        Assert.True(result.Passed, result.ToString());
    }
}
