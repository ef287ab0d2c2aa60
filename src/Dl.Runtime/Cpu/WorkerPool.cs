using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;

namespace Dl.Cpu;

/// <summary>
/// The persistent worker threads that the CPU kernels share with the calling thread: a split of
/// [0, count) runs as <c>parts</c> fixed contiguous parts, part 0 on the caller and part i on worker i,
/// split after split, so each core keeps owning the same slice of a product's operands, of a weight
/// gradient and of the update that follows it (see <see cref="GemmSplit"/>). Convolutions and 2x2 pooling
/// cut their batch the same way, and optimizer updates follow the last product's cut.
/// The work is a function pointer plus a context pointer to a struct on the caller's stack, so a
/// hand-off allocates nothing and captures nothing; the caller waits for every part before
/// returning, which keeps that struct alive. Each part is claimed by one compare-and-swap: its worker
/// claims it on waking; a thread that finished its own part and finds another still unclaimed 20 us
/// later claims and runs it (the worker is asleep, or its core is busy elsewhere), so a late worker
/// costs at most that wait; one late again and again is benched (WorkerPool.Bench.cs). A worker spins
/// briefly for the next job (the kernels of one step come in quick succession), yielding its core to
/// anyone runnable, then sleeps.
/// One split runs at a time; a concurrent caller does its whole range itself (every part, one after
/// the other, where the result depends on the cut: <see cref="RunParts"/>). Whatever a worker writes
/// for a split lives in the caller's memory or the caller's per-thread scratch, and the split's static
/// fields are written only by the holder of the pool: a caller that does not hold it touches nothing
/// another caller uses.
/// </summary>
public static unsafe partial class WorkerPool
{
    /// <summary>The largest <see cref="Threads"/>.</summary>
    public const int MaxThreads = 256;

    private static int s_threads = DefaultThreads();

    /// <summary>
    /// Threads a split uses: the caller plus <c>Threads - 1</c> workers. Defaults to the environment
    /// variable DL_THREADS when it is a whole number from 1, else to <see cref="Environment.ProcessorCount"/>;
    /// 1 runs every kernel on the calling thread. Results are the same bits at every setting except
    /// where a sum is cut into parts (a product cut along k, a convolution's weight gradient summed
    /// over the batch): there the order of the sum depends on the number of parts.
    /// </summary>
    public static int Threads
    {
        get => Volatile.Read(ref s_threads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxThreads);
            Volatile.Write(ref s_threads, value);
        }
    }

    /// <summary>DL_THREADS if it is a whole number from 1, else the machine's processor count.</summary>
    public static int DefaultThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("DL_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? Math.Min(n, MaxThreads)
            : Math.Clamp(Environment.ProcessorCount, 1, MaxThreads);

    /// <summary>One part's claim and completion, a cache line (two, against the adjacent-line prefetcher) of its own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Slot
    {
        /// <summary>generation &lt;&lt; 2 while unclaimed, plus <see cref="ByOwner"/> or <see cref="ByOther"/> once claimed.</summary>
        [FieldOffset(0)] public long Claim;
        /// <summary>The generation of the split whose part this slot last finished.</summary>
        [FieldOffset(8)] public int Done;
        /// <summary>Nonzero while the worker is benched (<see cref="Benched"/>): any finished thread takes its part at once.</summary>
        [FieldOffset(12)] public int Eager;
        /// <summary>Nonzero while the worker sleeps, or is about to, on its gate.</summary>
        [FieldOffset(16)] public int Asleep;
        /// <summary>Chunks of this part in the current split (1: the part runs whole).</summary>
        [FieldOffset(20)] public int Chunks;
        /// <summary>generation &lt;&lt; 32 plus the next chunk to take: a chunk goes to whoever advances it.</summary>
        [FieldOffset(24)] public long Next;
        /// <summary>Chunks of the current split's part finished; the thread that finishes the last one sets <see cref="Done"/>.</summary>
        [FieldOffset(32)] public int Finished;
        /// <summary>What worker i's thread has allocated since it started, as of its last job.</summary>
        [FieldOffset(64)] public long Allocated;
    }

    private const long ByOwner = 1, ByOther = 2;
    private static readonly Slot[] s_slots = new Slot[MaxThreads];
    /// <summary>
    /// What each worker sleeps on (Monitor.Wait): a plain object made with the worker, where an event
    /// would make its lock object the first time a worker blocks, in the middle of a training loop.
    /// </summary>
    private static readonly object?[] s_gates = new object?[MaxThreads];
    private static readonly object s_startLock = new();
    private static int s_workers;   // workers 1..s_workers are running
    private static int s_busy;
    private static volatile int s_generation;
    private static delegate*<void*, int, int, int, void> s_body;
    private static delegate*<void*, int, bool> s_help;
    private static void* s_context;
    private static int s_count, s_parts;
    private static object? s_state;

    /// <summary>How long a thread that finished its part waits for another part's worker to claim it before running it itself.</summary>
    private static readonly long s_lateTicks = Stopwatch.Frequency / 50_000;

    private static long s_splits, s_workerParts, s_stolenParts;

    /// <summary>Splits run with workers so far (a diagnostic).</summary>
    public static long Splits => Volatile.Read(ref s_splits);

    /// <summary>Parts of those splits handed to workers (every part but the caller's).</summary>
    public static long WorkerParts => Volatile.Read(ref s_workerParts);

    /// <summary>
    /// Of <see cref="WorkerParts"/>, those another thread ran because their worker had not claimed them
    /// in time (asleep, or its core busy elsewhere). A large share means the cores are not really free,
    /// and splits then cost more than they give.
    /// </summary>
    public static long StolenParts => Volatile.Read(ref s_stolenParts);

    /// <summary>
    /// Bytes the worker threads have allocated so far, all of them together, as of each one's last job
    /// (a diagnostic: a warm training step allocates nothing on any thread).
    /// </summary>
    public static long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < s_slots.Length; i++) sum += Volatile.Read(ref s_slots[i].Allocated);
            return sum;
        }
    }

    /// <summary>The object the current split was given (<see cref="TryRun"/>), for bodies that need a managed object; null outside a split.</summary>
    internal static object? State => s_state;

    /// <summary>Where part <paramref name="part"/> of [0, count) cut in <paramref name="parts"/> begins (part <paramref name="parts"/>: count). Every split cuts here.</summary>
    internal static int Cut(int count, int parts, int part) => (int)((long)count * part / parts);

    /// <summary>How many parts a split of <paramref name="count"/> items and <paramref name="work"/> units gets: at most <see cref="Threads"/> and <paramref name="count"/>, each at least <paramref name="minPartWork"/>.</summary>
    internal static int Parts(int count, long work, long minPartWork) =>
        (int)Math.Max(1, Math.Min(Math.Min(Threads, count), work / minPartWork));

    /// <summary>Runs body over [0, count) in <paramref name="parts"/> parts, or everything here as part 0 when there are fewer than two or the pool is taken.</summary>
    /// <remarks>
    /// The result must not depend on the cut (each item's output its own, as for a convolution's images):
    /// a worker's part then runs as chunks, and a thread done with its own part takes the chunks a late
    /// worker has not reached, so a worker descheduled in the middle of its part stalls the split by one
    /// chunk at most, not by the rest of its part.
    /// </remarks>
    internal static void Run(delegate*<void*, int, int, int, void> body, void* context, int count, int parts)
    {
        if (!TrySplit(body, context, count, parts, null, chunked: true)) body(context, 0, count, 0);
    }

    /// <summary>Chunks per worker's part in a chunked split (fewer when the part has fewer items).</summary>
    internal const int ChunksPerPart = 4;

    private static long s_stolenChunks;

    /// <summary>Chunks of workers' parts another thread took because their worker was late with them (a diagnostic).</summary>
    public static long StolenChunks => Volatile.Read(ref s_stolenChunks);

    /// <summary>
    /// The split of Run in min(<see cref="Threads"/>, count)
    /// parts, or false with nothing run when there would be one part or the pool is taken: for callers that
    /// would rather do something else than run every part on one thread (the whole product uncut, the
    /// whole update in one pass).
    /// </summary>
    internal static bool TryRun(delegate*<void*, int, int, int, void> body, void* context, int count, object? state = null) =>
        TrySplit(body, context, count, Math.Min(Threads, count), state);

    /// <summary>
    /// <see cref="TryRun"/> for a body whose part runs as blocks any thread may take: a thread done with its
    /// own part calls <paramref name="help"/>(context, part) on a part still running 20 us later, which runs
    /// one of that part's blocks not yet begun and returns true, or returns false (none left, or none
    /// published yet). The part's body returns only once every block of it is done, by whoever ran it.
    /// </summary>
    internal static bool TryRunHelped(delegate*<void*, int, int, int, void> body, delegate*<void*, int, bool> help, void* context, int count) =>
        TrySplit(body, context, count, Math.Min(Threads, count), null, help: help);

    private static long s_helpedBlocks;

    /// <summary>Blocks of a late worker's part that another thread ran (<see cref="TryRunHelped"/>; a diagnostic).</summary>
    public static long HelpedBlocks => Volatile.Read(ref s_helpedBlocks);

    /// <summary>
    /// Runs body over [0, count) as <paramref name="parts"/> fixed parts whoever runs them: on the
    /// workers when the pool is free, else one after the other on this thread. For bodies whose result
    /// depends on where the range is cut (a sum over the batch, a product cut along k): a call gets the
    /// same bits whether or not another thread held the pool. False, with nothing run, when
    /// <paramref name="parts"/> is below two.
    /// </summary>
    internal static bool RunParts(delegate*<void*, int, int, int, void> body, void* context, int count, int parts, delegate*<void*, int, bool> help = null)
    {
        parts = Math.Min(parts, count);
        if (parts < 2) return false;
        if (TrySplit(body, context, count, parts, null, help: help)) return true;
        for (int i = 0; i < parts; i++) body(context, Cut(count, parts, i), Cut(count, parts, i + 1), i);
        return true;
    }

    /// <summary>
    /// Run's split with a managed <paramref name="state"/> (<see cref="State"/> in the body) and chunks of
    /// at least <paramref name="minChunk"/> items (fewer chunks for a short part); false, with nothing run,
    /// when there would be one part or the pool is taken. For a compiled loop split over the batch's rows
    /// (Dl.RowSplit), whose chunks must not get too few rows.
    /// </summary>
    internal static bool RunRows(delegate*<void*, int, int, int, void> body, void* context, int count, int parts, int minChunk, object state) =>
        TrySplit(body, context, count, parts, state, chunked: true, help: null, minChunk);

    private static bool TrySplit(delegate*<void*, int, int, int, void> body, void* context, int count, int parts, object? state, bool chunked = false,
        delegate*<void*, int, bool> help = null, int minChunk = 1)
    {
        parts = Math.Min(Math.Min(parts, count), MaxThreads);
        if (parts < 2 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        EnsureWorkers(parts - 1);
        s_state = state;
        s_body = body;
        s_help = help;
        s_context = context;
        s_count = count;
        s_parts = parts;
        s_splits++;
        s_workerParts += parts - 1;
        int generation = s_generation + 1;
        long unclaimed = (long)generation << 2;
        for (int i = 1; i < parts; i++)
        {
            s_slots[i].Eager = Benched(i) ? 1 : 0;
            // Next first: a thread still in the last split's RunChunk then fails its generation check or its
            // compare-and-swap before it could read this split's chunk count against the last split's Next.
            Volatile.Write(ref s_slots[i].Next, (long)generation << 32);
            s_slots[i].Finished = 0;
            Volatile.Write(ref s_slots[i].Chunks, chunked ? Math.Max(1, Math.Min(ChunksPerPart, (Cut(count, parts, i + 1) - Cut(count, parts, i)) / minChunk)) : 1);
            Volatile.Write(ref s_slots[i].Claim, unclaimed);
        }
        s_generation = generation;   // publishes the fields above
        Interlocked.MemoryBarrier();   // the generation before the Asleep flags: see Sleep
        for (int i = 1; i < parts; i++)
            if (s_slots[i].Eager == 0 && Volatile.Read(ref s_slots[i].Asleep) != 0) Wake(i);   // a benched worker is left asleep
        long started = Stopwatch.GetTimestamp();
        body(context, 0, Cut(count, parts, 1), 0);
        long finished = Stopwatch.GetTimestamp();
        RunLateParts(generation, parts, finished);
        long waitFrom = Stopwatch.GetTimestamp(), lateAfter = Math.Max(s_lateTicks, (finished - started) / 2);
        for (int i = 1; i < parts; i++)
        {
            bool slow = false;
            if (Volatile.Read(ref s_slots[i].Done) != generation)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref s_slots[i].Done) != generation)
                {
                    // A worker still on its part 20 us after this thread finished: take its chunks not yet begun.
                    if (Stopwatch.GetTimestamp() - finished >= s_lateTicks)
                    {
                        if (s_slots[i].Chunks > 1 && RunChunk(i, generation))
                        {
                            Interlocked.Increment(ref s_stolenChunks);
                            continue;
                        }
                        // A part its worker runs in blocks that any thread may take (a product's row blocks).
                        if (help != null && Volatile.Read(ref s_slots[i].Claim) == (unclaimed | ByOwner) && help(context, i))
                        {
                            Interlocked.Increment(ref s_helpedBlocks);
                            continue;
                        }
                    }
                    spin.SpinOnce(sleep1Threshold: -1);
                }
                slow = Stopwatch.GetTimestamp() - waitFrom > lateAfter;
            }
            // Late: another thread ran its part, or it finished longer after this thread than half this thread's part took.
            Judge(i, slow || Volatile.Read(ref s_slots[i].Claim) != (unclaimed | ByOwner));
        }
        s_state = null;
        Volatile.Write(ref s_busy, 0);
        return true;
    }

    /// <summary>
    /// Called by a thread that finished its part at <paramref name="finished"/>: returns once every part
    /// is claimed, running those still unclaimed 20 us after that itself, and a benched worker's at
    /// once. Normally their workers claimed them long before.
    /// </summary>
    private static void RunLateParts(int generation, int parts, long finished)
    {
        long unclaimed = (long)generation << 2;
        while (true)
        {
            bool pending = false, late = Stopwatch.GetTimestamp() - finished >= s_lateTicks;
            for (int i = 1; i < parts; i++)
            {
                if (Volatile.Read(ref s_slots[i].Claim) != unclaimed) continue;
                pending = true;
                if ((late || Volatile.Read(ref s_slots[i].Eager) != 0) && Interlocked.CompareExchange(ref s_slots[i].Claim, unclaimed | ByOther, unclaimed) == unclaimed)
                {
                    Interlocked.Increment(ref s_stolenParts);
                    RunPart(i, generation);
                }
            }
            if (!pending) return;
            Thread.SpinWait(1);
        }
    }

    /// <summary>Runs part <paramref name="part"/> of the current split, which the calling thread has claimed (so the split is still running).</summary>
    private static void RunPart(int part, int generation)
    {
        if (s_slots[part].Chunks > 1)
        {
            while (RunChunk(part, generation)) { }
            return;
        }
        int count = s_count, parts = s_parts;
        s_body(s_context, Cut(count, parts, part), Cut(count, parts, part + 1), part);
        Volatile.Write(ref s_slots[part].Done, generation);
    }

    /// <summary>
    /// Takes the next chunk of part <paramref name="part"/> of split <paramref name="generation"/> and runs
    /// it; false when every chunk is taken (or the split is over). The thread that finishes the last
    /// chunk marks the part done: the interlocked count orders every chunk's writes before it.
    /// </summary>
    private static bool RunChunk(int part, int generation)
    {
        ref var slot = ref s_slots[part];
        long next;
        int chunk, chunks;
        do
        {
            next = Volatile.Read(ref slot.Next);
            chunks = Volatile.Read(ref slot.Chunks);
            chunk = (int)(uint)next;
            if ((int)(next >> 32) != generation || chunk >= chunks) return false;
        }
        while (Interlocked.CompareExchange(ref slot.Next, next + 1, next) != next);
        int count = s_count, parts = s_parts, begin = Cut(count, parts, part), length = Cut(count, parts, part + 1) - begin;
        s_body(s_context, begin + Cut(length, chunks, chunk), begin + Cut(length, chunks, chunk + 1), part);
        if (Interlocked.Increment(ref slot.Finished) == chunks) Volatile.Write(ref slot.Done, generation);
        return true;
    }
}
