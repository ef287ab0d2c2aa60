using System;
using System.Globalization;
using Samples;

namespace Dl.Samples.Tests;

/// <summary>
/// The launcher's clock (DL_LAUNCH_UNIX_US, microseconds since the Unix epoch from <c>date +%s%6N</c>) that
/// samples/Inference and benchmarks/OnnxVsOrt start their cold-start figures from: a value that is not plain digits
/// must fall back to the process start time rather than give a wrong launch instant.
/// </summary>
public class LaunchClockTests
{
    [Fact]
    public void Microseconds_since_the_epoch_give_that_instant_in_utc()
    {
        var launch = new DateTime(2026, 12, 3, 17, 30, 0, DateTimeKind.Utc).AddTicks(1234560);   // .123456 s
        long us = (launch - DateTime.UnixEpoch).Ticks / 10;

        Assert.True(LaunchClock.TryParseLaunch(us.ToString(CultureInfo.InvariantCulture), out var parsed));
        Assert.Equal(launch, parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" 1764783000000000")]
    [InlineData("-1764783000000000")]
    [InlineData("1764783000.5")]
    [InlineData("1764783000000000us")]
    [InlineData("99999999999999999999")]   // beyond a long
    [InlineData("900000000000000000")]     // a long, but after DateTime.MaxValue
    public void Anything_but_plain_microseconds_in_range_is_refused(string? value)
    {
        Assert.False(LaunchClock.TryParseLaunch(value, out _));
    }
}
