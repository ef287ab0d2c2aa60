using System;
using System.Diagnostics;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>The split itself: each part runs exactly once, on the helper when it is awake, on the caller when it is late.</summary>
[Collection(WorkerCollection.Name)]
public unsafe class HelperThreadTests
{
    private struct Record
    {
        public int Runs0, Runs1, Part1Thread;
        public long Part0Ticks;
    }

    /// <summary>Part 0 busy-waits a while (a real part's length), then each part notes that it ran and where.</summary>
    private static void Body(void* context, int begin, int end, int part)
    {
        var r = (Record*)context;
        if (begin == 0)
        {
            for (long start = Stopwatch.GetTimestamp(); Stopwatch.GetTimestamp() - start < r->Part0Ticks;) { }
            r->Runs0++;
        }
        if (end == 2)
        {
            r->Runs1++;
            r->Part1Thread = Environment.CurrentManagedThreadId;
        }
    }

    [Fact]
    public void An_awake_helper_runs_the_second_part()
    {
        Assert.True(Split(part0Microseconds: 1000, sleepFirst: false), "the helper never ran its part in 200 back-to-back splits");
    }

    [Fact]
    public void A_late_helper_part_runs_on_the_caller()
    {
        // After 5 ms idle the helper sleeps; a split whose first part is instant finds it still waking up.
        Assert.True(Split(part0Microseconds: 0, sleepFirst: true, wantCaller: true), "the caller never took over the part of a sleeping helper");
    }

    /// <summary>Runs splits until part 1 ran on the wanted thread (true) or 200 tries passed (false); every split must run each part once.</summary>
    private static bool Split(int part0Microseconds, bool sleepFirst, bool wantCaller = false)
    {
        if (!HelperThread.Enabled) return true;   // one core: nothing to split
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (sleepFirst) Thread.Sleep(5);
            var record = new Record { Part0Ticks = Stopwatch.Frequency * part0Microseconds / 1_000_000 };
            Assert.True(HelperThread.TryRun(&Body, &record, 2));
            Assert.Equal(1, record.Runs0);
            Assert.Equal(1, record.Runs1);
            if ((record.Part1Thread == Environment.CurrentManagedThreadId) == wantCaller) return true;
        }
        return false;
    }
}
