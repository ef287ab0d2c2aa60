using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dl.Cpu;

/// <summary>
/// Copies blocks of A and B into the layouts the micro-kernel streams: contiguous, 64-byte aligned,
/// zero-padded to whole panels. Transposed operands are transposed here, block by block, while
/// copying; no transposed copy of a whole matrix is ever made.
/// </summary>
internal static unsafe class GemmPack
{
    private const int MR = GemmKernel.MR;

    /// <summary>
    /// Rows [i0, i0 + mc) and steps [pc, pc + kc) of op(A) as 6-row panels of kc·6 floats each
    /// (panel t at dst + t·kc for t = 0, 6, 12, ...), in whichever layout is a plain copy of the
    /// storage: A plain (m x k) packs each row's kc steps contiguously (row r at panel + r·kc: the
    /// kernel reads it with aRow = kc, aStep = 1); A transposed (k x m) packs each step's six rows
    /// contiguously (step p at panel + 6p: aRow = 1, aStep = 6). Either way the panel is one
    /// contiguous 6 KB run, free of the 4 KB aliasing of rows a power-of-two lda apart. Rows past
    /// mc are zero.
    /// </summary>
    public static void A(in GemmJob job, int i0, int mc, int pc, int kc, float* dst)
    {
        if (job.TransA)
        {
            // Stored k x m: storage row pc + p holds step p of every row. Read it once, contiguously,
            // dealing six values to each panel (row by row would re-read each line from L2 per panel).
            int whole = mc / MR * MR;
            for (int p = 0; p < kc; p++)
            {
                float* src = job.A + (long)(pc + p) * job.Lda + i0;
                float* d = dst + p * MR;
                int t = 0;
                // Four values as one 16-byte copy and two as one 8-byte copy: a copy, so the bits are the
                // same; against six scalar moves, an LSTM's weight gradient ([512, T·N]ᵀ) made the train step
                // 1.1 % faster at two threads and 2.1-2.3 % at one (in-process A/B, medians).
                for (; t < whole; t += MR, d += (long)kc * MR)
                {
                    Vector128.Store(Vector128.Load(src + t), d);
                    *(long*)(d + 4) = *(long*)(src + t + 4);
                }
                if (t < mc)
                    for (int r = 0; r < MR; r++) d[r] = t + r < mc ? src[t + r] : 0f;
            }
            return;
        }
        for (int t = 0; t < mc; t += MR)
        {
            int rows = Math.Min(MR, mc - t);
            for (int r = 0; r < MR; r++)
            {
                float* d = dst + (long)t * kc + (long)r * kc;
                if (r < rows) Buffer.MemoryCopy(job.A + (long)(i0 + t + r) * job.Lda + pc, d, (long)kc * sizeof(float), (long)kc * sizeof(float));
                else new Span<float>(d, kc).Clear();
            }
        }
    }

    /// <summary>
    /// Steps [pc, pc + kc) and columns [jc, jc + nc) of op(B) as panels of <paramref name="width"/>
    /// columns: panel t is kc x width row-major, columns past nc zero.
    /// </summary>
    public static void B(in GemmJob job, int pc, int kc, int jc, int nc, int width, float* dst)
    {
        for (int jr = 0; jr < nc; jr += width)
        {
            int cols = Math.Min(width, nc - jr);
            float* panel = dst + (long)jr * kc;   // jr is a multiple of width: panel jr/width starts at jr·kc
            if (!job.TransB)
            {
                float* src = job.B + (long)pc * job.Ldb + jc + jr;
                for (int p = 0; p < kc; p++, src += job.Ldb)
                {
                    float* d = panel + p * width;
                    if (cols == width) Buffer.MemoryCopy(src, d, width * sizeof(float), width * sizeof(float));
                    else
                    {
                        int q = 0;
                        for (; q < cols; q++) d[q] = src[q];
                        for (; q < width; q++) d[q] = 0f;
                    }
                }
            }
            else
            {
                // Stored n x k: column j of op(B) is a contiguous row of storage. Eight columns by eight
                // steps at a time go through an in-register transpose (eight loads, 24 shuffles, eight
                // stores against 128 scalar moves: an RNN step packs its [4H, H] recurrent weight on
                // every call); the rest is read once and scattered down the panel with stride width.
                float* first = job.B + (long)(jc + jr) * job.Ldb + pc;
                int q0 = 0, blockedSteps = 0;
                if (Avx.IsSupported)
                {
                    blockedSteps = kc / 8 * 8;
                    for (; q0 + 8 <= cols; q0 += 8)
                        for (int p = 0; p < blockedSteps; p += 8)
                            Transpose8x8(first + (long)q0 * job.Ldb + p, job.Ldb, panel + (long)p * width + q0, width);
                }
                for (int q = 0; q < width; q++)
                {
                    float* d = panel + q;
                    if (q >= cols) { for (int p = 0; p < kc; p++) d[p * width] = 0f; continue; }
                    float* src = first + (long)q * job.Ldb;
                    for (int p = q < q0 ? blockedSteps : 0; p < kc; p++) d[p * width] = src[p];
                }
            }
        }
    }

    /// <summary>
    /// dst[j·ldd + i] = src[i·lds + j] for an 8 x 8 block (AVX): rows interleaved in pairs, then pairs of pairs,
    /// then 128-bit halves exchanged, the classic three-stage transpose.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, long lds, float* dst, long ldd)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds); var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds); var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds); var r7 = Avx.LoadVector256(src + 7 * lds);
        // t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], and so on.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        // u0 = r0[0] r1[0] r2[0] r3[0] | r0[4] r1[4] r2[4] r3[4]: column 0 (and 4) of rows 0-3.
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // Low halves of rows 0-3 with low halves of rows 4-7 give columns 0-3; high halves columns 4-7.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20)); Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20)); Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31)); Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31)); Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
