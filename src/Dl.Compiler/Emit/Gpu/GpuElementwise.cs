using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// A fused elementwise group as an ILGPU kernel: one thread per element of the output, the
/// group viewed as [rows, cols] so row- and column-broadcast leaves index by j and r. Each node calls
/// the float overload of its op's operator struct (Dl.Operators), the very code the CPU backend's
/// scalar tails run: arithmetic, comparisons, bit casts and MathF.Sqrt/Abs, all of which ILGPU
/// compiles. Batch-dependent operator arguments (a mean's 1/N) are computed on the host, once per
/// launch, and passed as float parameters.
/// </summary>
public static class GpuElementwise
{
    public static GpuKernelCode Emit(string name, string summary, ElementwiseKernel k, out List<string> scales)
    {
        var root = k.Output;
        bool twoD = k.Split > 0;
        var parameters = new List<string>();
        var leafRead = new Dictionary<Node, string>();
        foreach (var leaf in k.Leaves)
        {
            string x = "x" + parameters.Count;
            parameters.Add(ViewType(leaf.Leaf) + " " + x);
            string cast = leaf.Leaf.Type == DType.Int32 ? "(float)" : "";
            leafRead[leaf.Operand] = cast + leaf.Access switch
            {
                Access.Full => $"{x}[i]",
                Access.Row => $"{x}[j]",
                // A column leaf over the axes [From, Split) only (a per-channel vector): row r reads r mod their product.
                Access.Column => leaf.From == 0 ? $"{x}[r]" : $"{x}[r % ({Sizes.Product(root.Shape.Skip(leaf.From).Take(k.Split - leaf.From))})]",
                // A slice read in place: row r of the group is a run of its source starting at r·stride + offset.
                Access.Window => $"{x}[r * {leaf.Stride} + {leaf.Offset} + j]",
                _ => $"{x}[0]",
            };
        }
        parameters.Add(GpuEmitter.FloatView + " y");
        // The extra outputs, y1, y2, ...: each stored at the thread's own element.
        for (int e = 0; e < k.ExtraOutputs.Count; e++) parameters.Add(GpuEmitter.FloatView + " y" + (e + 1));
        var local = ElementwiseEmitter.Locals(k);
        scales = new List<string>();
        // Operator arguments that depend on the batch: parameter s{i} (s{i}_{a} for argument a past the first) of node i.
        string HostArgument(Node node, int argument) => "s" + local[node] + (argument == 0 ? "" : "_" + argument);
        foreach (var node in k.Body)
        {
            var arguments = ElementwiseEmitter.OperatorOf(node).Arguments;
            for (int a = 0; a < arguments.Count; a++)
                if (arguments[a].BatchPower != 0)
                {
                    parameters.Add("float " + HostArgument(node, a));
                    scales.Add(KernelEmitter.ScaleExpression(arguments[a].Value, arguments[a].BatchPower));
                }
        }

        var body = new List<string> { "int i = index;" };
        if (twoD)
        {
            body.Add($"int cols = {Sizes.Product(root.Shape.Skip(k.Split))};");
            body.Add("int r = i / cols, j = i - r * cols;");
        }
        string Operand(Node x) =>
            x.Op is ConstantOp c ? Sizes.Float(c.Value) : leafRead.TryGetValue(x, out var read) ? read : "t" + local[x];
        foreach (var node in k.Body)
            body.Add($"float t{local[node]} = {ElementwiseEmitter.Invoke(node, node.Inputs.Select(Operand).ToArray(), (_, a) => HostArgument(node, a))};");
        // A piece of a concat writes its row r into the concat's row r (twoD: the split is the concat's axis).
        body.Add(k.Into is null ? $"y[i] = t{local[root]};" : $"y[r * {k.IntoStride} + {k.IntoOffset} + j] = t{local[root]};");
        for (int e = 0; e < k.ExtraOutputs.Count; e++) body.Add($"y{e + 1}[i] = t{local[k.ExtraOutputs[e]]};");
        return new GpuKernelCode(name, summary, parameters, body);
    }

    public static string ViewType(Node node) => node.Type == DType.Int32 ? GpuEmitter.IntView : GpuEmitter.FloatView;
}

/// <summary>
/// Layouts with no runtime kernel (a general transpose, a broadcast or binary op whose operands
/// broadcast along inner axes): one thread per output element, its coordinates recovered from the
/// flat index, each operand read through its own strides.
/// </summary>
public static class GpuStrided
{
    /// <param name="statement">The value of y[i]; {k} stands for operand k read at its strided offset.</param>
    public static GpuKernelCode Emit(string name, string summary, Shape domain, string[][] operandStrides, string statement)
    {
        var parameters = operandStrides.Select((_, k) => GpuEmitter.FloatView + " x" + k).Concat(new[] { GpuEmitter.FloatView + " y" }).ToList();
        var body = new List<string> { "int i = index, rest = i;" };
        for (int a = domain.Rank - 1; a > 0; a--)
            body.Add($"int i{a} = rest % ({Sizes.Of(domain[a])}); rest /= {Sizes.Of(domain[a])};");
        if (domain.Rank > 0) body.Add("int i0 = rest;");
        string Offset(string[] strides) =>
            string.Join(" + ", Enumerable.Range(0, domain.Rank).Where(a => strides[a] != "0").Select(a => $"i{a} * ({strides[a]})").DefaultIfEmpty("0"));
        var reads = operandStrides.Select((s, k) => (object)$"x{k}[{Offset(s)}]").ToArray();
        body.Add("y[i] = " + string.Format(statement, reads) + ";");
        return new GpuKernelCode(name, summary, parameters, body);
    }

    private static string[] RowMajorStrides(Shape s) => Enumerable.Range(0, s.Rank).Select(i => Sizes.Product(s.Skip(i + 1))).ToArray();

    /// <summary>Per axis of <paramref name="output"/>, the stride into a tensor of <paramref name="input"/> that broadcasts to it (0 where it is stretched).</summary>
    public static string[] BroadcastStrides(Shape input, Shape output)
    {
        var strides = RowMajorStrides(input);
        int offset = output.Rank - input.Rank;
        return Enumerable.Range(0, output.Rank).Select(a =>
            a < offset || (input[a - offset] == Dim.Of(1) && output[a] != Dim.Of(1)) ? "0" : strides[a - offset]).ToArray();
    }

    public static string[] Permuted(Shape input, int[] perm)
    {
        var strides = RowMajorStrides(input);
        return perm.Select(p => strides[p]).ToArray();
    }
}
