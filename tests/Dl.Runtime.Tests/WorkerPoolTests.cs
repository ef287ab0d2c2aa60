using System;
using System.Linq;
using System.Diagnostics;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// The split itself: each part runs exactly once over its fixed range, part i on worker i when the
/// workers are awake, on another thread when its worker is late; one thread runs everything here.
/// </summary>
[Collection(WorkerCollection.Name)]
public unsafe class WorkerPoolTests
{
    private const int MaxParts = 16;

    private struct Record
    {
        public fixed int Runs[MaxParts];
        public fixed int Begin[MaxParts];
        public fixed int End[MaxParts];
        public fixed int Thread[MaxParts];
        public fixed byte OnOwner[MaxParts];
        public long Part0Ticks;
    }

    private static readonly string[] s_workerNames = CreateNames();

    private static string[] CreateNames()
    {
        var names = new string[MaxParts];
        for (int i = 0; i < MaxParts; i++) names[i] = $"Dl.Cpu worker {i}";
        return names;
    }

    /// <summary>Part 0 busy-waits a while (a real part's length), then each part notes its range, that it ran, and where.</summary>
    private static void Body(void* context, int begin, int end, int part)
    {
        var r = (Record*)context;
        if (part == 0)
            for (long start = Stopwatch.GetTimestamp(); Stopwatch.GetTimestamp() - start < r->Part0Ticks;) { }
        Interlocked.Increment(ref r->Runs[part]);
        r->Begin[part] = begin;
        r->End[part] = end;
        r->Thread[part] = Environment.CurrentManagedThreadId;
        r->OnOwner[part] = (byte)(part > 0 && Thread.CurrentThread.Name == s_workerNames[part] ? 1 : 0);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 101)]
    [InlineData(3, 3)]
    [InlineData(3, 100)]
    [InlineData(4, 7)]
    [InlineData(8, 8)]
    [InlineData(8, 1000)]
    [InlineData(8, 5)]   // fewer items than threads: one part per item
    public void Every_part_runs_once_over_its_fixed_range(int threads, int count)
    {
        using var pool = new PoolThreads(threads);
        int parts = Math.Min(threads, count);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var record = new Record();
            Assert.True(WorkerPool.TryRun(&Body, &record, count));
            for (int i = 0; i < parts; i++)
            {
                Assert.Equal(1, record.Runs[i]);
                Assert.Equal((int)((long)count * i / parts), record.Begin[i]);
                Assert.Equal((int)((long)count * (i + 1) / parts), record.End[i]);
            }
            for (int i = parts; i < MaxParts; i++) Assert.Equal(0, record.Runs[i]);
            Assert.Equal(Environment.CurrentManagedThreadId, record.Thread[0]);
        }
    }

    /// <summary>Two threads, and one per core: with more threads than cores, a worker waiting for a core is late by design.</summary>
    public static TheoryData<int> UpToTheCores => new(new[] { 2, Math.Min(Environment.ProcessorCount, MaxParts) }.Distinct());

    [Theory]
    [MemberData(nameof(UpToTheCores))]
    public void Awake_workers_run_their_own_parts(int threads)
    {
        using var pool = new PoolThreads(threads);
        // Part 0 takes a millisecond, so every worker has woken and claimed its part before another
        // thread could take it over (on a shared machine one may be descheduled now and then: 200 tries).
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var record = new Record { Part0Ticks = Stopwatch.Frequency / 1000 };
            Assert.True(WorkerPool.TryRun(&Body, &record, threads));
            bool all = true;
            for (int i = 1; i < threads; i++) all &= record.OnOwner[i] == 1;
            if (all) return;
        }
        Assert.Fail($"in 200 splits, never did each of {threads - 1} workers run its own part");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_late_part_runs_on_another_thread(int threads)
    {
        using var pool = new PoolThreads(threads);
        long stolen = WorkerPool.StolenParts;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            // After 5 ms idle the workers sleep; a split whose first part is instant finds them still waking up.
            Thread.Sleep(5);
            var record = new Record();
            Assert.True(WorkerPool.TryRun(&Body, &record, threads));
            for (int i = 0; i < threads; i++) Assert.Equal(1, record.Runs[i]);
            bool anyElsewhere = false;
            for (int i = 1; i < threads; i++) anyElsewhere |= record.OnOwner[i] == 0;
            if (anyElsewhere)
            {
                Assert.True(WorkerPool.StolenParts > stolen, "a part ran off its worker without being counted as stolen");
                return;
            }
        }
        Assert.Fail("no thread ever took over the part of a sleeping worker");
    }

    /// <summary>
    /// A worker late split after split (asleep each time) is benched, every part still running once;
    /// once on time again (part 0 takes a millisecond, time enough to wake) it is back, after at most
    /// a bench and a second, twice as long one (<see cref="WorkerPool.ShortestBench"/>).
    /// </summary>
    [Fact]
    public void A_worker_late_again_and_again_is_benched_then_comes_back()
    {
        using var pool = new PoolThreads(2);
        Assert.False(WorkerPool.Benched(1));
        int late = 0;
        for (; late < 200 && !WorkerPool.Benched(1); late++)
        {
            Thread.Sleep(5);
            var record = new Record();
            Assert.True(WorkerPool.TryRun(&Body, &record, 2));
            Assert.Equal(1, record.Runs[1]);
        }
        Assert.True(WorkerPool.Benched(1), "200 splits with a sleeping worker did not bench it");
        Assert.InRange(late, WorkerPool.LateRunToBench, 199);
        int benched = 0;
        for (; benched < 3 * WorkerPool.ShortestBench + 10 && WorkerPool.Benched(1); benched++)
        {
            var record = new Record { Part0Ticks = Stopwatch.Frequency / 1000 };
            Assert.True(WorkerPool.TryRun(&Body, &record, 2));
            Assert.Equal(1, record.Runs[1]);
        }
        Assert.False(WorkerPool.Benched(1), $"still benched after {benched} splits with time to spare");
    }

    [Fact]
    public void One_thread_runs_everything_on_the_caller()
    {
        using var pool = new PoolThreads(1);
        var record = new Record();
        Assert.False(WorkerPool.TryRun(&Body, &record, 10));
        Assert.False(WorkerPool.RunParts(&Body, &record, 10, 1));
        Assert.Equal(0, record.Runs[0]);
        WorkerPool.Run(&Body, &record, 10, WorkerPool.Parts(10, work: 10, minPartWork: 1));   // as many parts as threads allow
        Assert.Equal(1, record.Runs[0]);
        Assert.Equal((0, 10), (record.Begin[0], record.End[0]));
        Assert.Equal(0, record.Runs[1]);
        Assert.Equal(Environment.CurrentManagedThreadId, record.Thread[0]);
    }

    [Fact]
    public void DL_THREADS_sets_the_default_thread_count()
    {
        string? was = Environment.GetEnvironmentVariable("DL_THREADS");
        try
        {
            Environment.SetEnvironmentVariable("DL_THREADS", "3");
            Assert.Equal(3, WorkerPool.DefaultThreads());
            Environment.SetEnvironmentVariable("DL_THREADS", "1");
            Assert.Equal(1, WorkerPool.DefaultThreads());
            Environment.SetEnvironmentVariable("DL_THREADS", "100000");
            Assert.Equal(WorkerPool.MaxThreads, WorkerPool.DefaultThreads());
            foreach (string unusable in new[] { "0", "-2", "two", "" })
            {
                Environment.SetEnvironmentVariable("DL_THREADS", unusable);
                Assert.Equal(Math.Min(Environment.ProcessorCount, WorkerPool.MaxThreads), WorkerPool.DefaultThreads());
            }
        }
        finally { Environment.SetEnvironmentVariable("DL_THREADS", was); }
    }

    [Fact]
    public void Threads_out_of_range_are_refused()
    {
        int was = WorkerPool.Threads;
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Threads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Threads = WorkerPool.MaxThreads + 1);
        Assert.Equal(was, WorkerPool.Threads);
    }
}
