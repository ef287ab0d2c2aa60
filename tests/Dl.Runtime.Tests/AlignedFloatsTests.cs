using System;
using System.Collections.Generic;

namespace Dl.Runtime.Tests;

/// <summary>
/// <see cref="AlignedFloats"/>: every view starts on a 64-byte line whatever address the array got,
/// holds exactly the floats asked for, zeroed, and stays put (pinned).
/// </summary>
public class AlignedFloatsTests
{
    private static unsafe long Address(Span<float> s)
    {
        fixed (float* p = s) return (long)p;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100_352)]
    public void Storage_starts_on_a_line_and_is_zeroed(int length)
    {
        // Many small allocations in between, so the arrays land at many different offsets within a line.
        var kept = new List<AlignedFloats>();
        for (int i = 0; i < 40; i++)
        {
            var storage = new AlignedFloats(length);
            kept.Add(storage);
            _ = new byte[8 * (i % 7) + 1];
            Assert.Equal(length, storage.Span.Length);
            Assert.Equal(0, Address(storage.Span) % AlignedFloats.Alignment);
            Assert.All(storage.Span.ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Slices_are_views_of_the_same_floats()
    {
        var storage = new AlignedFloats(64);
        storage.Slice(16, 16).Fill(2f);
        Assert.Equal(2f, storage.Span[16]);
        Assert.Equal(0f, storage.Span[15]);
        Assert.Equal(0, Address(storage.Slice(16, 16)) % AlignedFloats.Alignment);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Slice(60, 5));
    }

    [Fact]
    public void The_address_survives_a_compacting_collection()
    {
        var storage = new AlignedFloats(1000);
        long before = Address(storage.Span);
        for (int i = 0; i < 1000; i++) _ = new float[100];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Assert.Equal(before, Address(storage.Span));
    }

    [Fact]
    public void Empty_and_default_storage_have_no_floats_and_bad_lengths_are_refused()
    {
        Assert.Equal(0, new AlignedFloats(0).Span.Length);
        Assert.Equal(0, default(AlignedFloats).Span.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(AlignedFloats.MaxLength + 1));
        Assert.Equal(AlignedFloats.MaxLength, Array.MaxLength - 15L);
    }
}
