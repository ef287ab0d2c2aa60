using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Turns each planned kernel into the statement that enqueues it on the device. GEMMs,
/// softmax-cross-entropy, contiguous reductions and the small layout kernels call the runtime's
/// hand-written ILGPU kernels (<c>Dl.Gpu.GpuKernels</c>); elementwise groups and strided layouts
/// become generated kernels, one thread per output element. Unknown ops throw
/// <see cref="NotSupportedException"/> (the model then gets a Gpu class that says so).
/// </summary>
public static class GpuKernelEmitter
{
    /// <summary>
    /// The launch statement for <paramref name="kernel"/>. <paramref name="view"/> gives a node's
    /// device view in the entry point, <paramref name="gradientSlot"/> a parameter's gradient slot,
    /// <paramref name="random"/> the host expressions of the model's seed and training step (which fix
    /// a step's dropout masks and normal samples).
    /// </summary>
    public static string Emit(Kernel kernel, Func<Node, string> view, Func<Node, string> gradientSlot, GpuKernelTable table, (string Seed, string Step) random)
    {
        string name = kernel.MethodName();
        string summary = string.Join("; ", kernel.Fused.Select(n => GraphText.Line(n, table.Ids)));
        return kernel switch
        {
            GemmKernel k => Gemm(k, view),
            SoftmaxCrossEntropyKernel k =>
                $"__k.SoftmaxCrossEntropy(__s, {view(k.Logits)}, {view(k.Labels)}, {Rows(k.Logits.Shape)}, {Cols(k.Logits.Shape)}, " +
                $"{(k.Loss is null ? "default" : view(k.Loss))}, {(k.Gradient is null ? "default" : view(k.Gradient))}, {(k.GradientScale is null ? "1f" : KernelEmitter.ScaleExpression(k.GradientScale))});",
            ElementwiseKernel k => Launch(table.Add(GpuElementwise.Emit(name, summary, k, out var scales)), Sizes.Count(k.Output.Shape),
                k.Leaves.Select(l => view(l.Leaf)).Concat(new[] { view(k.Into ?? k.Output) }).Concat(k.ExtraOutputs.Select(view)).Concat(scales)),
            GradientCopyKernel k => k.Source.Op is ConstantOp c
                ? $"__k.Fill(__s, {gradientSlot(k.Parameter)}, {Sizes.Float(c.Value)});"
                : $"__k.Copy(__s, {view(k.Source)}, {gradientSlot(k.Parameter)});",
            StateUpdateKernel k => k.Source.Op is ConstantOp c
                ? $"__k.Fill(__s, {view(k.State)}, {Sizes.Float(c.Value)});"
                : $"__k.Copy(__s, {view(k.Source)}, {view(k.State)});",
            SingleKernel { Node.Op: DropoutMaskOp d } k => Launch(table.Add(DropoutMask(name, summary, k.Node)), Sizes.Count(k.Node.Shape),
                new[] { $"global::Dl.Cpu.Dropout.Key({random.Seed}, {d.Stream}, {random.Step})", $"global::Dl.Cpu.Dropout.Threshold({Sizes.Float(d.Rate)})",
                    $"global::Dl.Cpu.Dropout.Scale({Sizes.Float(d.Rate)})", view(k.Node) }),
            SingleKernel { Node.Op: RandomNormalOp r } k => Launch(table.Add(RandomNormal(name, summary, k.Node)), Sizes.Count(k.Node.Shape),
                new[] { $"global::Dl.Cpu.RandomNormal.Key({random.Seed}, {r.Stream}, {random.Step})", view(k.Node) }),
            SingleKernel k => Single(name, summary, k.Node, view, table),
            _ => throw new NotSupportedException($"no GPU kernel for {kernel.GetType().Name} ({summary})"),
        };
    }

    /// <summary>
    /// A dropout mask, one thread per element, each calling the runtime's one definition of an element
    /// (<c>Dl.Cpu.Dropout.At</c>): the key, threshold and scale come from the host at launch.
    /// </summary>
    private static GpuKernelCode DropoutMask(string name, string summary, Node node) =>
        new(name, summary, new[] { "ulong key", "uint threshold", "float scale", GpuElementwise.ViewType(node) + " y" },
            new[] { "y[index] = global::Dl.Cpu.Dropout.At(key, index, threshold, scale);" });

    /// <summary>Standard normal samples, one thread per element, each calling <c>Dl.Cpu.RandomNormal.At</c> (in double, as on the CPU).</summary>
    private static GpuKernelCode RandomNormal(string name, string summary, Node node) =>
        new(name, summary, new[] { "ulong key", GpuElementwise.ViewType(node) + " y" },
            new[] { "y[index] = global::Dl.Cpu.RandomNormal.At(key, index);" });

    private static string Launch(GpuKernelCode code, string extent, IEnumerable<string> args) =>
        $"{code.Field}(__s, {extent}, n{string.Concat(args.Select(a => ", " + a))});";

    private static string Gemm(GemmKernel k, Func<Node, string> view)
    {
        var mm = k.MatMul;
        // Each operand is a matrix of rows: every axis but the last is a row ([N, T, K] is N·T rows of K).
        var (m, cols) = Sizes.Matrix(mm.Shape);
        var (aRows, aCols) = Sizes.Matrix(k.A.Shape);
        string inner = k.TransA ? aRows : aCols, ldb = Sizes.Matrix(k.B.Shape).Cols;
        var epilogue = new List<string>();
        if (k.Bias is not null) epilogue.Add("bias: " + view(k.Bias));
        if (k.Activation is not null) epilogue.Add("activation: " + ElementwiseEmitter.Construct(ElementwiseEmitter.OperatorOf(k.Activation), ElementwiseEmitter.Resolve));
        if (k.ReluMask is not null) { epilogue.Add("mask: " + view(k.ReluMask)); epilogue.Add("ldMask: " + cols); }
        return $"__k.Gemm(__s, {m}, {cols}, {inner}, {view(k.A)}, {aCols}, transposeA: {Bool(k.TransA)}, {view(k.B)}, {ldb}, transposeB: {Bool(k.TransB)}, " +
            $"{view(k.Output)}, {cols}{string.Concat(epilogue.Select(e => ", " + e))});";
    }

    private static string Single(string name, string summary, Node node, Func<Node, string> view, GpuKernelTable table)
    {
        string X(int i) => view(node.Inputs[i]);
        var x = node.Shape;
        switch (node.Op)
        {
            case ConstantOp c: return $"__k.Fill(__s, {view(node)}, {Sizes.Float(c.Value)});";
            case SoftmaxOp: return $"__k.Softmax(__s, {X(0)}, {Rows(x)}, {Cols(x)}, {view(node)});";
            case LogSoftmaxOp: return $"__k.LogSoftmax(__s, {X(0)}, {Rows(x)}, {Cols(x)}, {view(node)});";
            case TransposeOp { Perm.Length: 2 }:
                return $"__k.Transpose(__s, {X(0)}, {Sizes.Of(node[0].Shape[0])}, {Sizes.Of(node[0].Shape[1])}, {view(node)});";
            case MseOp: return $"__k.MeanSquaredError(__s, {X(0)}, {X(1)}, {Sizes.Count(node[0].Shape)}, {view(node)});";
            case BinaryCrossEntropyOp: return $"__k.BinaryCrossEntropy(__s, {X(0)}, {X(1)}, {Sizes.Count(node[0].Shape)}, {view(node)});";
            case OneHotOp h: return $"__k.OneHot(__s, {X(0)}, {Sizes.Count(node[0].Shape)}, {Sizes.Of(h.Classes)}, {view(node)});";
            case SumOp s:
                return Reduce(node, KeepDims(node[0].Shape, s.Axes), X(0), view(node));
            case SumToOp:
                return Reduce(node, Padded(node.Shape, node[0].Shape.Rank), X(0), view(node));
            case ScatterAddRowsOp:
                return $"__k.Fill(__s, {view(node)}, 0f); " +
                    Launch(table.Add(GpuLayout.ScatterAddRows(name, summary, node)), Sizes.Count(node[0].Shape), node.Inputs.Select(view).Concat(new[] { view(node) }));
            case BroadcastToOp when Contiguous(node.Shape, Padded(node[0].Shape, node.Shape.Rank)) is { } b:
                return $"__k.Broadcast(__s, {X(0)}, {b.Outer}, {b.Reduce}, {b.Inner}, {view(node)});";
        }
        // Layouts the runtime has no kernel for: one generated thread per output element.
        var code = node.Op switch
        {
            SliceOp s => GpuLayout.Slice(name, summary, node, s),
            ConcatOp c => GpuLayout.Concat(name, summary, node, c),
            ReverseOp r => GpuLayout.Reverse(name, summary, node, r),
            GatherRowsOp => GpuLayout.GatherRows(name, summary, node),
            SequenceMaskOp => GpuLayout.SequenceMask(name, summary, node),
            TransposeOp t => GpuStrided.Emit(name, summary, node.Shape, new[] { GpuStrided.Permuted(node[0].Shape, t.Perm) }, "{0}"),
            BroadcastToOp => GpuStrided.Emit(name, summary, node.Shape, new[] { GpuStrided.BroadcastStrides(Padded(node[0].Shape, node.Shape.Rank), node.Shape) }, "{0}"),
            // Any other elementwise op (binary, Where's three operands) over its operands as they broadcast.
            { Class: OpClass.Elementwise, Operator: not null } => GpuStrided.Emit(name, summary, node.Shape,
                node.Inputs.Select(input => GpuStrided.BroadcastStrides(input.Shape, node.Shape)).ToArray(),
                ElementwiseEmitter.Invoke(node, node.Inputs.Select((_, i) => "{" + i + "}").ToArray(), ElementwiseEmitter.Resolve)),
            _ => throw new BackendUnsupportedException($"no GPU kernel for {node.Op.Key}", node),
        };
        return Launch(table.Add(code), Sizes.Count(node.Shape), node.Inputs.Select(view).Concat(new[] { view(node) }));
    }

    /// <summary>A sum into <paramref name="kept"/> (same rank, 1 on reduced axes) when the reduced axes form one block.</summary>
    private static string Reduce(Node node, Shape kept, string x, string y)
    {
        if (Contiguous(node[0].Shape, kept) is { } b)
            return $"__k.Sum(__s, {x}, {b.Outer}, {b.Reduce}, {b.Inner}, {y});";
        throw new BackendUnsupportedException($"no GPU kernel for a strided reduction {node}", node);
    }

    private static Shape KeepDims(Shape input, int[] axes) => new(input.Select((d, i) => axes.Contains(i) ? Dim.Of(1) : d));

    private static Shape Padded(Shape s, int rank) => new(Enumerable.Repeat(Dim.Of(1), rank - s.Rank).Concat(s));

    /// <summary>When the axes where <paramref name="kept"/> is 1 (and <paramref name="full"/> is not) form one block: outer x reduce x inner.</summary>
    private static (string Outer, string Reduce, string Inner)? Contiguous(Shape full, Shape kept)
    {
        var reduced = Enumerable.Range(0, full.Rank).Where(i => kept[i] != full[i]).ToList();
        if (reduced.Count == 0) return (Sizes.Count(full), "1", "1");
        int first = reduced[0], last = reduced[reduced.Count - 1];
        for (int i = first; i <= last; i++)
            if (!reduced.Contains(i) && full[i] != Dim.Of(1)) return null;
        return (Sizes.Product(full.Take(first)), Sizes.Product(full.Skip(first).Take(last - first + 1)), Sizes.Product(full.Skip(last + 1)));
    }

    private static string Rows(Shape s) => Sizes.Product(s.Take(s.Rank - 1));
    private static string Cols(Shape s) => Sizes.Of(s[s.Rank - 1]);
    private static string Bool(bool b) => b ? "true" : "false";
}
