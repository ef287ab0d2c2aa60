using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>Emits concatenation, slicing, reversal, row lookups and sequence masks (block copies) and dropout masks (drawn from the model's seed and step).</summary>
public static class ToolboxEmitter
{
    /// <summary>Each input's block of <c>size·inner</c> floats, copied in turn for every outer index.</summary>
    public static List<string> Concat(Node node, ConcatOp op, Func<int, string> input)
    {
        var shape = node.Shape;
        var body = new List<string> { $"int outer = {Sizes.Product(shape.Take(op.Axis))}, at = 0;", "for (int o = 0; o < outer; o++) {" };
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            string block = Sizes.Product(node[i].Shape.Skip(op.Axis));
            body.Add($"{input(i)}.Slice(o * {block}, {block}).CopyTo(y.Slice(at, {block}));");
            body.Add($"at += {block};");
        }
        body.Add("}");
        return body;
    }

    public static List<string> Slice(Node node, SliceOp op, Func<int, string> input)
    {
        var x = node[0].Shape;
        string inner = Sizes.Product(x.Skip(op.Axis + 1)), block = $"{op.Length} * {inner}";
        return new()
        {
            $"for (int o = 0; o < {Sizes.Product(x.Take(op.Axis))}; o++) {{",
            $"{input(0)}.Slice((o * {Sizes.Of(x[op.Axis])} + {op.Start}) * {inner}, {block}).CopyTo(y.Slice(o * {block}, {block}));",
            "}",
        };
    }

    /// <summary>Each block of <c>inner</c> floats copied to its mirrored place along the axis.</summary>
    public static List<string> Reverse(Node node, ReverseOp op, Func<int, string> input)
    {
        var x = node[0].Shape;
        string size = Sizes.Of(x[op.Axis]), inner = Sizes.Product(x.Skip(op.Axis + 1));
        return new()
        {
            $"for (int o = 0; o < {Sizes.Product(x.Take(op.Axis))}; o++) {{",
            $"for (int t = 0; t < {size}; t++) {{",
            $"{input(0)}.Slice((o * {size} + {size} - 1 - t) * {inner}, {inner}).CopyTo(y.Slice((o * {size} + t) * {inner}, {inner}));",
            "}",
            "}",
        };
    }

    /// <summary>Each index checked, then its row copied; an index outside the table throws before anything is read.</summary>
    public static List<string> GatherRows(Node node, GatherRowsOp op, Func<int, string> input)
    {
        var table = node[0].Shape;
        string rows = Sizes.Of(table[0]), d = Sizes.Of(table[1]);
        return new()
        {
            $"for (int r = 0; r < {Sizes.Count(node[1].Shape)}; r++) {{",
            $"int t = {input(1)}[r];",
            $"if ((uint)t >= (uint){rows}) throw global::Dl.ModelGuard.IndexOutOfRange({Identifiers.StringLiteral(op.What)}, t, r, {rows});",
            $"{input(0)}.Slice(t * {d}, {d}).CopyTo(y.Slice(r * {d}, {d}));",
            "}",
        };
    }

    /// <summary>
    /// Per sample: its length checked (one outside 0..T throws before anything is written), its first
    /// length steps copied and the rest cleared. Safe when y is x's buffer (a copy onto itself, then a clear).
    /// </summary>
    public static List<string> SequenceMask(Node node, Func<int, string> input)
    {
        var x = node.Shape;
        string steps = Sizes.Of(x[1]), inner = Sizes.Product(x.Skip(2)), block = $"{steps} * {inner}";
        return new()
        {
            $"for (int sample = 0; sample < {Sizes.Of(x[0])}; sample++) {{",
            $"int length = {input(1)}[sample];",
            $"if ((uint)length > (uint){steps}) throw global::Dl.ModelGuard.LengthOutOfRange(length, sample, {steps});",
            $"{input(0)}.Slice(sample * {block}, length * {inner}).CopyTo(y.Slice(sample * {block}, length * {inner}));",
            $"y.Slice(sample * {block} + length * {inner}, ({steps} - length) * {inner}).Clear();",
            "}",
        };
    }

    /// <summary>A zero table, each value row added at its index (indices outside the table add nothing).</summary>
    public static List<string> ScatterAddRows(Node node, ScatterAddRowsOp op, Func<int, string> input)
    {
        string d = Sizes.Of(node.Shape[1]);
        return new()
        {
            "y.Clear();",
            $"for (int r = 0; r < {Sizes.Count(node[1].Shape)}; r++) {{",
            $"int t = {input(1)}[r];",
            $"if ((uint)t >= (uint){op.Vocabulary}) continue;",
            $"for (int j = 0; j < {d}; j++) y[t * {d} + j] += {input(0)}[r * {d} + j];",
            "}",
        };
    }

    public static List<string> DropoutMask(DropoutMaskOp op) => new()
    {
        $"global::Dl.Cpu.Dropout.Mask(y, {Sizes.Float(op.Rate)}, {op.Stream}, seed, step);",
    };

    public static List<string> RandomNormal(RandomNormalOp op) => new()
    {
        $"global::Dl.Cpu.RandomNormal.Fill(y, {op.Stream}, seed, step);",
    };

    /// <summary>The model's seed and training step, which fix each step's masks and samples.</summary>
    public static IReadOnlyList<KernelScalar> DropoutScalars { get; } = new[] { new KernelScalar("int", "seed", "__seed"), new KernelScalar("long", "step", "__step") };
}
