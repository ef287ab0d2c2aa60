using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Emits one unfused node: a runtime primitive where the layout allows (contiguous reductions,
/// 2-D transposes, row-wise softmax) and an emitted strided loop otherwise.
/// </summary>
public static class SingleOpEmitter
{
    public static KernelCode Emit(string name, string summary, Node node)
    {
        var args = node.Inputs.Distinct().Select((x, i) => new KernelArgument("x" + i, x, false)).ToList();
        string In(int input) => "x" + node.Inputs.Distinct().ToList().IndexOf(node.Inputs[input]);
        args.Add(new KernelArgument("y", node, true));
        var x = node.Shape;
        List<string> body = node.Op switch
        {
            ConstantOp c => new() { $"y.Fill({Sizes.Float(c.Value)});" },
            SoftmaxOp => new() { $"global::Dl.Cpu.Rows.Softmax({In(0)}, {Rows(x)}, {Cols(x)}, y);" },
            LogSoftmaxOp => new() { $"global::Dl.Cpu.Rows.LogSoftmax({In(0)}, {Rows(x)}, {Cols(x)}, y);" },
            TransposeOp { Perm.Length: 2 } => new() { $"global::Dl.Cpu.Reduce.Transpose({In(0)}, {Sizes.Of(node[0].Shape[0])}, {Sizes.Of(node[0].Shape[1])}, y);" },
            TransposeOp t => Strided(node.Shape, new[] { (In(0), Permuted(node[0].Shape, t.Perm)) }, "y[yo] = {0};", "yo"),
            SumOp s => Reduction(In(0), node[0].Shape, KeepDims(node[0].Shape, s.Axes)),
            SumToOp => Reduction(In(0), node[0].Shape, Padded(node.Shape, node[0].Shape.Rank)),
            BroadcastToOp => Broadcast(In(0), Padded(node[0].Shape, node.Shape.Rank), node.Shape),
            // Any other elementwise op (binary, Where's three operands) over its operands as they broadcast.
            { Class: OpClass.Elementwise, Operator: not null } => Strided(node.Shape, node.Inputs.Select((input, i) => (In(i), BroadcastStrides(input.Shape, node.Shape))).ToArray(),
                "y[yo] = " + ElementwiseEmitter.Invoke(node, node.Inputs.Select((_, i) => "{" + i + "}").ToArray(), ElementwiseEmitter.Resolve) + ";", "yo"),
            MseOp => Loss(node, $"double d = (double){In(0)}[i] - {In(1)}[i]; acc += d * d;"),
            BinaryCrossEntropyOp => Loss(node, $"double z = {In(0)}[i], t = {In(1)}[i]; acc += global::System.Math.Max(z, 0) - z * t + global::System.Math.Log(1 + global::System.Math.Exp(-global::System.Math.Abs(z)));"),
            ConvTranspose2dOp => ConvEmitter.Transpose(node, In),
            Conv2dWeightGradOp => ConvEmitter.WeightGrad(node, In),
            Conv2dOp => ConvEmitter.Forward(node, In),
            MaxPool2dOp or MaxPool2dGradOp or MaxPool2dSelectOp or AvgPool2dOp or AvgPool2dGradOp => PoolingEmitter.Emit(node, In),
            ConcatOp c => ToolboxEmitter.Concat(node, c, In),
            SliceOp s => ToolboxEmitter.Slice(node, s, In),
            ReverseOp r => ToolboxEmitter.Reverse(node, r, In),
            GatherRowsOp gr => ToolboxEmitter.GatherRows(node, gr, In),
            ScatterAddRowsOp sr => ToolboxEmitter.ScatterAddRows(node, sr, In),
            SequenceMaskOp => ToolboxEmitter.SequenceMask(node, In),
            DropoutMaskOp d => ToolboxEmitter.DropoutMask(d),
            RandomNormalOp r => ToolboxEmitter.RandomNormal(r),
            TrainEvalOp => throw new NotSupportedException($"{node}: the graph must be specialised to one mode before emission (Modes.Specialise)"),
            OneHotOp h => new()
            {
                "y.Clear();",
                $"for (int r = 0; r < {Sizes.Count(node[0].Shape)}; r++) {{",
                $"if ((uint)x0[r] < (uint){Sizes.Of(h.Classes)}) y[r * {Sizes.Of(h.Classes)} + x0[r]] = 1f;",
                "}",
            },
            _ => throw new NotSupportedException($"no CPU emission for {node.Op.Key}"),
        };
        return new KernelCode(name, summary, args, body, node.Op is DropoutMaskOp or RandomNormalOp ? ToolboxEmitter.DropoutScalars : null);
    }

    private static string Rows(Shape s) => Sizes.Product(s.Take(s.Rank - 1));
    private static string Cols(Shape s) => Sizes.Of(s[s.Rank - 1]);

    private static List<string> Loss(Node node, string accumulate) => new()
    {
        "double acc = 0;",
        $"int count = {Sizes.Count(node[0].Shape)};",
        "for (int i = 0; i < count; i++) {",
        accumulate,
        "}",
        "y[0] = (float)(acc / count);",
    };

    /// <summary>The reduced shape with the input's rank (size 1 on reduced axes).</summary>
    private static Shape KeepDims(Shape input, int[] axes) => new(input.Select((d, i) => axes.Contains(i) ? Dim.Of(1) : d));

    private static Shape Padded(Shape s, int rank) => new(Enumerable.Repeat(Dim.Of(1), rank - s.Rank).Concat(s));

    /// <summary>Sums <paramref name="input"/> into <paramref name="kept"/> (same rank, 1 on reduced axes).</summary>
    private static List<string> Reduction(string x, Shape input, Shape kept)
    {
        if (Contiguous(input, kept) is { } b)
            return new() { $"global::Dl.Cpu.Reduce.Sum({x}, {b.Outer}, {b.Reduce}, {b.Inner}, y);" };
        if (MiddleBlock(input, kept) is { } m)
            return new() { $"global::Dl.Cpu.ChannelReduce.Sum({x}, {m.Outer}, {m.Mid}, {m.Inner}, y);" };
        var body = new List<string> { "y.Clear();" };
        body.AddRange(Strided(input, new[] { ("y", BroadcastStrides(kept, input)) }, "{0} += " + x + "[xo];", "xo"));
        return body;
    }

    private static List<string> Broadcast(string x, Shape kept, Shape output)
    {
        if (Contiguous(output, kept) is { } b)
            return new() { $"global::Dl.Cpu.Reduce.Broadcast({x}, {b.Outer}, {b.Reduce}, {b.Inner}, y);" };
        if (MiddleBlock(output, kept) is { } m)
            return new() { $"global::Dl.Cpu.ChannelReduce.Broadcast({x}, {m.Outer}, {m.Mid}, {m.Inner}, y);" };
        return Strided(output, new[] { (x, BroadcastStrides(kept, output)) }, "y[yo] = {0};", "yo");
    }

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

    /// <summary>
    /// When the axes <paramref name="kept"/> keeps (size &gt; 1 in both) form one block with only
    /// reduced or size-1 axes around it: outer x mid x inner, summed over outer and inner (per channel).
    /// </summary>
    private static (string Outer, string Mid, string Inner)? MiddleBlock(Shape full, Shape kept)
    {
        var keptAxes = Enumerable.Range(0, full.Rank).Where(i => kept[i] == full[i] && full[i] != Dim.Of(1)).ToList();
        if (keptAxes.Count == 0) return null;
        int first = keptAxes[0], last = keptAxes[keptAxes.Count - 1];
        for (int i = first; i <= last; i++)
            if (kept[i] != full[i]) return null;
        return (Sizes.Product(full.Take(first)), Sizes.Product(full.Skip(first).Take(last - first + 1)), Sizes.Product(full.Skip(last + 1)));
    }

    private static string[] RowMajorStrides(Shape s) => Enumerable.Range(0, s.Rank).Select(i => Sizes.Product(s.Skip(i + 1))).ToArray();

    /// <summary>Per axis of <paramref name="output"/>, the stride into a tensor of <paramref name="input"/> that broadcasts to it (0 where it is stretched).</summary>
    private static string[] BroadcastStrides(Shape input, Shape output)
    {
        var strides = RowMajorStrides(input);
        int offset = output.Rank - input.Rank;
        return Enumerable.Range(0, output.Rank).Select(a =>
            a < offset || (input[a - offset] == Dim.Of(1) && output[a] != Dim.Of(1)) ? "0" : strides[a - offset]).ToArray();
    }

    private static string[] Permuted(Shape input, int[] perm)
    {
        var strides = RowMajorStrides(input);
        return perm.Select(p => strides[p]).ToArray();
    }

    /// <summary>
    /// Nested loops over <paramref name="domain"/>; the statement is a format string whose {k} is
    /// operand k indexed by its strides. <paramref name="own"/> names the domain's row-major offset.
    /// </summary>
    private static List<string> Strided(Shape domain, (string Name, string[] Strides)[] operands, string statement, string own)
    {
        var body = new List<string>();
        var domainStrides = RowMajorStrides(domain);
        for (int a = 0; a < domain.Rank; a++)
            body.Add($"for (int i{a} = 0; i{a} < {Sizes.Of(domain[a])}; i{a}++) {{");
        string Offset(string[] strides) => domain.Rank == 0 ? "0" :
            string.Join(" + ", Enumerable.Range(0, domain.Rank).Where(a => strides[a] != "0").Select(a => $"i{a} * ({strides[a]})").DefaultIfEmpty("0"));
        body.Add($"int {own} = {Offset(domainStrides)};");
        var refs = operands.Select(o => $"{o.Name}[{Offset(o.Strides)}]").ToArray<object>();
        body.Add(string.Format(statement, refs));
        for (int a = 0; a < domain.Rank; a++) body.Add("}");
        return body;
    }
}
