using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// The micro-kernels: a 6 x 32 tile of C (12 AVX-512 accumulators, 6 rows x 2 vectors of 16) fed
/// per step by two vector loads of B and six broadcasts of A; a 6 x 16 variant for narrow products
/// (n ≤ 16, the output layer of a classifier); and, without AVX-512, the same 6 x 32 tile done as
/// two 6 x 16 halves of Vector256 (12 accumulators of 16 ymm registers), then plain scalar code.
/// Twelve independent FMA chains cover the FMA latency of two pipes. The product lands in a stack
/// tile and goes through the epilogue (<see cref="GemmStore"/>) into C.
/// </summary>
internal static unsafe class GemmKernel
{
    public const int MR = 6, NR = 32, NarrowNR = 16;

    /// <summary>
    /// C[i.., j..] (rows x cols, at most 6 x 32) (+)= A·B over kc steps, then the epilogue when
    /// <paramref name="last"/>. Row r of A at step p is a[r·aRow + p·aStep], so A is read in place
    /// (plain: aRow = lda, aStep = 1; transposed: aRow = 1, aStep = lda) or from a packed panel
    /// (aRow = 1, aStep = 6). B at step p is the 32 floats at b + p·bStep (a packed panel, or B itself
    /// when its rows are contiguous and whole); columns past cols may hold anything, they are dropped.
    /// </summary>
    public static void Tile<TAct>(int kc, float* a, long aRow, long aStep, float* b, long bStep, in GemmJob job, in TAct act, int i, int j, int rows, int cols, bool accumulate, bool last)
        where TAct : struct, IUnaryOperator
    {
        // The product lands in a stack tile: keeping the loop in its own call-free method lets the JIT
        // hold all twelve accumulators in registers (with the stores inline it spilled them every step).
        float* tile = stackalloc float[MR * NR];
        // Rows past the matrix's end re-read its last row (in bounds); the store drops them.
        float* a1 = a + Math.Min(1, rows - 1) * aRow, a2 = a + Math.Min(2, rows - 1) * aRow, a3 = a + Math.Min(3, rows - 1) * aRow;
        float* a4 = a + Math.Min(4, rows - 1) * aRow, a5 = a + Math.Min(5, rows - 1) * aRow;
        if (Vector512.IsHardwareAccelerated) Product512(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile);
        else if (Vector256.IsHardwareAccelerated)
        {
            Product256(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile);
            if (cols > 16) Product256(kc, a, a1, a2, a3, a4, a5, aStep, b + 16, bStep, tile + 16);
        }
        else ProductScalar(kc, a, aRow, aStep, b, bStep, tile, rows, cols);
        GemmStore.Tile(tile, NR, in job, in act, i, j, rows, cols, accumulate, last);
    }

    /// <summary>
    /// The narrow tile: C[i.., j..] (rows x cols, at most 6 x 16) (+)= A·B, B at step p being the 16
    /// floats at b + p·bStep. AVX-512 only (the caller checks); A is addressed as in <see cref="Tile"/>.
    /// </summary>
    public static void NarrowTile<TAct>(int kc, float* a, long aRow, long aStep, float* b, long bStep, in GemmJob job, in TAct act, int i, int j, int rows, int cols, bool accumulate, bool last)
        where TAct : struct, IUnaryOperator
    {
        float* tile = stackalloc float[MR * NarrowNR];
        float* a1 = a + Math.Min(1, rows - 1) * aRow, a2 = a + Math.Min(2, rows - 1) * aRow, a3 = a + Math.Min(3, rows - 1) * aRow;
        float* a4 = a + Math.Min(4, rows - 1) * aRow, a5 = a + Math.Min(5, rows - 1) * aRow;
        Product16(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile);
        GemmStore.Tile(tile, NarrowNR, in job, in act, i, j, rows, cols, accumulate, last);
    }

    /// <summary>tile (6 x 32, row-major) = A·B over kc steps; a0..a5 walk the six rows of A by aStep.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Product512(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, long aStep, float* bp, long bStep, float* tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            long o = p * aStep;
            var a = Vector512.Create(a0[o]); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(a1[o]); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(a2[o]); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(a3[o]); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(a4[o]); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(a5[o]); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            bp += bStep;
        }
        c00.Store(tile + 0); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
    }

    /// <summary>
    /// tile (6 x 16) = A·B with one vector per row: six chains would wait on the FMA latency, so even
    /// and odd steps go to separate accumulators (twelve chains) and are added at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Product16(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, long aStep, float* bp, long bStep, float* tile)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default;
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + bStep);
            long o = p * aStep, q = o + aStep;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[o]), b0, c0); d0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[q]), b1, d0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[o]), b0, c1); d1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[q]), b1, d1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[o]), b0, c2); d2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[q]), b1, d2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[o]), b0, c3); d3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[q]), b1, d3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[o]), b0, c4); d4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[q]), b1, d4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[o]), b0, c5); d5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[q]), b1, d5);
            bp += 2 * bStep;
        }
        if (p < kc)
        {
            var b0 = Vector512.Load(bp);
            long o = p * aStep;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[o]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[o]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[o]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[o]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[o]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[o]), b0, c5);
        }
        (c0 + d0).Store(tile); (c1 + d1).Store(tile + 16); (c2 + d2).Store(tile + 32);
        (c3 + d3).Store(tile + 48); (c4 + d4).Store(tile + 64); (c5 + d5).Store(tile + 80);
    }

    /// <summary>Without AVX-512: 16 columns of the 6 x 32 tile (row stride 32) with Vector256, 12 accumulators.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Product256(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, long aStep, float* bp, long bStep, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            long o = p * aStep;
            var a = Vector256.Create(a0[o]); c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
            a = Vector256.Create(a1[o]); c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
            a = Vector256.Create(a2[o]); c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
            a = Vector256.Create(a3[o]); c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
            a = Vector256.Create(a4[o]); c40 = Vector256.FusedMultiplyAdd(a, b0, c40); c41 = Vector256.FusedMultiplyAdd(a, b1, c41);
            a = Vector256.Create(a5[o]); c50 = Vector256.FusedMultiplyAdd(a, b0, c50); c51 = Vector256.FusedMultiplyAdd(a, b1, c51);
            bp += bStep;
        }
        c00.Store(tile + 0); c01.Store(tile + 8); c10.Store(tile + 32); c11.Store(tile + 40);
        c20.Store(tile + 64); c21.Store(tile + 72); c30.Store(tile + 96); c31.Store(tile + 104);
        c40.Store(tile + 128); c41.Store(tile + 136); c50.Store(tile + 160); c51.Store(tile + 168);
    }

    /// <summary>Without any SIMD: the tile one element at a time (correct, not fast).</summary>
    private static void ProductScalar(int kc, float* a, long aRow, long aStep, float* b, long bStep, float* tile, int rows, int cols)
    {
        new Span<float>(tile, MR * NR).Clear();
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < rows; r++)
            {
                float x = a[r * aRow + p * aStep];
                for (int q = 0; q < cols; q++) tile[r * NR + q] += x * b[p * bStep + q];
            }
    }
}
