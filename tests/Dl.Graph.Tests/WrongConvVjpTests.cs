using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// A convolution whose forward is exactly <see cref="Conv2dOp"/>'s but whose VJP carries one of the
/// classic bugs: the input gradient by correlating with the unflipped kernel, or the weight gradient
/// with the dilation forgotten.
/// </summary>
public sealed class BuggyConvOp : ConvOpBase
{
    private readonly Conv2dOp _real;

    public BuggyConvOp(ConvGeometry geometry, string bug) : base(geometry)
    {
        _real = new Conv2dOp(geometry);
        Bug = bug;
    }

    public string Bug { get; }
    public override string Name => "TestBuggyConv";
    public override string Attributes => Geometry.Text + " " + Bug;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _real.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> inputs, EvalContext context) => _real.Evaluate(inputs, context);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var right = _real.Vjp(g, y, dy);
        Shape w = y[1].Shape;
        return Bug switch
        {
            // Full correlation of dy with the channel-swapped kernel, not flipped: right only for symmetric kernels.
            "unflipped" => new[] { g.Conv2d(dy, g.Transpose(y[1], new[] { 1, 0, 2, 3 }), ConvGeometry.Uniform(1, w[2].Size - 1 - Geometry.PadTop, 1, 1)), right[1] },
            // Dilation dropped, padding shrunk to keep the shapes: only the values can give it away.
            "no-dilation" => new[] { right[0], g.Conv2dWeightGrad(y[0], dy,
                ConvGeometry.Uniform(Geometry.Stride, Geometry.PadTop - (Geometry.Dilation - 1) * (w[2].Size - 1) / 2, 1, Geometry.Groups), w[2].Size, w[3].Size) },
            _ => right,
        };
    }
}

public class WrongConvVjpTests
{
    private static GradCheckResult CheckConv(string bug, int dilation, string w = "2,2,3,3") =>
        Check((g, n) => g.Apply(new BuggyConvOp(ConvGeometry.Uniform(1, dilation, dilation, 1), bug), n[0], n[1]),
            new[] { InputSpec.Float("x", S("N,2,5,5")), InputSpec.Float("w", S(w)) });

    [Fact]
    public void CorrectConvVjp_Passes() => Assert.True(CheckConv("none", 2).Passed);

    [Fact]
    public void UnflippedKernelInTheInputGradient_IsCaught()
    {
        var result = CheckConv("unflipped", 1);
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(result.Mismatches, m => m.Source == "x");
        Assert.DoesNotContain(result.Mismatches, m => m.Source == "w");
    }

    [Fact]
    public void ForgottenDilationInTheWeightGradient_IsCaught()
    {
        var result = CheckConv("no-dilation", 2);
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(result.Mismatches, m => m.Source == "w");
        Assert.DoesNotContain(result.Mismatches, m => m.Source == "x");
    }
}
