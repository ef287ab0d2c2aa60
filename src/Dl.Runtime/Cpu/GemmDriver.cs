using System;
using System.Runtime.Intrinsics;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Blocking around <see cref="GemmKernel"/> (the Goto/BLIS loop nest) on the calling thread: B is
/// packed first, whole (when it needs packing: transposed, ragged, narrow or with wide rows), then
/// for each block of k (at most KC steps), for each MC block of rows (packed when the product is wide enough to pay
/// for it), for each 32-column panel of B, for each 6-row panel of A: one micro-tile.
/// Splitting a product between cores is <see cref="GemmSplit"/>'s business: it calls this per half.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>
    /// Most steps of k per block; k is cut into blocks of equal size (784 is one block, 1024 two of 512).
    /// Each block costs every tile of C a pass through the store (load, add, store), so few blocks beat
    /// a B panel kept in L1: a 784 x 32 panel (100 KB) streams from L2 fast enough. Against blocks of
    /// 256 (the old limit, sized for L1), in-process A/B on Zen 5: the batch-1024 MLP layer (k = 784) 0.80-0.92x the time,
    /// SGEMM 1024 0.98x, SGEMM 256, LeNet-5 and LSTM steps unchanged (0.99-1.01x).
    /// </summary>
    public const int KC = 800;

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
    /// instead of packed when the product has <see cref="PackBRows"/> rows or more: short rows stay in
    /// cache lines the kernel uses whole; longer ones stride too far.
    /// </summary>
    public const int DirectLdb = 64;

    /// <summary>Rows from which B is packed even when it could be read in place (the copy is then a small part).</summary>
    public const int PackBRows = 256;

    private const int MR = GemmKernel.MR, NR = GemmKernel.NR;

    /// <summary>How the product is blocked, and where its packed B lives.</summary>
    internal struct Plan
    {
        public int Width;           // columns per B panel: 32, or 16 for a narrow product
        public bool Narrow, PackA, DirectB;
        public float* PackedB;      // every KC block of op(B), panel by panel (when !DirectB)
        public long BlockStride;    // floats from one KC block of the packed B to the next
    }

    /// <summary>The whole product on this thread.</summary>
    public static void Run<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        if (TryPlan(in job, out var plan)) Compute(in job, in plan, in act);
        else if (!job.TransB) GemmSmall.Rows(in job, in act);   // a few rows (batch-1 inference): stream B's rows, no packing
        else GemmDot.Rows(in job, in act);                     // likewise with B stored [n, k]: dot products of rows, no packing
    }

    /// <summary>
    /// Plans the product and packs its B, or false where a few rows take the unpacked paths (<see cref="Run"/>
    /// then runs it whole). The packed B lives in this thread's scratch until its next product: another thread
    /// may read it meanwhile (<see cref="Rows"/> run by a helper, <see cref="GemmSplit"/>).
    /// </summary>
    internal static bool TryPlan(in GemmJob job, out Plan plan)
    {
        plan = default;
        if (job.M < MR && !job.Accumulate && !(job.TransA && job.TransB) && Vector128.IsHardwareAccelerated) return false;
        plan = MakePlan(in job);
        return true;
    }

    private static Plan MakePlan(in GemmJob job)
    {
        var plan = new Plan();
        plan.Narrow = job.N <= GemmKernel.NarrowNR;   // 16-wide panels of B at every width
        plan.Width = plan.Narrow ? GemmKernel.NarrowNR : NR;
        // A transposed in place is read a column at a time: with lda a multiple of 64 floats its steps are
        // 256 bytes apart and land in at most 16 of L1's 64 sets, so a block of steps evicts itself before
        // the next panel of B re-reads it (an LSTM's weight gradient [512, T·N]ᵀ·[T·N, 128]: 1.06-1.2x packed).
        plan.PackA = !plan.Narrow && (job.N >= PackAColumns || (job.TransA && job.N > NR && job.Lda % 64 == 0));
        // B is read in place when its rows are contiguous and every panel is whole (the weights of a
        // forward pass), and either the product has few rows (the copy would not pay) or B's rows are short.
        // Rows of B longer than 64 floats put a panel's steps in a quarter of L1's sets or fewer, so many
        // rows re-reading it miss: packed, a batch-1024 MLP layer and an LSTM's weight gradient run
        // 1.1-1.15x faster (same-process A/B).
        plan.DirectB = !plan.Narrow && !job.TransB && job.N % NR == 0 && (job.M < PackBRows || job.Ldb <= DirectLdb);
        if (!plan.DirectB)
        {
            int panels = (job.N + plan.Width - 1) / plan.Width, kc = DepthBlock(job.K), kBlocks = (job.K + kc - 1) / kc;
            plan.BlockStride = (long)kc * panels * plan.Width;
            // In a row part of a split loop the same weights come back every step: packed once (GemmPackedB).
            bool packed = false;
            plan.PackedB = GemmPackedB.Active ? GemmPackedB.Get(in job, plan.Width, plan.BlockStride * kBlocks, out packed) : GemmScratch.ForB.Get(plan.BlockStride * kBlocks);
            if (!packed)
                for (int pc = 0, block = 0; pc < job.K; pc += kc, block++)
                    GemmPack.B(in job, pc, Math.Min(kc, job.K - pc), 0, job.N, plan.Width, plan.PackedB + block * plan.BlockStride);
        }
        return plan;
    }

    /// <summary>All of C over all of k, from the plan's B (packed, or in place): k block by k block, row block by row block.</summary>
    private static void Compute<TAct>(in GemmJob job, in Plan plan, in TAct act) where TAct : struct, IUnaryOperator
    {
        int depth = DepthBlock(job.K);
        for (int pc = 0, block = 0; pc < job.K; pc += depth, block++)
            for (int ic = 0; ic < job.M; ic += MC)
                Block(in job, in plan, in act, pc, block, ic);
    }

    /// <summary>Row blocks of <see cref="MC"/> rows in the product (the units <see cref="Rows"/> runs).</summary>
    internal static int RowBlocks(in GemmJob job) => (job.M + MC - 1) / MC;

    /// <summary>
    /// Row block <paramref name="rowBlock"/> of C over all of k, from a plan made by <see cref="TryPlan"/>
    /// (on any thread): each element gets the sum <see cref="Compute"/> gives it, k block by k block in order.
    /// </summary>
    internal static void Rows<TAct>(in GemmJob job, in Plan plan, in TAct act, int rowBlock) where TAct : struct, IUnaryOperator
    {
        int depth = DepthBlock(job.K);
        for (int pc = 0, block = 0; pc < job.K; pc += depth, block++)
            Block(in job, in plan, in act, pc, block, rowBlock * MC);
    }

    /// <summary>Rows [ic, ic + MC) of C over k block <paramref name="block"/> (from step <paramref name="pc"/>), its epilogue after the last.</summary>
    private static void Block<TAct>(in GemmJob job, in Plan plan, in TAct act, int pc, int block, int ic) where TAct : struct, IUnaryOperator
    {
        int width = plan.Width, kc = Math.Min(DepthBlock(job.K), job.K - pc), mc = Math.Min(MC, job.M - ic);
        bool accumulate = pc > 0 || job.Accumulate, last = pc + kc == job.K;
        // Where panel jr/width of this block starts, how far apart its steps are, and its panels.
        float* b = plan.DirectB ? job.B + (long)pc * job.Ldb : plan.PackedB + block * plan.BlockStride;
        long bStep = plan.DirectB ? job.Ldb : width, panelStride = plan.DirectB ? width : (long)kc * width;
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
        for (int jr = 0; jr < job.N; jr += width)
        {
            float* bPanel = b + jr / width * panelStride;
            int cols = Math.Min(width, job.N - jr);
            for (int ir = 0; ir < mc; ir += MR)
            {
                float* aTile = a + ir / MR * tileStride;
                int rows = Math.Min(MR, mc - ir);
                if (plan.Narrow) GemmKernel.NarrowTile(kc, aTile, aRow, aStep, bPanel, bStep, in job, in act, ic + ir, jr, rows, cols, accumulate, last);
                else GemmKernel.Tile(kc, aTile, aRow, aStep, bPanel, bStep, in job, in act, ic + ir, jr, rows, cols, accumulate, last);
            }
        }
    }

    /// <summary>Steps of k per block: k cut into the fewest blocks of at most <see cref="KC"/>, of equal size (no short last block).</summary>
    private static int DepthBlock(int k)
    {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
