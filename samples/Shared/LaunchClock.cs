using System;
using System.Diagnostics;
using System.Globalization;

namespace Samples;

/// <summary>
/// Time since this process was launched, for cold-start figures. A launcher that sets <c>DL_LAUNCH_UNIX_US</c> (its
/// clock in microseconds since the Unix epoch, e.g. <c>$(date +%s%6N)</c>) just before starting the process gives
/// the runtime's own start-up too; without it the process start time is used (10 ms resolution on Linux).
/// Shared by samples/Inference and benchmarks/OnnxVsOrt, so both sides of a comparison start the clock alike.
/// </summary>
internal static class LaunchClock
{
    public const string Variable = "DL_LAUNCH_UNIX_US";

    /// <summary>Milliseconds from the launch to now; <paramref name="source"/> says which clock gave the launch.</summary>
    public static double SinceLaunchMs(out string source)
    {
        DateTime now = DateTime.UtcNow;
        if (TryParseLaunch(Environment.GetEnvironmentVariable(Variable), out DateTime launch))
        {
            source = $"launcher ({Variable})";
            return (now - launch).TotalMilliseconds;
        }
        source = "process start time (10 ms resolution)";
        using var self = Process.GetCurrentProcess();
        return (now - self.StartTime.ToUniversalTime()).TotalMilliseconds;
    }

    /// <summary>The launch instant (UTC) from the variable's value: whole microseconds since the Unix epoch, nothing else.</summary>
    public static bool TryParseLaunch(string? value, out DateTime launchUtc)
    {
        launchUtc = default;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long us)) return false;
        if (us > (DateTime.MaxValue - DateTime.UnixEpoch).Ticks / 10) return false;
        launchUtc = DateTime.UnixEpoch.AddTicks(us * 10);
        return true;
    }
}
