using System;
using System.Runtime.Intrinsics;

namespace Dl.Cpu;

/// <summary>
/// Reductions and broadcasts that keep a middle block of axes: a tensor viewed as [outer, mid,
/// inner], summed over outer and inner into [mid] (the bias gradient of a convolution, the batch
/// statistics of batch norm over N, H and W), and the reverse broadcast.
/// </summary>
public static unsafe class ChannelReduce
{
    /// <summary>y[m] = scale · Σ_o Σ_i x[(o·mid + m)·inner + i].</summary>
    public static void Sum(ReadOnlySpan<float> x, int outer, int mid, int inner, Span<float> y, float scale = 1f)
    {
        if (x.Length != (long)outer * mid * inner || y.Length != mid)
            throw new ArgumentException($"summing [{outer},{mid},{inner}] into [{mid}] needs {(long)outer * mid * inner} and {mid} values, got {x.Length} and {y.Length}");
        fixed (float* px = x)
            for (int m = 0; m < mid; m++)
            {
                double acc = 0;   // a long sum (N·H·W terms): each block in float lanes, the blocks in double
                for (int o = 0; o < outer; o++) acc += BlockSum(px + ((long)o * mid + m) * inner, inner);
                y[m] = (float)(acc * scale);
            }
    }

    /// <summary>
    /// Σ p[0..count) with four independent vector accumulators at the widest accelerated width
    /// (a direct loop: this runs per plane, often on short planes).
    /// </summary>
    private static unsafe float BlockSum(float* p, int count)
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= count - 64; i += 64)
            {
                a0 += Vector512.Load(p + i);
                a1 += Vector512.Load(p + i + 16);
                a2 += Vector512.Load(p + i + 32);
                a3 += Vector512.Load(p + i + 48);
            }
            for (; i <= count - 16; i += 16) a0 += Vector512.Load(p + i);
            sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= count - 32; i += 32)
            {
                a0 += Vector256.Load(p + i);
                a1 += Vector256.Load(p + i + 8);
                a2 += Vector256.Load(p + i + 16);
                a3 += Vector256.Load(p + i + 24);
            }
            for (; i <= count - 8; i += 8) a0 += Vector256.Load(p + i);
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector128.IsHardwareAccelerated && count >= 4)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= count - 16; i += 16)
            {
                a0 += Vector128.Load(p + i);
                a1 += Vector128.Load(p + i + 4);
                a2 += Vector128.Load(p + i + 8);
                a3 += Vector128.Load(p + i + 12);
            }
            for (; i <= count - 4; i += 4) a0 += Vector128.Load(p + i);
            sum = Vector128.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < count; i++) sum += p[i];
        return sum;
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
