using System;
using System.Globalization;

namespace Samples;

/// <summary>How the samples print a duration in their `name value s` figures.</summary>
internal static class Durations
{
    /// <summary>
    /// Seconds with two decimals, or three significant digits below a tenth of a second: a short run
    /// (the tests' tiny ones) printed "0.00 s" for a phase of a few milliseconds, a figure that reads as
    /// no time at all and failed the tests' check that every time is positive.
    /// </summary>
    public static string Seconds(TimeSpan time) =>
        time.TotalSeconds >= 0.1 ? time.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : time.TotalSeconds.ToString("G3", CultureInfo.InvariantCulture);
}
