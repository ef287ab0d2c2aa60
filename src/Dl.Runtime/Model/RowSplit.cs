using System;
using System.Threading;
using Dl.Cpu;

namespace Dl;

/// <summary>
/// What generated code calls to run a whole loop (all its steps) split over the batch's rows: each part
/// owns rows [from, to) for every step, so the parts meet once per loop instead of once per product
/// in every step. The compiler emits this only for loops whose every kernel is row-local (row i of each
/// output depends on row i of the batch-shaped inputs and on batch-free values alone: the recurrent
/// product, the gate kernels, the per-sample copies), and whose body draws no random numbers.
/// A split runs on the <see cref="WorkerPool"/> (cut-independent, chunked: a late worker's chunks are
/// taken by the caller) with at least <see cref="MinRows"/> rows per part and <see cref="MinChunkRows"/> per chunk, and only when
/// each part has <see cref="MinPartWork"/> multiply-adds or more: a batch of one runs as before.
/// Results: every product inside a split part runs whole on its thread (<see cref="Gemm.WholeProducts"/>),
/// never cut along k, and a product's row has the same bits for any number of rows from
/// <see cref="MinRows"/> up; so a split loop gives each row the bits a one-thread run gives it,
/// whatever the number of parts, of chunks, or who ran them. A part packs each weight it multiplies by
/// once, not at every step (<see cref="GemmPackedB"/>): the loop's batch-free operands must not change
/// while it runs, which holds for the loops the compiler splits (nothing in them writes a batch-free value).
/// </summary>
public static unsafe class RowSplit
{
    /// <summary>
    /// Fewest rows in a part or chunk: more than the GEMM micro-kernel's 6 rows, below which products
    /// take another path (GemmSmall, whose sums pair up k differently) and rows would change bits.
    /// </summary>
    public const int MinRows = 8;

    /// <summary>
    /// Fewest rows in a chunk of a worker's part (which the caller may take from a late worker): a chunk
    /// runs every step on its rows, so a chunk of 8 rows would run each product as two 6-row tiles, one of
    /// them a third full; 16 rows keep the tiles of a 32-row part (six) and leave a late worker's part stealable.
    /// </summary>
    public const int MinChunkRows = 16;

    /// <summary>
    /// Multiply-adds (steps · work per row · rows) a part needs to pay for the hand-off (tens of
    /// microseconds). A field so that tests can split the small models they check (1: every batch of
    /// 2 · <see cref="MinRows"/> rows or more).
    /// </summary>
    internal static long MinPartWork = 2_000_000;

    private static long s_splits;

    /// <summary>Loops run split in two parts or more so far (a diagnostic).</summary>
    public static long Splits => Volatile.Read(ref s_splits);

    /// <summary>
    /// Runs <paramref name="rows"/>(n, from, to), the generated method of a loop's steps on rows [from, to)
    /// of a batch of n, over [0, <paramref name="n"/>) in parts, or whole on this thread when
    /// the batch is too small to split, the pool has one thread, or (whole, still without cutting any product) when the pool is taken.
    /// <paramref name="workPerRow"/>: the loop's multiply-adds per row over all its steps, as the compiler estimates them.
    /// </summary>
    public static void Run(Action<int, int, int> rows, int n, long workPerRow)
    {
        int parts = Parts(n, workPerRow);
        if (parts < 2)
        {
            // Whole here, its products cut as usual (a small batch's product may still pay for a cut), its weights packed once.
            bool kept = GemmPackedB.Begin();
            try { rows(n, 0, n); }
            finally { GemmPackedB.End(kept); }
            return;
        }
        Interlocked.Increment(ref s_splits);
        var context = new Context { N = n };
        if (WorkerPool.RunRows(&Part, &context, n, parts, MinChunkRows, rows)) return;
        // The pool is taken: everything here, with the products whole as in the parts, so the bits do not depend on it.
        RunWhole(rows, n, 0, n);
    }

    /// <summary>How many parts a loop over <paramref name="n"/> rows gets (1: unsplit).</summary>
    public static int Parts(int n, long workPerRow) => WorkerPool.Parts(n / MinRows, (long)n * workPerRow, MinPartWork);

    private struct Context
    {
        public int N;
    }

    private static void Part(void* context, int from, int to, int part) =>
        RunWhole((Action<int, int, int>)WorkerPool.State!, ((Context*)context)->N, from, to);

    private static void RunWhole(Action<int, int, int> rows, int n, int from, int to)
    {
        bool was = Gemm.WholeProducts, kept = GemmPackedB.Begin();
        Gemm.WholeProducts = true;
        try { rows(n, from, to); }
        finally
        {
            Gemm.WholeProducts = was;
            GemmPackedB.End(kept);
        }
    }
}
