using System;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Dl.Cpu;

/// <summary>
/// Sums over one axis and their transpose, broadcasts along it. The input is viewed as a row-major
/// contiguous [outer, reduce, inner] array: reducing axis k of any shape is outer = the product of
/// the sizes before k, reduce = size k, inner = the product after. Spans may be longer than the view
/// (arena slices); extra values are not touched. Nothing is allocated.
/// </summary>
public static partial class Reduce
{
    /// <summary>
    /// dst[o, i] = (accumulate ? dst[o, i] : 0) + scale · Σ_r x[o, r, i], for x of [outer, reduce, inner]
    /// and dst of [outer, inner]. inner == 1 is a row sum (<see cref="TensorPrimitives.Sum{T}(ReadOnlySpan{T})"/>
    /// per row); otherwise the reduce rows of each outer slice are added column-wise, 64 columns at a
    /// time in registers, so x is read once and dst written once (a bias gradient of a [64, 128]
    /// matrix is outer = 1, reduce = 64, inner = 128).
    /// </summary>
    public static unsafe void Sum(ReadOnlySpan<float> x, int outer, int reduce, int inner, Span<float> dst, float scale = 1f, bool accumulate = false)
    {
        CheckView(x.Length, outer, reduce, inner, nameof(x));
        Require.Matrix(dst.Length, outer, inner, nameof(dst));
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                float s = scale * TensorPrimitives.Sum(x.Slice(o * reduce, reduce));
                dst[o] = accumulate ? dst[o] + s : s;
            }
            return;
        }
        long slice = (long)reduce * inner;
        if (!Vector512.IsHardwareAccelerated)
        {
            for (int o = 0; o < outer; o++) RowsAdded(x.Slice((int)(o * slice), (int)slice), reduce, inner, dst.Slice(o * inner, inner), scale, accumulate);
            return;
        }
        fixed (float* px = x, pd = dst)
            for (int o = 0; o < outer; o++) ColumnSums(px + o * slice, reduce, inner, pd + (long)o * inner, scale, accumulate);
    }

    /// <summary>
    /// The transpose of <see cref="Sum"/>: dst[o, r, i] = scale · x[o, i] for x of [outer, inner]
    /// and dst of [outer, reduce, inner] (x copied along the reduce axis).
    /// </summary>
    public static void Broadcast(ReadOnlySpan<float> x, int outer, int reduce, int inner, Span<float> dst, float scale = 1f)
    {
        Require.NonNegative(outer, nameof(outer));
        Require.NonNegative(reduce, nameof(reduce));
        Require.NonNegative(inner, nameof(inner));
        Require.Matrix(x.Length, outer, inner, nameof(x));
        Require.Array3(dst.Length, outer, reduce, inner, nameof(dst));
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1) { dst.Slice(o * reduce, reduce).Fill(scale * x[o]); continue; }
            var src = x.Slice(o * inner, inner);
            for (int r = 0; r < reduce; r++)
            {
                var d = dst.Slice((o * reduce + r) * inner, inner);
                if (scale == 1f) src.CopyTo(d);
                else TensorPrimitives.Multiply(src, scale, d);
            }
        }
    }

    /// <summary>Column sums of one [reduce, inner] slice with AVX-512: 64, then 16 columns in registers, the last few scalar.</summary>
    private static unsafe void ColumnSums(float* x, int reduce, int inner, float* d, float scale, bool accumulate)
    {
        int j = 0;
        for (; j + 64 <= inner; j += 64)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* p = x + j;
            for (int r = 0; r < reduce; r++, p += inner)
            {
                s0 += Vector512.Load(p);
                s1 += Vector512.Load(p + 16);
                s2 += Vector512.Load(p + 32);
                s3 += Vector512.Load(p + 48);
            }
            Store(s0, d + j, scale, accumulate);
            Store(s1, d + j + 16, scale, accumulate);
            Store(s2, d + j + 32, scale, accumulate);
            Store(s3, d + j + 48, scale, accumulate);
        }
        for (; j + 16 <= inner; j += 16)
        {
            // Two chains over alternate rows halve the wait on the add latency.
            Vector512<float> s0 = default, s1 = default;
            float* p = x + j;
            int r = 0;
            for (; r + 1 < reduce; r += 2, p += 2L * inner) { s0 += Vector512.Load(p); s1 += Vector512.Load(p + inner); }
            if (r < reduce) s0 += Vector512.Load(p);
            Store(s0 + s1, d + j, scale, accumulate);
        }
        for (; j < inner; j++)
        {
            float s = 0;
            for (int r = 0; r < reduce; r++) s += x[(long)r * inner + j];
            d[j] = accumulate ? d[j] + scale * s : scale * s;
        }
    }

    private static unsafe void Store(Vector512<float> sum, float* d, float scale, bool accumulate)
    {
        var v = sum * scale;
        if (accumulate) v += Vector512.Load(d);
        v.Store(d);
    }

    /// <summary>Without AVX-512: the rows of a [reduce, inner] slice added one by one with TensorPrimitives.</summary>
    private static void RowsAdded(ReadOnlySpan<float> x, int reduce, int inner, Span<float> d, float scale, bool accumulate)
    {
        if (!accumulate) d.Clear();
        for (int r = 0; r < reduce; r++) TensorPrimitives.MultiplyAdd(x.Slice(r * inner, inner), scale, d, d);
    }

    private static void CheckView(int length, int outer, int reduce, int inner, string name)
    {
        Require.NonNegative(outer, nameof(outer));
        Require.NonNegative(reduce, nameof(reduce));
        Require.NonNegative(inner, nameof(inner));
        Require.Array3(length, outer, reduce, inner, name);
    }
}
