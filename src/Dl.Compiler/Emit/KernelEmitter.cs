using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Turns each planned kernel into a method. GEMMs, softmax-cross-entropy and reductions call the
/// runtime's tuned primitives; elementwise groups become generated SIMD loops; anything with an
/// unusual layout becomes a strided loop. One case per op lives here or in <see cref="SingleOpEmitter"/>.
/// </summary>
public static class KernelEmitter
{
    /// <summary>The method for <paramref name="kernel"/>; its summary numbers nodes by <paramref name="ids"/> (GraphText's dense ids) when given.</summary>
    public static KernelCode Emit(Kernel kernel, IReadOnlyDictionary<Node, int>? ids = null)
    {
        string name = kernel.MethodName();
        string summary = string.Join("; ", kernel.Fused.Select(n => GraphText.Line(n, ids)));
        return kernel switch
        {
            GemmKernel k => Gemm(name, summary, k),
            SoftmaxCrossEntropyKernel k => CrossEntropy(name, summary, k),
            ElementwiseKernel k => ElementwiseEmitter.Emit(name, summary, k),
            ConvKernel k => ConvEmitter.Emit(name, summary, k),
            GradientCopyKernel k => GradientCopy(name, summary, k),
            StateUpdateKernel k => StateUpdate(summary, k),
            SingleKernel k => SingleOpEmitter.Emit(name, summary, k.Node),
            _ => throw new NotSupportedException($"no emitter for {kernel.GetType().Name}"),
        };
    }

    private static KernelCode Gemm(string name, string summary, GemmKernel k)
    {
        var mm = k.MatMul;
        // Each operand is a matrix of rows: every axis but the last is a row ([N, T, K] is N·T rows of K).
        var (m, cols) = Sizes.Matrix(mm.Shape);
        var (aRows, aCols) = Sizes.Matrix(k.A.Shape);
        string inner = k.TransA ? aRows : aCols, ldb = Sizes.Matrix(k.B.Shape).Cols;
        var args = new List<KernelArgument> { new("a", k.A, false), new("b", k.B, false) };
        var epilogue = new List<string>();
        if (k.Bias is not null) { args.Add(new("bias", k.Bias, false)); epilogue.Add("Bias = bias"); }
        if (k.ReluMask is not null) { args.Add(new("mask", k.ReluMask, false)); epilogue.Add("ReluMask = mask"); epilogue.Add("LdMask = " + cols); }
        args.Add(new("c", k.Output, true));
        // The activation, any unary op, is the operator struct the product is specialised for.
        string activation = k.Activation is null ? "" : ", " + ElementwiseEmitter.Construct(ElementwiseEmitter.OperatorOf(k.Activation), ElementwiseEmitter.Resolve);
        string ep = epilogue.Count == 0 && activation.Length == 0 ? "" : ", new global::Dl.Cpu.GemmEpilogue { " + string.Join(", ", epilogue) + " }" + activation;
        var body = new[]
        {
            // Named flags: a bare true/false says nothing about which operand is read transposed.
            $"global::Dl.Cpu.Gemm.Multiply({m}, {cols}, {inner}, a, {aCols}, transposeA: {Bool(k.TransA)}, b, {ldb}, transposeB: {Bool(k.TransB)}, c, {cols}{ep});",
        };
        return new KernelCode(name, summary, args, body);
    }

    private static KernelCode CrossEntropy(string name, string summary, SoftmaxCrossEntropyKernel k)
    {
        var shape = k.Logits.Shape;
        string rows = Sizes.Product(shape.Take(shape.Rank - 1)), cols = Sizes.Of(shape[shape.Rank - 1]);
        var args = new List<KernelArgument> { new("logits", k.Logits, false), new("labels", k.Labels, false) };
        if (k.Loss is not null) args.Add(new("loss", k.Loss, true));
        if (k.Gradient is not null) args.Add(new("dLogits", k.Gradient, true));
        string scale = k.GradientScale is null ? "1f" : ScaleExpression(k.GradientScale);
        string call = $"global::Dl.Cpu.Rows.SoftmaxCrossEntropy(logits, labels, {rows}, {cols}, {(k.Gradient is null ? "default" : "dLogits")}, {scale})";
        var body = k.Loss is null ? new[] { call + ";" } : new[] { $"loss[0] = {call};" };
        return new KernelCode(name, summary, args, body);
    }

    private static KernelCode GradientCopy(string name, string summary, GradientCopyKernel k)
    {
        var args = new List<KernelArgument> { new("gradient", k.Parameter, true) { GradientSlot = true } };
        string body;
        if (k.Source.Op is ConstantOp c) body = $"gradient.Fill({Sizes.Float(c.Value)});";
        else { args.Insert(0, new("source", k.Source, false)); body = "source.CopyTo(gradient);"; }
        return new KernelCode("CopyGradient", summary, args, new[] { body });
    }

    private static KernelCode StateUpdate(string summary, StateUpdateKernel k)
    {
        var args = new List<KernelArgument> { new("state", k.State, true) };
        string body;
        if (k.Source.Op is ConstantOp c) body = $"state.Fill({Sizes.Float(c.Value)});";
        else { args.Insert(0, new("value", k.Source, false)); body = "value.CopyTo(state);"; }
        return new KernelCode("UpdateState", summary, args, new[] { body });
    }

    /// <summary>The run-time value of a Scale: factor · n^power, as a float expression.</summary>
    public static string ScaleExpression(ScaleOp s) => ScaleExpression(s.Factor, s.BatchPower);

    /// <summary>factor · n^power as a float expression.</summary>
    public static string ScaleExpression(double factor, int batchPower) => batchPower switch
    {
        0 => Sizes.Float(factor),
        -1 => $"(float)({Sizes.Double(factor)} / (double)n)",
        1 => $"(float)({Sizes.Double(factor)} * (double)n)",
        _ => $"(float)({Sizes.Double(factor)} * global::System.Math.Pow(n, {batchPower}))",
    };

    private static string Bool(bool b) => b ? "true" : "false";
}
