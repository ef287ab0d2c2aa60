using System;
using System.Diagnostics;

namespace Dl.Runtime.Tests;

/// <summary>Bytes a piece of work allocates on the calling thread once warm.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="work"/> for at least 300 ms first, then returns what <paramref name="calls"/> more
    /// calls allocate. A few warm-up calls are not enough: tiered compilation promotes methods in the
    /// background some 100 ms after they get hot, and a promotion that lands inside the measured calls
    /// once showed up as a few kilobytes on this thread (a GEMM test failed 1 run in about 15).
    /// </summary>
    public static long AfterWarmUp(Action work, int calls = 10)
    {
        var clock = Stopwatch.StartNew();
        do work(); while (clock.ElapsedMilliseconds < 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) work();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
