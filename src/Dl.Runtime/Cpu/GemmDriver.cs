using System;
using System.Runtime.Intrinsics;

namespace Dl.Cpu;

/// <summary>
/// Blocking around <see cref="GemmKernel"/> (the Goto/BLIS loop nest), cut into chunks that threads
/// claim one by one. A product is a list of chunks: first the packing of B (when B needs packing:
/// transposed, ragged, narrow or with wide rows), a share of its panels each; then the computing of
/// C, a block of rows (or of columns, when there are few rows) each, over all of k. Inside a chunk:
/// for each KC block of k, for each MC block of rows (packed when the product is wide enough to pay
/// for it), for each 32-column panel of B (kept in L1), for each 6-row panel of A: one micro-tile.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Steps of k per block: a 256 x 32 panel of B is 32 KB, kept in L1 while the rows stream past it.</summary>
    public const int KC = 256;

    /// <summary>Rows of A per packed block: 96 x 256 floats (96 KB) stay in L2 across all panels of B.</summary>
    public const int MC = 96;

    /// <summary>
    /// Columns from which A is packed. Packing costs one copy of A per call; it pays once A is reused
    /// by enough panels of B (and it ends the 4 KB aliasing of in-place rows with power-of-two lda).
    /// Below it A is read in place: the MLP shapes (n = 128) run faster without the copy.
    /// </summary>
    public const int PackAColumns = 160;

    /// <summary>
    /// Leading dimension of B up to which an untransposed B (whole 32-column panels) is read in place
    /// instead of packed: short rows stay in cache lines the kernel uses whole; longer ones stride too far.
    /// </summary>
    public const int DirectLdb = 512;

    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    /// <summary>How a product is cut into chunks, and where its packed B lives.</summary>
    internal struct Plan
    {
        public int Width;           // columns per B panel: 32, or 16 for a narrow product
        public bool Narrow, PackA, DirectB;
        public float* PackedB;      // every KC block of op(B), panel by panel (when !DirectB)
        public long BlockStride;    // floats from one KC block of the packed B to the next
        public int Panels, KBlocks, PanelsPerPack, PackChunks;
        public bool ByColumns;      // compute chunks are column blocks (all rows) instead of row blocks (all columns)
        public int ChunkSize, ComputeChunks;
        public readonly int Chunks => PackChunks + ComputeChunks;
    }

    /// <summary>Runs the product on this thread, or spread over the worker pool when <paramref name="threads"/> &gt; 1 and the pool is free.</summary>
    public static void Run(in GemmJob job, int threads)
    {
        if (job.M < MR && !job.TransB && !job.Accumulate && Vector512.IsHardwareAccelerated)
        {
            GemmSmall.Rows(in job);   // a few rows (batch-1 inference): stream B's rows, no packing
            return;
        }
        var plan = MakePlan(in job, threads);
        if (threads > 1 && plan.Chunks > 1 && GemmPool.TryRun(in job, ref plan, threads)) return;
        if (!plan.DirectB) plan.PackedB = GemmScratch.ForB.Get(plan.BlockStride * plan.KBlocks);
        for (int c = 0; c < plan.Chunks; c++) RunChunk(in job, in plan, c);
    }

    public static Plan MakePlan(in GemmJob job, int threads)
    {
        var p = new Plan();
        p.Narrow = job.N <= GemmKernel.NarrowNR && Vector512.IsHardwareAccelerated;
        p.Width = p.Narrow ? GemmKernel.NarrowNR : NR;
        p.PackA = !p.Narrow && job.N >= PackAColumns;
        // B is read in place when its rows are contiguous and every panel is whole (the weights of a
        // forward pass); wide rows are packed anyway: a 4 KB stride between steps aliases in L1 and the TLB.
        p.DirectB = !p.Narrow && !job.TransB && job.N % NR == 0 && (job.Ldb <= DirectLdb || job.M < 256);
        p.Panels = (job.N + p.Width - 1) / p.Width;
        p.KBlocks = (job.K + KC - 1) / KC;
        if (!p.DirectB)
        {
            p.BlockStride = (long)Math.Min(KC, job.K) * p.Panels * p.Width;
            // A few chunks per thread and block, so a late thread still finds packing to share.
            p.PanelsPerPack = threads > 1 ? Math.Max(1, p.Panels / (2 * threads)) : p.Panels;
            p.PackChunks = p.KBlocks * ((p.Panels + p.PanelsPerPack - 1) / p.PanelsPerPack);
        }
        // Few rows and several panels: split the columns (every chunk then reuses its B panels over
        // all rows); otherwise blocks of rows (each packs or reads its own rows of A once).
        p.ByColumns = threads > 1 && !p.PackA && job.M <= 2 * MC && p.Panels >= 2 * threads;
        if (p.ByColumns)
        {
            p.ChunkSize = p.Width * Math.Max(1, p.Panels / (4 * threads));
            p.ComputeChunks = (job.N + p.ChunkSize - 1) / p.ChunkSize;
        }
        else
        {
            // Row blocks of MC, smaller when that leaves too few to balance between threads.
            int rows = threads > 1 ? Math.Min(MC, RoundUp((job.M + 3 * threads - 1) / (3 * threads), MR)) : job.M;
            p.ChunkSize = Math.Max(MR, rows);
            p.ComputeChunks = (job.M + p.ChunkSize - 1) / p.ChunkSize;
        }
        return p;
    }

    /// <summary>Chunk c of the plan: packing a share of B, or computing a block of C (after all packing is done).</summary>
    public static void RunChunk(in GemmJob job, in Plan plan, int c)
    {
        if (c < plan.PackChunks)
        {
            int perBlock = (plan.Panels + plan.PanelsPerPack - 1) / plan.PanelsPerPack;
            int block = c / perBlock, first = c % perBlock * plan.PanelsPerPack;
            int pc = block * KC, kc = Math.Min(KC, job.K - pc);
            int j0 = first * plan.Width, nc = Math.Min(plan.PanelsPerPack * plan.Width, job.N - j0);
            GemmPack.B(in job, pc, kc, j0, nc, plan.Width, plan.PackedB + block * plan.BlockStride + (long)j0 * kc);
            return;
        }
        c -= plan.PackChunks;
        if (plan.ByColumns)
        {
            int j0 = c * plan.ChunkSize;
            Compute(in job, in plan, 0, job.M, j0, Math.Min(job.N, j0 + plan.ChunkSize));
        }
        else
        {
            int i0 = c * plan.ChunkSize;
            Compute(in job, in plan, i0, Math.Min(job.M, i0 + plan.ChunkSize), 0, job.N);
        }
    }

    /// <summary>C[i0..i1, j0..j1] over all of k; j0 is a multiple of the panel width.</summary>
    private static void Compute(in GemmJob job, in Plan plan, int i0, int i1, int j0, int j1)
    {
        int width = plan.Width;
        for (int pc = 0, block = 0; pc < job.K; pc += KC, block++)
        {
            int kc = Math.Min(KC, job.K - pc);
            bool accumulate = pc > 0 || job.Accumulate, last = pc + kc == job.K;
            // Where panel jr/width of this block starts, how far apart its steps are, and its panels.
            float* b = plan.DirectB ? job.B + (long)pc * job.Ldb + j0 : plan.PackedB + block * plan.BlockStride + (long)j0 * kc;
            long bStep = plan.DirectB ? job.Ldb : width, panelStride = plan.DirectB ? width : (long)kc * width;
            for (int ic = i0; ic < i1; ic += MC)
            {
                int mc = Math.Min(MC, i1 - ic);
                // A's rows: a packed 6-row panel per tile (aRow 1, aStep 6, tiles kc·6 apart), or in place.
                float* a; long aRow, aStep, tileStride;
                if (plan.PackA)
                {
                    a = GemmScratch.ForA.Get((long)RoundUp(mc, MR) * kc);
                    GemmPack.A(in job, ic, mc, pc, kc, a);
                    aRow = job.TransA ? 1 : kc; aStep = job.TransA ? MR : 1; tileStride = (long)kc * MR;
                }
                else
                {
                    aRow = job.TransA ? 1 : job.Lda; aStep = job.TransA ? job.Lda : 1;
                    a = job.A + ic * aRow + pc * aStep; tileStride = MR * aRow;
                }
                for (int jr = j0; jr < j1; jr += width)
                {
                    float* bPanel = b + (jr - j0) / width * panelStride;
                    int cols = Math.Min(width, j1 - jr);
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        float* aTile = a + ir / MR * tileStride;
                        int rows = Math.Min(MR, mc - ir);
                        if (plan.Narrow) GemmKernel.NarrowTile(kc, aTile, aRow, aStep, bPanel, bStep, in job, ic + ir, jr, rows, cols, accumulate, last);
                        else GemmKernel.Tile(kc, aTile, aRow, aStep, bPanel, bStep, in job, ic + ir, jr, rows, cols, accumulate, last);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
