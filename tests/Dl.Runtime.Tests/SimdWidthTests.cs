using System;
using System.Runtime.Intrinsics;

namespace Dl.Runtime.Tests;

/// <summary>
/// .ci/run runs the kernel and model tests again with AVX-512 off (DOTNET_EnableAVX512=0) and with only
/// 128-bit vectors (DOTNET_EnableAVX2=0), setting DL_EXPECT_MAX_VECTOR_BITS to 256 or 128. This test
/// fails when the setting did not take effect (a knob the runtime ignores, as .NET 10 ignores the old
/// DOTNET_EnableAVX512F), so those runs really cover the narrower vector paths. At most that width:
/// the machine may have less (this test cannot tell a 256-bit machine from a disabled AVX-512).
/// </summary>
public class SimdWidthTests
{
    [Fact]
    public void WidestAcceleratedVector_IsTheOneCiAskedFor()
    {
        var expected = Environment.GetEnvironmentVariable("DL_EXPECT_MAX_VECTOR_BITS");
        int widest = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        if (string.IsNullOrEmpty(expected)) return;   // an ordinary run: whatever the machine has
        // At most: a machine may have less than was allowed (no AVX-512 at all, or ARM64's 128 bits).
        Assert.True(widest <= int.Parse(expected),
            $"DL_EXPECT_MAX_VECTOR_BITS={expected} but the widest accelerated vector is {widest} bits: the DOTNET_Enable* setting did not take effect");
        Assert.True(widest >= 128, "no accelerated vectors at all: the narrow runs would test only scalar code");
    }
}
