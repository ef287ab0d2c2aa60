using System;

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
                for (; t < whole; t += MR, d += (long)kc * MR)
                {
                    d[0] = src[t]; d[1] = src[t + 1]; d[2] = src[t + 2];
                    d[3] = src[t + 3]; d[4] = src[t + 4]; d[5] = src[t + 5];
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
                // Stored n x k: column j of op(B) is a contiguous row of storage, read once and
                // scattered down the panel with stride width.
                for (int q = 0; q < width; q++)
                {
                    float* d = panel + q;
                    if (q >= cols) { for (int p = 0; p < kc; p++) d[p * width] = 0f; continue; }
                    float* src = job.B + (long)(jc + jr + q) * job.Ldb + pc;
                    for (int p = 0; p < kc; p++) d[p * width] = src[p];
                }
            }
        }
    }
}
