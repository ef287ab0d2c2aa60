using System;
using System.Numerics.Tensors;

namespace Dl.Cpu;

/// <summary>
/// Reductions and broadcasts that keep a middle block of axes: a tensor viewed as [outer, mid,
/// inner], summed over outer and inner into [mid] (the bias gradient of a convolution, the batch
/// statistics of batch norm over N, H and W), and the reverse broadcast.
/// </summary>
public static class ChannelReduce
{
    /// <summary>y[m] = scale · Σ_o Σ_i x[(o·mid + m)·inner + i].</summary>
    public static void Sum(ReadOnlySpan<float> x, int outer, int mid, int inner, Span<float> y, float scale = 1f)
    {
        if (x.Length != (long)outer * mid * inner || y.Length != mid)
            throw new ArgumentException($"summing [{outer},{mid},{inner}] into [{mid}] needs {(long)outer * mid * inner} and {mid} values, got {x.Length} and {y.Length}");
        for (int m = 0; m < mid; m++)
        {
            double acc = 0;   // a long sum (N·H·W terms): accumulate the blocks in double
            for (int o = 0; o < outer; o++) acc += TensorPrimitives.Sum(x.Slice((o * mid + m) * inner, inner));
            y[m] = (float)(acc * scale);
        }
    }

    /// <summary>y[(o·mid + m)·inner + i] = x[m]: the adjoint of <see cref="Sum"/>.</summary>
    public static void Broadcast(ReadOnlySpan<float> x, int outer, int mid, int inner, Span<float> y)
    {
        if (y.Length != (long)outer * mid * inner || x.Length != mid)
            throw new ArgumentException($"broadcasting [{mid}] over [{outer},{mid},{inner}] needs {mid} and {(long)outer * mid * inner} values, got {x.Length} and {y.Length}");
        for (int o = 0; o < outer; o++)
            for (int m = 0; m < mid; m++)
                y.Slice((o * mid + m) * inner, inner).Fill(x[m]);
    }
}
