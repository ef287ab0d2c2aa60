using System.Runtime.CompilerServices;
using System.Threading;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// A part of a split product runs as row blocks of <see cref="GemmDriver.MC"/> rows that any thread may
/// take: the part's thread plans it and packs its B once, publishes the plan, and takes the blocks one by
/// one; a thread done with its own part takes the blocks of a part still running 20 us later
/// (<see cref="WorkerPool.TryRunHelped"/>), reading the B its worker packed. A worker descheduled in
/// the middle of its part then holds up the block it is in, not the rest of its part, and nothing is
/// packed twice. Each element of C is the same sum whichever thread computes its block.
/// </summary>
internal static unsafe partial class GemmSplit
{
    /// <summary>One part's plan and the claims on its row blocks.</summary>
    private struct PartBlocks
    {
        public GemmDriver.Plan Plan;
        public int Count;       // row blocks in the part, set before Published
        public int Published;   // 1 once Plan and Count may be read by another thread
        public int Next;        // the next block to take
        public int Done;        // blocks finished, by whoever ran them
    }

    /// <summary>Runs parts [begin, end), each as its row blocks, and returns when every block of them is done.</summary>
    private static void Part<TAct>(void* context, int begin, int end, int part) where TAct : struct, IUnaryOperator
    {
        ref var parts = ref Unsafe.AsRef<Context<TAct>>(context);
        for (int i = begin; i < end; i++)
        {
            ref var job = ref parts.Parts[i];
            ref var blocks = ref parts.Blocks[i];
            if (!GemmDriver.TryPlan(in job, out blocks.Plan))
            {
                GemmDriver.Run(in job, in parts.Activation);   // a few rows: nothing to share
                continue;
            }
            blocks.Count = GemmDriver.RowBlocks(in job);
            Volatile.Write(ref blocks.Published, 1);
            while (RunBlock(ref parts, i)) { }
            if (Volatile.Read(ref blocks.Done) == blocks.Count) continue;
            var spin = new SpinWait();
            while (Volatile.Read(ref blocks.Done) != blocks.Count) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>A thread done with its own part runs one block of late part <paramref name="part"/>: false when none is left or its plan is not published yet.</summary>
    private static bool Help<TAct>(void* context, int part) where TAct : struct, IUnaryOperator
    {
        ref var parts = ref Unsafe.AsRef<Context<TAct>>(context);
        return Volatile.Read(ref parts.Blocks[part].Published) != 0 && RunBlock(ref parts, part);
    }

    private static bool RunBlock<TAct>(ref Context<TAct> parts, int part) where TAct : struct, IUnaryOperator
    {
        ref var blocks = ref parts.Blocks[part];
        int block = Interlocked.Increment(ref blocks.Next) - 1;
        if (block >= blocks.Count) return false;
        GemmDriver.Rows(in parts.Parts[part], in blocks.Plan, in parts.Activation, block);
        Interlocked.Increment(ref blocks.Done);
        return true;
    }
}
