using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// The micro-kernels: a 6 x 32 tile of C fed per step by vector loads of B and six broadcasts of A,
/// written once (<see cref="Product"/>, generic over the width) as six rows x two vectors with twelve
/// accumulators: with AVX-512 one call covers the 32 columns; with AVX2 two (6 x 16 halves); with
/// 128-bit vectors (SSE, ARM64 NEON) four 6 x 8 quarter-panels, twelve accumulators of the 16 xmm
/// registers. A 6 x 16 variant serves narrow products (n ≤ 16, the output layer of a classifier):
/// at AVX-512 one vector per row over two k-chains, narrower as the same 6-row kernel on 16 columns.
/// On x86 with AVX but not AVX2 (DOTNET_EnableAVX2=0 included) .NET accelerates only Vector128, but
/// AVX's 256-bit float math is there: the halves run on it (<see cref="W256Avx"/>, multiply + add).
/// Plain scalar code is left only for machines without SIMD. Twelve independent chains cover the FMA
/// latency of two pipes. The product lands in a stack tile and goes through the epilogue
/// (<see cref="GemmStore"/>) into C.
/// </summary>
// The stack tile is written whole by the product before the store reads it: without SkipLocalsInit
// every tile call zeroed its 768 bytes first (ClearWithoutReferences, 29 % of a k = 28 product).
[System.Runtime.CompilerServices.SkipLocalsInit]
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
        int tileStride = NR;
        bool direct = false;
        // A whole tile of a plain product (no epilogue, nothing to add to) goes straight into C: the copy
        // through the stack tile cost a weight gradient (k = 64) 5 % of its time.
        if (rows == MR && cols == NR && !accumulate && job.Bias == null && job.Mask == null && typeof(TAct) == typeof(Identity))
        {
            tile = job.C + (long)i * job.Ldc + j;
            tileStride = job.Ldc;
            direct = true;
        }
        // Rows past the matrix's end re-read its last row (in bounds); the store drops them.
        float* a1 = a + Math.Min(1, rows - 1) * aRow, a2 = a + Math.Min(2, rows - 1) * aRow, a3 = a + Math.Min(3, rows - 1) * aRow;
        float* a4 = a + Math.Min(4, rows - 1) * aRow, a5 = a + Math.Min(5, rows - 1) * aRow;
        // Column blocks past cols are not computed (their tile columns are never stored).
        if (Vector512.IsHardwareAccelerated) Product<W512, Vector512<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile, tileStride);
        else if (Vector256.IsHardwareAccelerated)
            for (int q = 0; q < cols; q += 16) Product<W256, Vector256<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b + q, bStep, tile + q, tileStride);
        else if (Avx.IsSupported)   // x86 without AVX2: AVX's 256-bit multiply and add (1.4-2x the Vector128 kernel)
            for (int q = 0; q < cols; q += 16) Product<W256Avx, Vector256<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b + q, bStep, tile + q, tileStride);
        else if (Vector128.IsHardwareAccelerated)
            for (int q = 0; q < cols; q += 8) Product<W128, Vector128<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b + q, bStep, tile + q, tileStride);
        else ProductScalar(kc, a, aRow, aStep, b, bStep, tile, tileStride, rows, cols);
        if (!direct) GemmStore.Tile(tile, NR, in job, in act, i, j, rows, cols, accumulate, last);
    }

    /// <summary>
    /// The narrow tile: C[i.., j..] (rows x cols, at most 6 x 16) (+)= A·B, B at step p being the 16
    /// floats at b + p·bStep (16 columns of which the first cols count); A is addressed as in <see cref="Tile"/>.
    /// </summary>
    public static void NarrowTile<TAct>(int kc, float* a, long aRow, long aStep, float* b, long bStep, in GemmJob job, in TAct act, int i, int j, int rows, int cols, bool accumulate, bool last)
        where TAct : struct, IUnaryOperator
    {
        float* tile = stackalloc float[MR * NarrowNR];
        float* a1 = a + Math.Min(1, rows - 1) * aRow, a2 = a + Math.Min(2, rows - 1) * aRow, a3 = a + Math.Min(3, rows - 1) * aRow;
        float* a4 = a + Math.Min(4, rows - 1) * aRow, a5 = a + Math.Min(5, rows - 1) * aRow;
        if (Vector512.IsHardwareAccelerated) Product16(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile);
        else if (Vector256.IsHardwareAccelerated) Product<W256, Vector256<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile, NarrowNR);
        else if (Avx.IsSupported) Product<W256Avx, Vector256<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b, bStep, tile, NarrowNR);
        else if (Vector128.IsHardwareAccelerated)
            for (int q = 0; q < cols; q += 8) Product<W128, Vector128<float>>(kc, a, a1, a2, a3, a4, a5, aStep, b + q, bStep, tile + q, NarrowNR);
        else ProductScalar(kc, a, aRow, aStep, b, bStep, tile, NarrowNR, rows, cols);
        GemmStore.Tile(tile, NarrowNR, in job, in act, i, j, rows, cols, accumulate, last);
    }

    /// <summary>
    /// 2·Lanes columns of the tile (row r at tile + r·tileStride) = A·B over kc steps, B's columns at bp:
    /// six rows x two vectors, twelve accumulators (of 32 zmm/ymm registers, or 16 xmm under SSE: with
    /// the two B vectors and the broadcast, 15). One body for every width; a0..a5 walk A's rows by aStep.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Product<TW, TV>(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, long aStep, float* bp, long bStep, float* tile, int tileStride)
        where TW : struct, ISimdWidth<TV> where TV : struct
    {
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        int w = TW.Lanes;
        for (int p = 0; p < kc; p++)
        {
            var b0 = TW.Load(bp);
            var b1 = TW.Load(bp + w);
            long o = p * aStep;
            var a = TW.SplatAt(a0 + o); c00 = TW.MulAdd(a, b0, c00); c01 = TW.MulAdd(a, b1, c01);
            a = TW.SplatAt(a1 + o); c10 = TW.MulAdd(a, b0, c10); c11 = TW.MulAdd(a, b1, c11);
            a = TW.SplatAt(a2 + o); c20 = TW.MulAdd(a, b0, c20); c21 = TW.MulAdd(a, b1, c21);
            a = TW.SplatAt(a3 + o); c30 = TW.MulAdd(a, b0, c30); c31 = TW.MulAdd(a, b1, c31);
            a = TW.SplatAt(a4 + o); c40 = TW.MulAdd(a, b0, c40); c41 = TW.MulAdd(a, b1, c41);
            a = TW.SplatAt(a5 + o); c50 = TW.MulAdd(a, b0, c50); c51 = TW.MulAdd(a, b1, c51);
            bp += bStep;
        }
        TW.Store(c00, tile); TW.Store(c01, tile + w); tile += tileStride;
        TW.Store(c10, tile); TW.Store(c11, tile + w); tile += tileStride;
        TW.Store(c20, tile); TW.Store(c21, tile + w); tile += tileStride;
        TW.Store(c30, tile); TW.Store(c31, tile + w); tile += tileStride;
        TW.Store(c40, tile); TW.Store(c41, tile + w); tile += tileStride;
        TW.Store(c50, tile); TW.Store(c51, tile + w);
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

    /// <summary>Without any SIMD: the tile one element at a time (correct, not fast).</summary>
    private static void ProductScalar(int kc, float* a, long aRow, long aStep, float* b, long bStep, float* tile, int tileStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r++) new Span<float>(tile + r * tileStride, cols).Clear();
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < rows; r++)
            {
                float x = a[r * aRow + p * aStep];
                for (int q = 0; q < cols; q++) tile[r * tileStride + q] += x * b[p * bStep + q];
            }
    }
}
