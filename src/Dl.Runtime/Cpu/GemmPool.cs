using System;
using System.Diagnostics;
using System.Threading;

namespace Dl.Cpu;

/// <summary>
/// Persistent helper threads (ProcessorCount - 1, started on the first parallel product) that share
/// a product's chunks with the caller. A call publishes the job in static fields and a ticket
/// (generation, next chunk); every thread, the caller included, claims chunks by compare-and-swap
/// on the ticket until none are left, then the caller waits for the chunks still running. Nothing
/// is allocated and nothing captured per call, and the split is dynamic: a helper that is late (its
/// core busy elsewhere) simply claims fewer chunks, so two threads are never much slower than one.
/// Helpers spin two milliseconds for the next job (a training step issues products back to back),
/// then sleep on an event. One product at a time uses the pool; a concurrent caller runs alone.
/// </summary>
internal static unsafe class GemmPool
{
    /// <summary>The next-chunk index once a job is finished: above any chunk count, so late claims fail.</summary>
    private const int Closed = int.MaxValue;

    /// <summary>How long a waiting caller spins before yielding (50 µs: longer than a chunk normally runs).</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 20_000;
    /// <summary>How long an idle helper spins for the next job before sleeping (2 ms: the gaps between a step's products are far shorter).</summary>
    private static readonly long s_idleTicks = Stopwatch.Frequency / 500;

    private static readonly object s_startLock = new();
    private static readonly ManualResetEventSlim s_wake = new(false);
    private static readonly GemmScratch s_sharedB = new();
    private static Thread[]? s_threads;
    private static int s_busy;          // 1 while a caller owns the pool
    private static long s_ticket = Closed;   // generation << 32 | next chunk
    private static int s_completed;     // chunks finished in this generation
    private static int s_packed;        // packing chunks finished in this generation
    private static int s_helpers;       // helpers taking part in this generation (the first s_helpers of them)
    private static GemmJob s_job;
    private static GemmDriver.Plan s_plan;

    /// <summary>
    /// Runs every chunk of <paramref name="plan"/> on up to <paramref name="threads"/> threads; false
    /// (and nothing done) when another product holds the pool.
    /// </summary>
    public static bool TryRun(in GemmJob job, ref GemmDriver.Plan plan, int threads)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        if (s_threads is null) Start();
        if (!plan.DirectB) plan.PackedB = s_sharedB.Get(plan.BlockStride * plan.KBlocks);
        s_job = job;
        s_plan = plan;
        s_helpers = Math.Min(threads - 1, s_threads!.Length);
        s_completed = 0;
        s_packed = 0;
        // Publishing the ticket (a full fence) makes the fields above visible before any claim.
        long generation = (Volatile.Read(ref s_ticket) >> 32) + 1;
        Interlocked.Exchange(ref s_ticket, generation << 32);
        s_wake.Set();
        Work(generation);
        // Chunks claimed by helpers may still be running.
        for (long since = Stopwatch.GetTimestamp(); Volatile.Read(ref s_completed) < plan.Chunks;) Pause(since);
        Interlocked.Exchange(ref s_ticket, generation << 32 | Closed);
        Volatile.Write(ref s_busy, 0);
        return true;
    }

    /// <summary>Claims and runs chunks of one generation until none are left.</summary>
    private static void Work(long generation)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref s_ticket);
            if (ticket >> 32 != generation) return;
            int chunk = (int)ticket;
            // While the ticket is open for this generation the job fields are this generation's.
            if (chunk >= s_plan.Chunks) return;
            if (Interlocked.CompareExchange(ref s_ticket, ticket + 1, ticket) != ticket) continue;
            // The claimed chunk keeps the caller waiting, so s_job and s_plan stay put until it is done.
            if (chunk >= s_plan.PackChunks)
                for (long since = Stopwatch.GetTimestamp(); Volatile.Read(ref s_packed) < s_plan.PackChunks;) Pause(since);   // B must be whole first
            GemmDriver.RunChunk(in s_job, in s_plan, chunk);
            if (chunk < s_plan.PackChunks) Interlocked.Increment(ref s_packed);
            Interlocked.Increment(ref s_completed);
        }
    }

    /// <summary>
    /// One round of waiting for a chunk another thread is running: pure spinning for the first
    /// tens of microseconds (a chunk's normal length), then yielding, so a thread whose core was
    /// taken by another process gets it back instead of being spun against until its time slice ends.
    /// </summary>
    private static void Pause(long since)
    {
        if (Stopwatch.GetTimestamp() - since < s_spinTicks) Thread.SpinWait(1);
        else Thread.Yield();
    }

    private static void Start()
    {
        lock (s_startLock)
        {
            if (s_threads is not null) return;
            var threads = new Thread[Math.Max(1, Environment.ProcessorCount - 1)];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(Loop) { IsBackground = true, Name = "Dl.Cpu.Gemm worker " + (t + 1) };
                threads[t].Start(t);
            }
            s_threads = threads;
        }
    }

    private static void Loop(object? index)
    {
        int me = (int)index!;
        long seen = Volatile.Read(ref s_ticket) >> 32;
        while (true)
        {
            // Spin a while first (a training step issues products back to back, and a wake-up from sleep
            // costs tens of microseconds), yielding often: the convolutions' batch worker (BatchWorker) may
            // need this core between products, and a spinner that never yields halved its speed.
            long idle = Stopwatch.GetTimestamp();
            for (int i = 0; Volatile.Read(ref s_ticket) >> 32 == seen && Stopwatch.GetTimestamp() - idle < s_idleTicks; i++)
            {
                if ((i & 7) == 7) Thread.Yield();
                else Thread.SpinWait(8);
            }
            if (Volatile.Read(ref s_ticket) >> 32 == seen)
            {
                s_wake.Reset();
                if (Volatile.Read(ref s_ticket) >> 32 == seen) s_wake.Wait();
                continue;
            }
            seen = Volatile.Read(ref s_ticket) >> 32;
            if (me < Volatile.Read(ref s_helpers)) Work(seen);
        }
    }
}
