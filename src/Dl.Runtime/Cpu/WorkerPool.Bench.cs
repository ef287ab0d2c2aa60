namespace Dl.Cpu;

/// <summary>
/// Benching: a worker whose core is busy elsewhere (another process on it) is late split after split,
/// and every late part costs the 20 us wait before another thread takes it, or far more when the
/// worker is descheduled in the middle of its part. After <see cref="LateRunToBench"/> late parts in
/// a row, the worker is benched for a number of splits: it is not woken, and the first thread to
/// finish its own part runs the benched worker's part at once. Then it gets one split on trial; late
/// again, it is benched twice as long (up to <see cref="LongestBench"/> splits, a fraction of a second
/// of a training loop, so a probe costs little), on time, it is back. The cut stays the same, so
/// results are the same bits whether a worker is benched or not. Written only by the holder of the pool.
/// </summary>
public static partial class WorkerPool
{
    internal const int LateRunToBench = 4, ShortestBench = 64, LongestBench = 4096;

    private static readonly int[] s_lateRun = new int[MaxThreads];
    private static readonly int[] s_bench = new int[MaxThreads];
    private static readonly long[] s_benchedUntil = new long[MaxThreads];

    /// <summary>Forgets every worker's lateness (tests that need a fresh pool; call it with no split running).</summary>
    internal static void ResetBenching()
    {
        System.Array.Clear(s_lateRun);
        System.Array.Clear(s_bench);
        System.Array.Clear(s_benchedUntil);
    }

    /// <summary>Whether worker <paramref name="worker"/> sits out the split now starting (number <see cref="s_splits"/>).</summary>
    internal static bool Benched(int worker) => s_splits < s_benchedUntil[worker];

    /// <summary>Notes whether worker <paramref name="worker"/> was late to its part of this split.</summary>
    private static void Judge(int worker, bool late)
    {
        if (!late)
        {
            // On time (a benched worker that was awake anyway may claim its part first): back for good.
            s_lateRun[worker] = 0;
            s_bench[worker] = 0;
            s_benchedUntil[worker] = 0;
            return;
        }
        // A benched worker's part always runs elsewhere: that says nothing new.
        if (Benched(worker) || ++s_lateRun[worker] < LateRunToBench) return;
        s_bench[worker] = s_bench[worker] == 0 ? ShortestBench : System.Math.Min(2 * s_bench[worker], LongestBench);
        s_benchedUntil[worker] = s_splits + s_bench[worker];
        s_lateRun[worker] = LateRunToBench - 1;   // one more late part after the bench: benched again, longer
    }
}
