using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Slices, concatenations, reversals, row lookups and sequence masks as generated ILGPU kernels, one thread per output element.
/// Each views its tensors as [outer, axis, inner] (outer and inner products of the axes before and
/// after the op's axis), so a thread needs two divisions whatever the rank.
/// </summary>
public static class GpuLayout
{
    public static GpuKernelCode Slice(string name, string summary, Node node, SliceOp op)
    {
        var x = node[0].Shape;
        string inner = Sizes.Product(x.Skip(op.Axis + 1)), block = $"{op.Length} * {inner}";
        return Code(name, summary, node, new List<string>
        {
            $"int i = index, o = i / ({block}), r = i - o * ({block});",
            $"y[i] = x0[o * ({Sizes.Of(x[op.Axis])} * {inner}) + {op.Start} * {inner} + r];",
        });
    }

    /// <summary>Output block o of each outer index holds the parts' blocks in turn: the thread finds its part by the offset within the block.</summary>
    public static GpuKernelCode Concat(string name, string summary, Node node, ConcatOp op)
    {
        var y = node.Shape;
        string inner = Sizes.Product(y.Skip(op.Axis + 1)), block = $"{Sizes.Of(y[op.Axis])} * {inner}";
        var body = new List<string> { $"int i = index, o = i / ({block}), r = i - o * ({block});" };
        int start = 0;
        for (int k = 0; k < node.Inputs.Count; k++)
        {
            int size = node[k].Shape[op.Axis].Size;
            string read = $"y[i] = x{k}[o * ({size} * {inner}) + r - {start} * {inner}];";
            body.Add(k == node.Inputs.Count - 1 ? (k == 0 ? read : "else " + read) : $"{(k == 0 ? "" : "else ")}if (r < {start + size} * {inner}) {read}");
            start += size;
        }
        return Code(name, summary, node, body);
    }

    public static GpuKernelCode Reverse(string name, string summary, Node node, ReverseOp op)
    {
        var x = node.Shape;
        string size = Sizes.Of(x[op.Axis]), inner = Sizes.Product(x.Skip(op.Axis + 1)), block = $"{size} * {inner}";
        return Code(name, summary, node, new List<string>
        {
            $"int i = index, o = i / ({block}), r = i - o * ({block}), t = r / ({inner}), j = r - t * ({inner});",
            $"y[i] = x0[o * ({block}) + ({size} - 1 - t) * ({inner}) + j];",
        });
    }

    /// <summary>
    /// One thread per output float: row r of the indices, column j. The host has checked the indices
    /// (ModelGuard.CheckIndices); the bound here only keeps a kernel from ever reading outside the table.
    /// </summary>
    public static GpuKernelCode GatherRows(string name, string summary, Node node)
    {
        var table = node[0].Shape;
        string d = Sizes.Of(table[1]);
        return Code(name, summary, node, new List<string>
        {
            $"int i = index, r = i / {d}, j = i - r * {d}, t = x1[r];",
            $"y[i] = (uint)t < (uint){Sizes.Of(table[0])} ? x0[t * {d} + j] : 0f;",
        });
    }

    /// <summary>
    /// One thread per output float: sample n, step t. The host has checked the lengths
    /// (ModelGuard.CheckLengths); a kernel only compares, so no length can make it read outside x.
    /// </summary>
    public static GpuKernelCode SequenceMask(string name, string summary, Node node)
    {
        var x = node.Shape;
        string steps = Sizes.Of(x[1]), inner = Sizes.Product(x.Skip(2)), block = $"{steps} * {inner}";
        return Code(name, summary, node, new List<string>
        {
            $"int i = index, sample = i / ({block}), t = (i - sample * ({block})) / ({inner});",
            "y[i] = t < x1[sample] ? x0[i] : 0f;",
        });
    }

    /// <summary>One thread per value float, added atomically into the (zeroed) table row its index names: repeated indices meet there.</summary>
    public static GpuKernelCode ScatterAddRows(string name, string summary, Node node)
    {
        string d = Sizes.Of(node.Shape[1]);
        return Code(name, summary, node, new List<string>
        {
            $"int i = index, r = i / {d}, j = i - r * {d}, t = x1[r];",
            $"if ((uint)t < (uint){Sizes.Of(node.Shape[0])}) global::ILGPU.Atomic.Add(ref y[t * {d} + j], x0[i]);",
        });
    }

    private static GpuKernelCode Code(string name, string summary, Node node, List<string> body)
    {
        var parameters = node.Inputs.Select((x, k) => GpuElementwise.ViewType(x) + " x" + k).Append(GpuElementwise.ViewType(node) + " y").ToList();
        return new GpuKernelCode(name, summary, parameters, body);
    }
}
