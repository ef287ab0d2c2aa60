using System;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// A cut-independent split (<c>WorkerPool.Run</c>: a convolution's images, pooling's planes) runs each
/// worker's part as chunks: a worker stalled in the middle of its part keeps only the chunk it is in,
/// and the caller, done with its own part, takes the rest. Every item still runs exactly once.
/// </summary>
[Collection(WorkerCollection.Name)]
public unsafe class WorkerPoolChunkTests
{
    private const int Items = 64;

    private struct Record
    {
        public fixed int Runs[Items];
        public fixed int Thread[Items];
        public int Caller;
    }

    /// <summary>
    /// Notes each item's runs and thread. The caller's part takes 2 ms (time for a sleeping worker to wake
    /// and claim its part); the worker's first chunk stalls 20 ms (descheduled, say).
    /// </summary>
    private static void Body(void* context, int begin, int end, int part)
    {
        var r = (Record*)context;
        int me = Environment.CurrentManagedThreadId;
        if (begin == 0)
            for (long start = System.Diagnostics.Stopwatch.GetTimestamp(); System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds < 2;) { }
        if (begin == Items / 2 && me != r->Caller) Thread.Sleep(20);
        for (int i = begin; i < end; i++)
        {
            Interlocked.Increment(ref r->Runs[i]);
            r->Thread[i] = me;
        }
    }

    [Fact]
    public void A_stalled_worker_keeps_one_chunk_and_the_caller_takes_the_rest()
    {
        using var pool = new PoolThreads(2);
        long stolen = WorkerPool.StolenChunks;
        int chunk = Items / 2 / WorkerPool.ChunksPerPart;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var record = new Record { Caller = Environment.CurrentManagedThreadId };
            WorkerPool.Run(&Body, &record, Items, 2);
            for (int i = 0; i < Items; i++) Assert.Equal(1, record.Runs[i]);
            // The worker claimed its part and stalled in its first chunk: the caller ran every later chunk of it.
            if (record.Thread[Items / 2] != record.Caller)
            {
                for (int i = Items / 2 + chunk; i < Items; i++) Assert.Equal(record.Caller, record.Thread[i]);
                Assert.True(WorkerPool.StolenChunks >= stolen + WorkerPool.ChunksPerPart - 1, "chunks run off their worker were not counted");
                return;
            }
        }
        Assert.Fail("the worker never claimed its part in 50 splits");
    }

    [Theory]
    [InlineData(2, 7)]     // parts of 3 and 4 items: fewer chunks than ChunksPerPart where a part is short
    [InlineData(3, 64)]
    [InlineData(8, 1000)]
    [InlineData(4, 5)]
    public void Every_item_runs_once(int threads, int count)
    {
        using var pool = new PoolThreads(threads);
        var runs = new int[count];
        fixed (int* p = runs)
            for (int attempt = 0; attempt < 20; attempt++)
            {
                Array.Clear(runs);
                WorkerPool.Run(&Count, p, count, threads);
                foreach (int r in runs) Assert.Equal(1, r);
            }
    }

    private static void Count(void* context, int begin, int end, int part)
    {
        var runs = (int*)context;
        for (int i = begin; i < end; i++) Interlocked.Increment(ref runs[i]);
    }
}
