using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// A product of <see cref="Gemm.SplitThreshold"/> multiply-adds or more, split in fixed contiguous
/// parts, one per thread of the <see cref="WorkerPool"/> (part 0 on the calling thread, part i on
/// worker i), cut so that each thread touches one contiguous slice of the operand that would
/// otherwise cross between the cores (see <see cref="ChooseAxis"/>): the weights in a dense layer's
/// forward pass, their gradient in its backward pass. Part i goes to the same worker step after step,
/// so each core keeps its slice of those operands in its own cache, and with
/// <see cref="Optim.SgdStep(System.Span{float}, System.ReadOnlySpan{float}, float)"/> updating the
/// parameters in the same parts, a weight matrix never moves between cores. Both cuts come from
/// <see cref="WorkerPool.Cut"/>: the forward product's k cut and the weight gradient's row cut of a
/// dense layer fall on the same weight rows. Lines that do move between cores cost far more than
/// the FMAs they feed: a batch-64 MLP step ran slower on two threads than on one while chunks of its
/// products were claimed by whichever core came first, and 1.5x faster on fixed halves. Square
/// products (1024 x 1024) run as fast as with dynamic chunks.
/// </summary>
internal static unsafe partial class GemmSplit
{
    internal enum Axis { Rows, Columns, Depth }

    /// <summary>A product's C cut by rows into parts: C's address, its rows and row length (C dense), and the number of parts.</summary>
    internal struct RowCut
    {
        public float* C;
        public int Rows, RowLength, Parts;
    }

    /// <summary>
    /// The last product of this thread that was cut by rows with a dense C (a weight gradient);
    /// <see cref="Optim.SgdStep(System.Span{float}, System.ReadOnlySpan{float}, float)"/> hands each part's
    /// update to the thread that wrote it. Per calling thread, so two models training on two threads each
    /// see their own. Only a hint: a stale cut costs speed, never correctness.
    /// </summary>
    [ThreadStatic] private static RowCut t_lastRowCut;

    internal static RowCut LastRowCut => t_lastRowCut;

    /// <summary>Values per part below which an update stays on the calling thread (a hand-off costs more).</summary>
    private const long MinUpdatePart = 16_384;

    /// <summary>
    /// Work from which a product cut along k is cut at all (rows and columns: <see cref="Gemm.SplitThreshold"/>).
    /// A k cut sends a whole partial C across and changes the sum with the thread count; below this the
    /// product is cut by rows or columns instead, the same bits at every count (a stacked GRU's 3M weight
    /// gradient). LeNet-5's fc1 forward (3M) cut by columns: its step 0.4-1.5 % faster than whole (in-process A/B).
    /// </summary>
    internal const long DepthSplitThreshold = 4_000_000;

    /// <summary>
    /// Multiply-adds per part below which a product is cut in fewer parts; one from
    /// <see cref="Gemm.SplitThreshold"/> up to twice this is cut in two all the same.
    /// </summary>
    private const long MinPartWork = 2_000_000;

    /// <summary>
    /// Runs a parameter update as update(context, from, to) over ranges of [0, length): each part of
    /// the rows of <paramref name="gradients"/> that <see cref="LastRowCut"/> says a thread wrote, on that
    /// thread, and everything outside them on this one. Each core then updates the weights whose
    /// gradient, and whose share of the next forward product, it owns, instead of the weights crossing
    /// between cores twice a step. False, with nothing run, when there is no such cut worth a hand-off
    /// or the pool is taken: the caller then updates everything itself. <paramref name="state"/> is
    /// <see cref="WorkerPool.State"/> during the update.
    /// </summary>
    internal static bool UpdateByOwners(float* gradients, int length, delegate*<void*, int, int, void> update, void* context, object? state = null)
    {
        var cut = t_lastRowCut;
        long values = (long)cut.Rows * cut.RowLength;
        // A cut of another array (the last split was another model's) is ignored.
        if (cut.Parts < 2 || cut.C < gradients || cut.C + values > gradients + length || values / cut.Parts < MinUpdatePart) return false;
        var parts = new UpdateParts
        {
            Update = update, Context = context, Length = length,
            From = (int)(cut.C - gradients), Rows = cut.Rows, RowLength = cut.RowLength, Parts = cut.Parts,
        };
        return WorkerPool.TryRun(&RunUpdateParts, &parts, cut.Parts, state);
    }

    private struct UpdateParts
    {
        public delegate*<void*, int, int, void> Update;
        public void* Context;
        public int Length, From, Rows, RowLength, Parts;
    }

    /// <summary>Part p updates the rows part p of the product wrote; part 0 also everything before and after the product's C.</summary>
    private static void RunUpdateParts(void* context, int begin, int end, int part)
    {
        var u = (UpdateParts*)context;
        for (int p = begin; p < end; p++)
            u->Update(u->Context, u->From + WorkerPool.Cut(u->Rows, u->Parts, p) * u->RowLength, u->From + WorkerPool.Cut(u->Rows, u->Parts, p + 1) * u->RowLength);
        if (begin > 0) return;
        u->Update(u->Context, 0, u->From);
        u->Update(u->Context, u->From + u->Rows * u->RowLength, u->Length);
    }

    /// <summary>The parts (on the caller's stack), the activation their stores apply, and each part's row blocks (<see cref="PartBlocks"/>).</summary>
    private struct Context<TAct> where TAct : struct, IUnaryOperator
    {
        public GemmJob* Parts;
        public TAct Activation;
        public PartBlocks* Blocks;
    }

    /// <summary>
    /// Runs the product as fixed parts on the pool's threads. False, with nothing done, when the pool
    /// has one thread or the product is too small to cut, and when the pool is taken and the cut is by
    /// rows or columns (each element is then the same sum whoever computes it: the caller runs the
    /// whole product). A cut along k changes the sum, so with the pool taken every part runs here, into
    /// the same scratch: the result depends on the number of parts, never on who ran them.
    /// </summary>
    public static bool TryRun<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        long work = (long)job.M * job.N * job.K;
        var axis = ChooseAxis(in job);
        // Too small for a k cut: the cheaper of rows and columns (LeNet-5's fc1 forward, 64 x 120 x 400: columns).
        if (axis == Axis.Depth && work < DepthSplitThreshold) axis = ChooseAxis(in job, depth: false);
        int most = axis switch
        {
            Axis.Rows => job.M / GemmKernel.MR,
            Axis.Columns => job.N / GemmKernel.NR,
            _ => job.K / 2,
        };
        // At least two parts from Gemm.SplitThreshold, though a part then holds less than MinPartWork.
        int parts = Math.Max(WorkerPool.Parts(most, work, MinPartWork), Math.Min(2, Math.Min(WorkerPool.Threads, most)));
        if (parts < 2) return false;
        GemmJob* jobs = stackalloc GemmJob[parts];
        PartBlocks* blocks = stackalloc PartBlocks[parts];
        new Span<PartBlocks>(blocks, parts).Clear();
        for (int i = 0; i < parts; i++)
        {
            ref var part = ref jobs[i];
            part = job;
            switch (axis)
            {
                case Axis.Rows:
                {
                    int at = WorkerPool.Cut(job.M, parts, i);
                    part.M = WorkerPool.Cut(job.M, parts, i + 1) - at;
                    part.A += job.TransA ? at : (long)at * job.Lda;
                    part.C += (long)at * job.Ldc;
                    if (job.Mask != null) part.Mask += (long)at * job.LdMask;
                    break;
                }
                case Axis.Columns:
                {
                    // At whole panels, so every part keeps whole 32-column panels; the last takes the ragged end.
                    int panels = job.N / GemmKernel.NR;
                    int at = WorkerPool.Cut(panels, parts, i) * GemmKernel.NR;
                    part.N = (i == parts - 1 ? job.N : WorkerPool.Cut(panels, parts, i + 1) * GemmKernel.NR) - at;
                    part.B += job.TransB ? (long)at * job.Ldb : at;
                    part.C += at;
                    if (job.Bias != null) part.Bias += at;
                    if (job.Mask != null) part.Mask += at;
                    break;
                }
                default:
                {
                    // Plain partial products, no epilogue (and no activation: Part<Identity> below):
                    // part 0 into C (accumulating if the job does), part i into slice i - 1 of this thread's
                    // scratch, which no other caller can reach. The sum and the epilogue come after all
                    // of them, on this thread, in part order.
                    int at = WorkerPool.Cut(job.K, parts, i);
                    part.K = WorkerPool.Cut(job.K, parts, i + 1) - at;
                    part.A += job.TransA ? (long)at * job.Lda : at;
                    part.B += job.TransB ? at : (long)at * job.Ldb;
                    part.Bias = null;
                    part.Mask = null;
                    if (i == 0) break;
                    part.Accumulate = false;
                    part.Ldc = job.N;
                    break;
                }
            }
        }
        if (axis == Axis.Depth)
        {
            long size = (long)job.M * job.N;
            float* partials = GemmScratch.ForPartial.Get((parts - 1) * size);
            for (int i = 1; i < parts; i++) jobs[i].C = partials + (i - 1) * size;
            var plain = new Context<Identity> { Parts = jobs, Blocks = blocks };
            if (!WorkerPool.RunParts(&Part<Identity>, &plain, parts, parts, &Help<Identity>)) return false;
            for (int r = 0; r < job.M; r++)
            {
                var c = new Span<float>(job.C + (long)r * job.Ldc, job.N);
                for (int i = 1; i < parts; i++) TensorPrimitives.Add(c, new ReadOnlySpan<float>(partials + (i - 1) * size + (long)r * job.N, job.N), c);
            }
            GemmStore.EpilogueInPlace(in job, in act, 0, job.M);
            return true;
        }
        var context = new Context<TAct> { Parts = jobs, Activation = act, Blocks = blocks };
        if (!WorkerPool.TryRunHelped(&Part<TAct>, &Help<TAct>, Unsafe.AsPointer(ref context), parts)) return false;
        if (axis == Axis.Rows && job.Ldc == job.N)
            t_lastRowCut = new RowCut { C = job.C, Rows = job.M, RowLength = job.N, Parts = parts };
        return true;
    }

    /// <summary>
    /// The cut that sends the fewest values from one core to another, judged for two parts (the axis
    /// does not depend on the thread count, so neither does which products are the same sum at every
    /// count). Cutting C's rows leaves each thread reading all of B, half of it the other core's (b/2);
    /// cutting C's columns, all of A (a/2); cutting k, the other part's whole partial C crosses to be
    /// added (c). A dense layer's forward pass at a small batch cuts k (each core keeps its slice of the
    /// weights), its weight gradient cuts rows (each core writes, and then updates, its slice of the weights).
    /// Without <paramref name="depth"/>, the cheaper of rows and columns (the same sums at every count).
    /// </summary>
    internal static Axis ChooseAxis(in GemmJob job, bool depth = true)
    {
        long a = (long)job.M * job.K, b = (long)job.K * job.N, c = (long)job.M * job.N;
        if (b / 2 <= a / 2 && (!depth || b / 2 <= c)) return Axis.Rows;
        return !depth || a / 2 <= c ? Axis.Columns : Axis.Depth;
    }
}
