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
    /// time at AVX-512 (32 at 256 bits, 16 at 128) in registers, so x is read once and dst written once (a bias gradient of a [64, 128]
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
        if (!Vector128.IsHardwareAccelerated)
        {
            for (int o = 0; o < outer; o++) RowsAdded(x.Slice((int)(o * slice), (int)slice), reduce, inner, dst.Slice(o * inner, inner), scale, accumulate);
            return;
        }
        fixed (float* px = x, pd = dst)
            for (int o = 0; o < outer; o++)
            {
                float* xs = px + o * slice, d = pd + (long)o * inner;
                if (Vector512.IsHardwareAccelerated) Dl.Cpu.Columns<Dl.Cpu.W512, Vector512<float>>.Sums(xs, reduce, inner, d, scale, accumulate);
                else if (Vector256.IsHardwareAccelerated) Dl.Cpu.Columns<Dl.Cpu.W256, Vector256<float>>.Sums(xs, reduce, inner, d, scale, accumulate);
                else Dl.Cpu.Columns<Dl.Cpu.W128, Vector128<float>>.Sums(xs, reduce, inner, d, scale, accumulate);
            }
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

    /// <summary>Without SIMD: the rows of a [reduce, inner] slice added one by one with TensorPrimitives.</summary>
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

