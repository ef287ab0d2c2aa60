using Dl.Tests;
using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace Dl.SourceGen.Tests;

/// <summary>The fuzz test's work budget is only as good as its clock: it must count work and not waiting.</summary>
public class ThreadCpuTimeTests
{
    [Fact]
    public void Counts_work_on_this_thread_and_not_sleep()
    {
        Assert.True(ThreadCpuTime.IsThreadClock || !OperatingSystem.IsLinux(), "on Linux the thread CPU clock must be readable");
        if (!ThreadCpuTime.IsThreadClock) return;

        var start = ThreadCpuTime.Now();
        Thread.Sleep(400);
        var slept = ThreadCpuTime.Now() - start;
        Assert.True(slept < TimeSpan.FromMilliseconds(100), $"400 ms of sleep counted {slept.TotalMilliseconds:F0} ms of CPU");

        // Spin until the clock has advanced 200 ms; a clock that does not count work never gets there.
        var wall = Stopwatch.StartNew();
        start = ThreadCpuTime.Now();
        double sink = 0;
        while (ThreadCpuTime.Now() - start < TimeSpan.FromMilliseconds(200) && wall.Elapsed < TimeSpan.FromSeconds(30))
            for (int i = 0; i < 10_000; i++) sink += Math.Sqrt(i);
        Assert.True(ThreadCpuTime.Now() - start >= TimeSpan.FromMilliseconds(200), $"30 s of spinning counted {(ThreadCpuTime.Now() - start).TotalMilliseconds:F0} ms (sink {sink})");
    }
}
