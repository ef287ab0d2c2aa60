using System;
using System.Diagnostics;
using System.Threading;

namespace Dl.Cpu;

/// <summary>
/// The one persistent helper thread that the CPU kernels share with the calling thread (this
/// machine has two cores): a convolution's or a 2x2 pooling's batch, a product's two halves
/// (<see cref="GemmSplit"/>) and an optimizer update's two parts are split between them, the caller
/// always doing the first part.
/// The work is a function pointer plus a context pointer to a struct on the caller's stack, so a
/// hand-off allocates nothing and captures nothing; the caller waits for the helper before
/// returning, which keeps that struct alive. The helper spins briefly for the next job (the kernels
/// of one step come in quick succession), yielding its core to anyone runnable, then sleeps; a
/// caller that finishes its part and finds the other still unclaimed 20 us later runs that one too.
/// One split runs at a time; a concurrent caller does its whole range itself (both halves, one after
/// the other, where the result depends on the cut: <see cref="RunHalves"/>). Whatever the helper
/// writes for a split lives in the caller's memory or the caller's per-thread scratch, and the static
/// fields here are written only by the holder of the helper: a caller that does not hold it can touch
/// nothing another caller uses.
/// </summary>
public static unsafe class HelperThread
{
    private static readonly ManualResetEventSlim s_wake = new(false);
    private static readonly object s_startLock = new();
    private static Thread? s_thread;
    private static int s_busy;
    private static volatile int s_generation;
    private static volatile int s_done;
    private static delegate*<void*, int, int, int, void> s_body;
    private static void* s_context;
    private static int s_begin, s_end;
    private static object? s_state;

    /// <summary>Who runs the helper's part of the current split: generation &lt;&lt; 2, plus <see cref="ByHelper"/> or <see cref="ByCaller"/> once one of them has claimed it.</summary>
    private static long s_claim;
    private const long ByHelper = 1, ByCaller = 2;

    /// <summary>How long a caller that finished its part waits for the helper to claim the other before running it itself.</summary>
    private static readonly long s_lateTicks = Stopwatch.Frequency / 50_000;

    /// <summary>Splits run with the helper so far (a diagnostic: see <see cref="LateParts"/>).</summary>
    public static long Splits => s_splits;

    /// <summary>
    /// Of <see cref="Splits"/>, those whose second part the caller ran because the helper had not
    /// claimed it in time (asleep, or its core busy elsewhere). A large share means the second core is
    /// not really free, and splits then cost more than they give.
    /// </summary>
    public static long LateParts => s_lateParts;

    private static long s_splits, s_lateParts;

    /// <summary>The object the current split was given (<see cref="TryRun"/>), for bodies that need a managed object; null outside a split.</summary>
    internal static object? State => s_state;

    /// <summary>
    /// Whether kernels may split work with the helper; false keeps everything on the calling thread
    /// (also set by the environment variable DL_THREADS=1, and on a one-core machine).
    /// </summary>
    public static bool Enabled { get; set; } = Environment.ProcessorCount > 1 && Environment.GetEnvironmentVariable("DL_THREADS") != "1";

    /// <summary>
    /// Runs body(context, begin, end, part) over [0, count): items [0, mid) here as part 0 and
    /// [mid, count) on the helper as part 1, or everything here as part 0 when <paramref name="parallel"/>
    /// is false, there is one item, or the helper is taken.
    /// </summary>
    internal static void Run(delegate*<void*, int, int, int, void> body, void* context, int count, bool parallel)
    {
        if (!parallel || !TryRun(body, context, count)) body(context, 0, count, 0);
    }

    /// <summary>
    /// Runs body(context, begin, end, part) over [0, count) as the two fixed parts of <see cref="Run"/>,
    /// [0, mid) as part 0 and [mid, count) as part 1, whoever runs them: part 1 on the helper when it is
    /// free, else on this thread after part 0. For bodies whose result depends on where the range is
    /// cut (a sum over the batch, a product cut along k): a call gets the same bits whether or not
    /// another thread held the helper. False, with nothing run, when the helper is disabled or there is
    /// one item.
    /// </summary>
    internal static bool RunHalves(delegate*<void*, int, int, int, void> body, void* context, int count)
    {
        if (!Enabled || count < 2) return false;
        if (TryRun(body, context, count)) return true;
        int mid = Middle(count);
        body(context, 0, mid, 0);
        body(context, mid, count, 1);
        return true;
    }

    private static int Middle(int count) => (count + 1) / 2;

    /// <summary>
    /// The split of <see cref="Run"/>, or false with nothing run when the helper is disabled or taken
    /// or there is one item: for callers that would rather do something else than run both parts on
    /// one thread (the whole product uncut, the whole update in one pass).
    /// </summary>
    internal static bool TryRun(delegate*<void*, int, int, int, void> body, void* context, int count, object? state = null)
    {
        if (!Enabled || count < 2 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        s_state = state;
        s_splits++;
        int mid = Middle(count);
        EnsureThread();
        s_body = body;
        s_context = context;
        s_begin = mid;
        s_end = count;
        s_done = 0;
        long unclaimed = (long)(s_generation + 1) << 2;
        Volatile.Write(ref s_claim, unclaimed);
        Interlocked.Increment(ref s_generation);
        s_wake.Set();
        body(context, 0, mid, 0);
        long ended = Stopwatch.GetTimestamp();
        // A helper that has not started its part 20 us after this one ended is late (asleep, or its
        // core taken by another process): this thread runs that part too rather than wait for it.
        // Normally the helper claimed its part long before.
        while (Volatile.Read(ref s_claim) == unclaimed && Stopwatch.GetTimestamp() - ended < s_lateTicks) Thread.SpinWait(1);
        if (Interlocked.CompareExchange(ref s_claim, unclaimed | ByCaller, unclaimed) == unclaimed)
        {
            s_lateParts++;
            body(context, mid, count, 1);
        }
        else
        {
            var spin = new SpinWait();
            while (s_done == 0) spin.SpinOnce(sleep1Threshold: -1);
        }
        s_state = null;
        Volatile.Write(ref s_busy, 0);
        return true;
    }

    private static void EnsureThread()
    {
        if (s_thread is not null) return;
        lock (s_startLock)
        {
            if (s_thread is not null) return;
            var t = new Thread(Loop) { IsBackground = true, Name = "Dl.Cpu helper" };
            t.Start();
            s_thread = t;
        }
    }

    private static void Loop()
    {
        int seen = 0;
        while (true)
        {
            // About a hundred microseconds of polling, with yields so a busy core is handed over.
            for (int i = 0; i < 2_000 && s_generation == seen; i++)
            {
                if ((i & 63) == 63) Thread.Yield();
                else Thread.SpinWait(20);
            }
            if (s_generation == seen)
            {
                s_wake.Reset();
                if (s_generation == seen) s_wake.Wait();
                continue;
            }
            seen = s_generation;
            long unclaimed = (long)seen << 2;
            if (Interlocked.CompareExchange(ref s_claim, unclaimed | ByHelper, unclaimed) != unclaimed) continue;   // the caller ran it
            s_body(s_context, s_begin, s_end, 1);
            s_done = 1;
        }
    }
}
