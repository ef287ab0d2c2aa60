using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dl.Tests;

/// <summary>
/// CPU time spent by the calling thread. A bound on work ("this case must not blow up") read from a
/// wall clock fails whenever the machine is busy: on two cores under other builds a 1 s case takes 6 s.
/// The thread's own CPU time counts only the work the case did, so the bound means the same on a quiet
/// and on a loaded machine. Linux only (clock_gettime with CLOCK_THREAD_CPUTIME_ID); elsewhere the wall
/// clock, which is what the bound was before.
/// </summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static readonly Stopwatch Wall = Stopwatch.StartNew();

    /// <summary>True when <see cref="Now"/> reads the thread's CPU clock, false when it falls back to the wall clock.</summary>
    public static bool IsThreadClock { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>The calling thread's CPU time so far (a difference of two readings on one thread is its work in between).</summary>
    public static TimeSpan Now()
    {
        if (IsThreadClock && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0)
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        return Wall.Elapsed;
    }

    private static bool Probe()
    {
        try { return ClockGetTime(ClockThreadCpuTimeId, out _) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
