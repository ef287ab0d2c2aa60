using System;
using System.Linq;

namespace Dl.Graph;

/// <summary>A concrete tensor for the reference evaluator: row-major doubles.</summary>
public sealed class TensorValue
{
    public TensorValue(int[] dims, double[] data)
    {
        long n = dims.Aggregate(1L, (p, d) => p * d);
        if (n != data.Length)
            throw new ArgumentException($"shape [{string.Join(",", dims)}] needs {n} values, got {data.Length}");
        Dims = dims;
        Data = data;
    }

    public int[] Dims { get; }
    public double[] Data { get; }
    public int Rank => Dims.Length;
    public int Length => Data.Length;

    public static TensorValue Zeros(int[] dims) => new(dims, new double[dims.Aggregate(1, (p, d) => p * d)]);
    public static TensorValue Scalar(double v) => new(Array.Empty<int>(), new[] { v });

    public double this[int i] { get => Data[i]; set => Data[i] = value; }

    /// <summary>Row-major strides.</summary>
    public static int[] Strides(int[] dims)
    {
        var s = new int[dims.Length];
        int acc = 1;
        for (int i = dims.Length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
        return s;
    }

    public TensorValue Map(Func<double, double> f) => new((int[])Dims.Clone(), Data.Select(f).ToArray());

    public override string ToString() => $"[{string.Join(",", Dims)}] {{{string.Join(", ", Data.Take(8).Select(d => d.ToString("G4")))}{(Data.Length > 8 ? ", ..." : "")}}}";
}
