using System;
using System.Globalization;
using Samples;
using Xunit;

namespace Dl.Samples.Tests;

/// <summary>The samples' time figures: a phase of a few milliseconds printed as "0.00 s" and failed the tests' positive-time checks.</summary>
public class DurationsTests
{
    [Theory]
    [InlineData(30)]            // 3 us
    [InlineData(43_000)]        // 4.3 ms: "0.00" with two decimals
    [InlineData(999_999)]
    public void A_short_positive_time_prints_as_a_positive_number(long ticks)
    {
        string text = Durations.Seconds(TimeSpan.FromTicks(ticks));
        double seconds = double.Parse(text, CultureInfo.InvariantCulture);
        Assert.True(seconds > 0, text);
        Assert.InRange(seconds, ticks / 1e7 * 0.99, ticks / 1e7 * 1.01);
    }

    [Theory]
    [InlineData(1.234, "1.23")]
    [InlineData(0.1, "0.10")]
    [InlineData(125.5, "125.50")]
    [InlineData(0.0043, "0.0043")]
    public void Seconds_have_two_decimals_from_a_tenth_of_a_second_and_three_digits_below(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Seconds(TimeSpan.FromSeconds(seconds)));
}
