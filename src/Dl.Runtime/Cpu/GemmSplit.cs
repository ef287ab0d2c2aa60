using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// A product of <see cref="Gemm.SplitThreshold"/> multiply-adds or more, split in two fixed halves,
/// one on the calling thread and one on the helper (<see cref="HelperThread"/>), cut so that each thread touches one contiguous half of the
/// operand that would otherwise cross between the cores (see <see cref="ChooseAxis"/>): the weights
/// in a dense layer's forward pass, their gradient in its backward pass. The caller always takes
/// the first half and the helper the second, step after step, so each core keeps its half of those
/// operands in its own cache, and with <see cref="Optim.SgdStep(System.Span{float}, System.ReadOnlySpan{float}, float)"/> updating the parameters in the
/// same two halves, a weight matrix never moves between cores. Lines that do move between these two
/// cores cost far more than the FMAs they feed: a batch-64 MLP step ran slower on two threads than
/// on one while chunks of its products were claimed by whichever core came first, and 1.5x faster
/// on fixed halves. Square products (1024 x 1024) run as fast as with dynamic chunks.
/// </summary>
internal static unsafe class GemmSplit
{
    internal enum Axis { Rows, Columns, Depth }

    /// <summary>
    /// Where the helper last wrote a contiguous half of C (a weight gradient, cut by rows) for a split
    /// of this thread, as addresses [start, end); <see cref="Optim.SgdStep(System.Span{float}, System.ReadOnlySpan{float}, float)"/> hands the same range's
    /// update to the helper. Per calling thread, so two models training on two threads each see their
    /// own. Only a hint: a stale range costs speed, never correctness.
    /// </summary>
    [ThreadStatic] private static (nuint Start, nuint End) t_lastHelperOutput;

    internal static (nuint Start, nuint End) LastHelperOutput => t_lastHelperOutput;

    /// <summary>Values below which an update leaves the helper's range on the calling thread (a hand-off costs more).</summary>
    private const long MinHelperRange = 16_384;

    /// <summary>
    /// Runs a parameter update as update(context, from, to) over ranges of [0, length): the range of
    /// <paramref name="gradients"/> the helper last wrote (see <see cref="LastHelperOutput"/>) on the
    /// helper, the rest on this thread. Each core then updates the weights whose gradient, and whose
    /// share of the next forward product, it owns, instead of half the weights crossing between cores
    /// twice a step. False, with nothing run, when there is no such range worth a hand-off or the
    /// helper is taken: the caller then updates everything itself. <paramref name="state"/> is
    /// <see cref="HelperThread.State"/> during the update.
    /// </summary>
    internal static bool UpdateAroundHelper(float* gradients, int length, delegate*<void*, int, int, void> update, void* context, object? state = null)
    {
        var (start, end) = t_lastHelperOutput;
        // A range of another array (the last split was another model's) is ignored.
        if (end <= start || start < (nuint)gradients || end > (nuint)(gradients + length) || (long)(end - start) / sizeof(float) < MinHelperRange) return false;
        var parts = new UpdateParts
        {
            Update = update, Context = context, Length = length,
            HelperFrom = (int)((start - (nuint)gradients) / sizeof(float)), HelperTo = (int)((end - (nuint)gradients) / sizeof(float)),
        };
        return HelperThread.TryRun(&RunUpdateParts, &parts, 2, state);
    }

    private struct UpdateParts
    {
        public delegate*<void*, int, int, void> Update;
        public void* Context;
        public int Length, HelperFrom, HelperTo;
    }

    /// <summary>Part 0 (this thread) updates outside [HelperFrom, HelperTo), part 1 (the helper) inside.</summary>
    private static void RunUpdateParts(void* context, int begin, int end, int part)
    {
        var u = (UpdateParts*)context;
        if (begin == 1)
        {
            u->Update(u->Context, u->HelperFrom, u->HelperTo);
            return;
        }
        u->Update(u->Context, 0, u->HelperFrom);
        u->Update(u->Context, u->HelperTo, u->Length);
    }

    /// <summary>The two halves and the activation their stores apply, on the caller's stack.</summary>
    private struct Context<TAct> where TAct : struct, IUnaryOperator
    {
        public GemmJob First, Second;
        public TAct Activation;
    }

    /// <summary>
    /// Runs the product as two halves on two threads. False, with nothing done, when the helper is
    /// disabled or the product too small to halve, and when it is taken and the cut is by rows or columns
    /// (each element is then the same sum whoever computes it: the caller runs the whole product). A cut
    /// along k changes the sum, so with the helper taken both halves run here, into the same scratch.
    /// </summary>
    public static bool TryRun<TAct>(in GemmJob job, in TAct act) where TAct : struct, IUnaryOperator
    {
        if (!HelperThread.Enabled) return false;
        var axis = ChooseAxis(in job);
        var context = new Context<TAct> { First = job, Second = job, Activation = act };
        ref var first = ref context.First;
        ref var second = ref context.Second;
        switch (axis)
        {
            case Axis.Rows:
            {
                if (job.M < 2 * GemmKernel.MR) return false;
                int at = job.M / 2;
                first.M = at;
                second.M = job.M - at;
                second.A += job.TransA ? at : (long)at * job.Lda;
                second.C += (long)at * job.Ldc;
                if (job.Mask != null) second.Mask += (long)at * job.LdMask;
                break;
            }
            case Axis.Columns:
            {
                if (job.N < 2 * GemmKernel.NR) return false;
                // At a whole panel, so both halves keep whole 32-column panels.
                int at = job.N / 2 / GemmKernel.NR * GemmKernel.NR;
                first.N = at;
                second.N = job.N - at;
                second.B += job.TransB ? (long)at * job.Ldb : at;
                second.C += at;
                if (job.Bias != null) second.Bias += at;
                if (job.Mask != null) second.Mask += at;
                break;
            }
            default:
            {
                if (job.K < 2) return false;
                int at = job.K / 2;
                // Two plain partial products: the caller's into C (accumulating if the job does), the
                // helper's into this thread's scratch, which no other caller can reach; the sum and the
                // epilogue come after both, on this thread.
                first.K = at;
                first.Bias = null; first.Mask = null;   // and no activation: Half<Identity> below
                second = first;
                second.K = job.K - at;
                second.A += job.TransA ? (long)at * job.Lda : at;
                second.B += job.TransB ? at : (long)at * job.Ldb;
                second.Accumulate = false;
                second.C = GemmScratch.ForPartial.Get((long)second.M * second.N);
                second.Ldc = job.N;
                break;
            }
        }
        if (axis == Axis.Depth)
        {
            var plain = new Context<Identity> { First = first, Second = second };
            if (!HelperThread.RunHalves(&Half<Identity>, Unsafe.AsPointer(ref plain), 2)) return false;
        }
        else if (!HelperThread.TryRun(&Half<TAct>, Unsafe.AsPointer(ref context), 2)) return false;
        if (axis == Axis.Rows && second.Ldc == second.N)
            t_lastHelperOutput = ((nuint)second.C, (nuint)(second.C + (long)second.M * second.N));
        if (axis == Axis.Depth)
        {
            for (int i = 0; i < job.M; i++)
            {
                var c = new Span<float>(job.C + (long)i * job.Ldc, job.N);
                TensorPrimitives.Add(c, new ReadOnlySpan<float>(second.C + (long)i * job.N, job.N), c);
            }
            GemmStore.EpilogueInPlace(in job, in act, 0, job.M);
        }
        return true;
    }

    /// <summary>
    /// The cut that sends the fewest values from one core to the other. Cutting C's rows leaves each
    /// thread reading all of B, half of it the other core's (b/2); cutting C's columns, all of A (a/2);
    /// cutting k, the helper's whole partial C crosses to be added (c). A dense layer's forward pass at
    /// a small batch cuts k (each core keeps half of the weights), its weight gradient cuts rows
    /// (each core writes, and then updates, its half of the weights).
    /// </summary>
    internal static Axis ChooseAxis(in GemmJob job)
    {
        long a = (long)job.M * job.K, b = (long)job.K * job.N, c = (long)job.M * job.N;
        if (b / 2 <= a / 2 && b / 2 <= c) return Axis.Rows;
        return a / 2 <= c ? Axis.Columns : Axis.Depth;
    }

    private static void Half<TAct>(void* context, int begin, int end, int part) where TAct : struct, IUnaryOperator
    {
        ref var halves = ref Unsafe.AsRef<Context<TAct>>(context);
        for (int i = begin; i < end; i++)
        {
            if (i == 0) GemmDriver.Run(in halves.First, in halves.Activation);
            else GemmDriver.Run(in halves.Second, in halves.Activation);
        }
    }
}
