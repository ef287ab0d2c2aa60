using System;
using System.Collections.Generic;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Emits the convolution family as calls into <c>Dl.Cpu.Conv</c> (im2col + GEMM, split over the
/// batch): a convolution with its fused bias and activation, the transposed convolution (which is
/// also every convolution's input gradient) and the weight gradient. Each call states the
/// geometry in full, so the generated code reads as the op it computes.
/// </summary>
public static class ConvEmitter
{
    public static KernelCode Emit(string name, string summary, ConvKernel k)
    {
        var args = new List<KernelArgument> { new("x", k.X, false), new("w", k.W, false) };
        if (k.Bias is not null) args.Add(new("bias", k.Bias, false));
        args.Add(new("y", k.Output, true));
        string activation = k.Activation is null ? "" : ", " + ElementwiseEmitter.Construct(ElementwiseEmitter.OperatorOf(k.Activation), ElementwiseEmitter.Resolve);
        var body = new[]
        {
            $"global::Dl.Cpu.Conv.Forward({Shape(k.X.Shape, k.Conv.Shape, k.W.Shape, ((Conv2dOp)k.Conv.Op).Geometry)}, {Sizes.Of(k.X.Shape[0])}, x, w, {(k.Bias is null ? "default" : "bias")}, y{activation});",
        };
        return new KernelCode(name, summary, args, body);
    }

    /// <summary>An unfused convolution (the fuser normally wraps every one in a <see cref="ConvKernel"/>).</summary>
    public static List<string> Forward(Node node, Func<int, string> input) => new()
    {
        $"global::Dl.Cpu.Conv.Forward({Shape(node[0].Shape, node.Shape, node[1].Shape, ((Conv2dOp)node.Op).Geometry)}, {Sizes.Of(node.Shape[0])}, {input(0)}, {input(1)}, default, y);",
    };

    /// <summary>y = convT(u, w): the adjoint of the convolution from y's shape to u's.</summary>
    public static List<string> Transpose(Node node, Func<int, string> input) => new()
    {
        $"global::Dl.Cpu.Conv.BackwardData({Shape(node.Shape, node[0].Shape, node[1].Shape, ((ConvTranspose2dOp)node.Op).Geometry)}, {Sizes.Of(node.Shape[0])}, {input(0)}, {input(1)}, y);",
    };

    /// <summary>dw from the convolution's input x and output gradient dy.</summary>
    public static List<string> WeightGrad(Node node, Func<int, string> input) => new()
    {
        $"global::Dl.Cpu.Conv.BackwardWeights({Shape(node[0].Shape, node[1].Shape, node.Shape, ((Conv2dWeightGradOp)node.Op).Geometry)}, {Sizes.Of(node[0].Shape[0])}, {input(0)}, {input(1)}, y);",
    };

    /// <summary>The geometry of the convolution mapping <paramref name="x"/> [N,C,H,W] to <paramref name="y"/> [N,O,OH,OW] with weight <paramref name="w"/>.</summary>
    private static string Shape(Shape x, Shape y, Shape w, ConvGeometry g) =>
        $"new global::Dl.Cpu.ConvShape({Sizes.Of(x[1])}, {Sizes.Of(x[2])}, {Sizes.Of(x[3])}, {Sizes.Of(y[1])}, {Sizes.Of(w[2])}, {Sizes.Of(w[3])}, " +
        $"stride: {g.Stride}, dilation: {g.Dilation}, padTop: {g.PadTop}, padLeft: {g.PadLeft}, groups: {g.Groups}, outHeight: {Sizes.Of(y[2])}, outWidth: {Sizes.Of(y[3])})";
}
