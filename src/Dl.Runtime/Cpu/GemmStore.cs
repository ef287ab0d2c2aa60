using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dl.Cpu;

/// <summary>
/// The epilogue, fused into the store of each micro-tile: v = (accumulate ? c : 0) + tile; then, on
/// the last block of k only, v += bias[j]; v = act(v); v *= step(mask[i, j]). With AVX-512 a row
/// of the tile is stored 16 columns at a time, the last partial vector through a lane mask (masked
/// loads and stores never touch memory past the matrix), so a narrow output layer (n = 10) costs
/// the same few instructions as a full one.
/// </summary>
internal static unsafe class GemmStore
{
    /// <summary>Stores rows x cols of a row-major tile (row stride tileStride) into C at (i, j).</summary>
    public static void Tile(float* tile, int tileStride, in GemmJob job, int i, int j, int rows, int cols, bool accumulate, bool last)
    {
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported)
        {
            TileScalar(tile, tileStride, in job, i, j, rows, cols, accumulate, last);
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
                if (last) v = Finish(v, bias == null ? default : Vector512.Load(bias + q), in job, m == null ? default : Vector512.Load(m + q));
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
                    v = Finish(v, b, in job, mk);
                }
                Avx512F.MaskStore(c + q, lanes, v);
            }
        }
    }

    /// <summary>Bias (already loaded, zero when there is none), activation, then the ReLU mask when there is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> v, Vector512<float> bias, in GemmJob job, Vector512<float> mask)
    {
        if (job.Bias != null) v += bias;
        v = job.Activation switch
        {
            GemmActivation.Relu => Vector512.Max(v, Vector512<float>.Zero),
            GemmActivation.Sigmoid => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-v)),
            // tanh(x) = 1 - 2/(exp(2x)+1): saturates to ±1 where exp overflows or vanishes.
            GemmActivation.Tanh => Vector512<float>.One - Vector512.Create(2f) / (Vector512.Exp(v + v) + Vector512<float>.One),
            _ => v,
        };
        if (job.Mask != null) v = Vector512.ConditionalSelect(Vector512.GreaterThan(mask, Vector512<float>.Zero), v, Vector512<float>.Zero);
        return v;
    }

    /// <summary>The same store one element at a time (CPUs without AVX-512).</summary>
    private static void TileScalar(float* tile, int tileStride, in GemmJob job, int i, int j, int rows, int cols, bool accumulate, bool last)
    {
        for (int r = 0; r < rows; r++)
        {
            float* c = job.C + (long)(i + r) * job.Ldc + j;
            for (int q = 0; q < cols; q++)
            {
                float v = tile[r * tileStride + q] + (accumulate ? c[q] : 0f);
                if (last) v = Finish(v, in job, i + r, j + q);
                c[q] = v;
            }
        }
    }

    /// <summary>The epilogue for one element (bias, activation, mask).</summary>
    public static float Finish(float v, in GemmJob job, int i, int j)
    {
        if (job.Bias != null) v += job.Bias[j];
        v = job.Activation switch
        {
            GemmActivation.Relu => MathF.Max(v, 0f),
            GemmActivation.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            GemmActivation.Tanh => MathF.Tanh(v),
            _ => v,
        };
        if (job.Mask != null && !(job.Mask[(long)i * job.LdMask + j] > 0f)) v = 0f;
        return v;
    }

    /// <summary>k = 0: C = epilogue(accumulate ? C : 0).</summary>
    public static void EpilogueOnly(in GemmJob job)
    {
        for (int i = 0; i < job.M; i++)
            for (int j = 0; j < job.N; j++)
            {
                float* c = job.C + (long)i * job.Ldc + j;
                *c = Finish(job.Accumulate ? *c : 0f, in job, i, j);
            }
    }

    /// <summary>C holds plain products (rows [i0, i1)); apply the epilogue in place, 16 columns at a time.</summary>
    public static void EpilogueInPlace(in GemmJob job, int i0, int i1)
    {
        if (job.Bias == null && job.Activation == GemmActivation.None && job.Mask == null) return;
        // Rows of up to 32 columns go through the tile store with C as its own source.
        for (int i = i0; i < i1; i++)
            for (int j = 0; j < job.N; j += GemmKernel.NR)
                Tile(job.C + (long)i * job.Ldc + j, GemmKernel.NR, in job, i, j, 1, Math.Min(GemmKernel.NR, job.N - j), false, true);
    }
}
