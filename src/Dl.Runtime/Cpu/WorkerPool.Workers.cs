using System;
using System.Diagnostics;
using System.Threading;

namespace Dl.Cpu;

/// <summary>The workers themselves: started on demand, polling briefly for the next split, then asleep until woken.</summary>
public static unsafe partial class WorkerPool
{
    private static void EnsureWorkers(int workers)
    {
        if (workers <= Volatile.Read(ref s_workers)) return;
        lock (s_startLock)
        {
            for (int i = s_workers + 1; i <= workers; i++)
            {
                s_gates[i] = new object();
                // The worker starts from the generation before this split, so it sees this split's.
                var t = new Thread(Loop) { IsBackground = true, Name = $"Dl.Cpu worker {i}" };
                t.Start(((long)s_generation << 32) | (uint)i);
            }
            Volatile.Write(ref s_workers, Math.Max(s_workers, workers));
        }
    }

    /// <summary>
    /// Creates every per-thread object a part may use (GEMM scratch, kept packings, convolution buffers
    /// and weight arrangements), so that a worker's first part of a kind allocates nothing. Without it, a
    /// worker that first runs some product long after its start (it sat benched, or its parts were taken)
    /// allocated its 32-byte scratch object then, in the middle of a warm training loop.
    /// </summary>
    internal static void PrepareThread()
    {
        GemmScratch.Prepare();
        GemmPackedB.Prepare();
        Conv.PrepareThread();
    }

    private static void Loop(object? start)
    {
        PrepareThread();
        long packed = (long)start!;
        int index = (int)(uint)packed, seen = (int)(packed >> 32);
        while (true)
        {
            // Polling, with yields so a busy core is handed over: 1-2 ms on this VM (measured; SpinWait's
            // length is calibrated per process, so the window differs by 2x between processes), longer than
            // the gap between the splits of a training step, so a worker in a training loop stays awake.
            for (int i = 0; i < 2_000 && s_generation == seen; i++)
            {
                if ((i & 63) == 63) Thread.Yield();
                else Thread.SpinWait(20);
            }
            if (s_generation == seen)
            {
                Sleep(index, seen);
                continue;
            }
            seen = s_generation;
            // A stale part count (a later split's) is harmless: the claims below carry this generation.
            int parts = s_parts;
            if (index >= parts) continue;
            long unclaimed = (long)seen << 2;
            if (Interlocked.CompareExchange(ref s_slots[index].Claim, unclaimed | ByOwner, unclaimed) == unclaimed)
                RunPart(index, seen);
            RunLateParts(seen, parts, Stopwatch.GetTimestamp());
            Volatile.Write(ref s_slots[index].Allocated, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>
    /// Sleeps until a split after <paramref name="seen"/> is published. The flag goes up before the
    /// generation is read again and the caller publishes before it reads the flag, each with a full
    /// fence between, so either this worker sees the new split or the caller sees the flag and wakes it
    /// (taking the gate, which this worker holds until Monitor.Wait releases it).
    /// </summary>
    private static void Sleep(int index, int seen)
    {
        var gate = s_gates[index]!;
        lock (gate)
        {
            Volatile.Write(ref s_slots[index].Asleep, 1);
            Interlocked.MemoryBarrier();
            while (s_generation == seen) Monitor.Wait(gate);
            Volatile.Write(ref s_slots[index].Asleep, 0);
        }
    }

    private static void Wake(int index)
    {
        var gate = s_gates[index]!;
        lock (gate) Monitor.Pulse(gate);
    }
}
