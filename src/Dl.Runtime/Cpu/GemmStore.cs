using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// The epilogue, fused into the store of each micro-tile: v = (accumulate ? c : 0) + tile; then, on
/// the last block of k only, v += bias[j]; v = act(v); v *= step(mask[i, j]). The activation is an
/// operator struct (the type argument TAct of each method), so any unary op fuses and the JIT compiles one
/// store per operator. With AVX-512 a row of the tile is stored 16 columns at a time, the last partial
/// vector through a lane mask (masked loads and stores never touch memory past the matrix), so a
/// narrow output layer (n = 10) costs the same few instructions as a full one; without it, 8 or 4
/// columns at a time (Vector256, Vector128) and the rest one by one, all through the same operator,
/// whose widths agree bit for bit.
/// </summary>
internal static unsafe class GemmStore
{
    /// <summary>Stores rows x cols of a row-major tile (row stride tileStride) into C at (i, j).</summary>
    public static void Tile<TAct>(float* tile, int tileStride, in GemmJob job, in TAct act, int i, int j, int rows, int cols, bool accumulate, bool last)
        where TAct : struct, IUnaryOperator
    {
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported)
        {
            TileNarrower(tile, tileStride, in job, in act, i, j, rows, cols, accumulate, last);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * tileStride;
            float* c = job.C + (long)(i + r) * job.Ldc + j;
            float* m = job.Mask == null ? null : job.Mask + (long)(i + r) * job.LdMask + j;
            float* bias = job.Bias == null ? null : job.Bias + j;
            int q = 0;
            for (; q + 16 <= cols; q += 16)
            {
                var v = Vector512.Load(t + q);
                if (accumulate) v += Vector512.Load(c + q);
                if (last) v = Finish(v, bias == null ? default : Vector512.Load(bias + q), in job, in act, m == null ? default : Vector512.Load(m + q));
                v.Store(c + q);
            }
            if (q < cols)
            {
                // Lanes [0, cols - q) are real; the others are neither loaded nor stored.
                var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols - q)).AsSingle();
                var v = Vector512.Load(t + q);
                if (accumulate) v += Avx512F.MaskLoad(c + q, lanes, Vector512<float>.Zero);
                if (last)
                {
                    var b = bias == null ? default : Avx512F.MaskLoad(bias + q, lanes, Vector512<float>.Zero);
                    var mk = m == null ? default : Avx512F.MaskLoad(m + q, lanes, Vector512<float>.Zero);
                    v = Finish(v, b, in job, in act, mk);
                }
                Avx512F.MaskStore(c + q, lanes, v);
            }
        }
    }

    /// <summary>Bias (already loaded, zero when there is none), activation, then the ReLU mask when there is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish<TAct>(Vector512<float> v, Vector512<float> bias, in GemmJob job, in TAct act, Vector512<float> mask)
        where TAct : struct, IUnaryOperator
    {
        if (job.Bias != null) v += bias;
        v = act.Invoke(v);
        if (job.Mask != null) v = Vector512.ConditionalSelect(Vector512.GreaterThan(mask, Vector512<float>.Zero), v, Vector512<float>.Zero);
        return v;
    }

    /// <summary>The store without AVX-512: 8 columns at a time with Vector256, else 4 with Vector128, then one by one.</summary>
    private static void TileNarrower<TAct>(float* tile, int tileStride, in GemmJob job, in TAct act, int i, int j, int rows, int cols, bool accumulate, bool last)
        where TAct : struct, IUnaryOperator
    {
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * tileStride;
            float* c = job.C + (long)(i + r) * job.Ldc + j;
            float* m = job.Mask == null ? null : job.Mask + (long)(i + r) * job.LdMask + j;
            float* bias = job.Bias == null ? null : job.Bias + j;
            int q = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; q + 8 <= cols; q += 8)
                {
                    var v = Vector256.Load(t + q);
                    if (accumulate) v += Vector256.Load(c + q);
                    if (last)
                    {
                        if (bias != null) v += Vector256.Load(bias + q);
                        v = act.Invoke(v);
                        if (m != null) v = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(m + q), Vector256<float>.Zero), v, Vector256<float>.Zero);
                    }
                    v.Store(c + q);
                }
            else if (Vector128.IsHardwareAccelerated)
                for (; q + 4 <= cols; q += 4)
                {
                    var v = Vector128.Load(t + q);
                    if (accumulate) v += Vector128.Load(c + q);
                    if (last)
                    {
                        if (bias != null) v += Vector128.Load(bias + q);
                        v = act.Invoke(v);
                        if (m != null) v = Vector128.ConditionalSelect(Vector128.GreaterThan(Vector128.Load(m + q), Vector128<float>.Zero), v, Vector128<float>.Zero);
                    }
                    v.Store(c + q);
                }
            for (; q < cols; q++)
            {
                float v = t[q] + (accumulate ? c[q] : 0f);
                if (last) v = Finish(v, in job, in act, i + r, j + q);
                c[q] = v;
            }
        }
    }

    /// <summary>The epilogue for one element (bias, activation, mask).</summary>
    public static float Finish<TAct>(float v, in GemmJob job, in TAct act, int i, int j) where TAct : struct, IUnaryOperator
    {
        if (job.Bias != null) v += job.Bias[j];
        v = act.Invoke(v);
        if (job.Mask != null && !(job.Mask[(long)i * job.LdMask + j] > 0f)) v = 0f;
        return v;
    }

    /// <summary>k = 0: C = epilogue(accumulate ? C : 0).</summary>
    public static void EpilogueOnly<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        for (int i = 0; i < job.M; i++)
            for (int j = 0; j < job.N; j++)
            {
                float* c = job.C + (long)i * job.Ldc + j;
                *c = Finish(job.Accumulate ? *c : 0f, in job, in act, i, j);
            }
    }

    /// <summary>C holds plain products (rows [i0, i1)); apply the epilogue in place, a vector at a time.</summary>
    public static void EpilogueInPlace<TAct>(in GemmJob job, in TAct act, int i0, int i1) where TAct : struct, IUnaryOperator
    {
        if (job.Bias == null && typeof(TAct) == typeof(Identity) && job.Mask == null) return;
        // Rows of up to 32 columns go through the tile store with C as its own source.
        for (int i = i0; i < i1; i++)
            for (int j = 0; j < job.N; j += GemmKernel.NR)
                Tile(job.C + (long)i * job.Ldc + j, GemmKernel.NR, in job, in act, i, j, 1, Math.Min(GemmKernel.NR, job.N - j), false, true);
    }
}
