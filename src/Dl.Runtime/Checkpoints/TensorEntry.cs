using System.Collections.Generic;

namespace Dl.Checkpoints;

/// <summary>One tensor as the safetensors header describes it, before any check against the data buffer.</summary>
internal sealed class TensorEntry
{
    public TensorEntry(string name, string dtype, long[] shape, ulong begin, ulong end)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        Begin = begin;
        End = end;
    }

    public string Name { get; }
    public string Dtype { get; }
    /// <summary>Dimensions as read; each is checked to fit an int once the entry is validated.</summary>
    public long[] Shape { get; }
    /// <summary>Byte offsets relative to the start of the data buffer (just after the header).</summary>
    public ulong Begin { get; }
    public ulong End { get; }

    public int[] IntShape()
    {
        var s = new int[Shape.Length];
        for (int i = 0; i < s.Length; i++) s[i] = (int)Shape[i];
        return s;
    }

    public string ShapeText => Format(Shape);

    /// <summary>
    /// The tensors sorted by their place in the data buffer; empty tensors sharing an offset by name, so writer
    /// and reader agree on one order (the checksum record lists tensors in it).
    /// </summary>
    public static List<TensorEntry> InDataOrder(IEnumerable<TensorEntry> tensors)
    {
        var sorted = new List<TensorEntry>(tensors);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
            : a.End != b.End ? a.End.CompareTo(b.End) : string.CompareOrdinal(a.Name, b.Name));
        return sorted;
    }

    public static string Format(long[] shape) => "[" + string.Join(",", shape) + "]";

    public static string Format(int[] shape) => "[" + string.Join(",", shape) + "]";
}
