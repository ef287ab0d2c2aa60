using Dl.Gpu;
using Xunit.Sdk;

namespace Dl.Gpu.Tests;

/// <summary>
/// One ILGPU CPU accelerator for the whole test run (creating a context is slow), used by one
/// collection at a time: the emulator runs a group's threads as real threads, and this machine has two cores.
/// </summary>
public static class Accelerator
{
    private static readonly Lazy<GpuDevice> s_device = new(() => GpuDevice.Create(DeviceKind.CpuAccelerator));
    public static GpuDevice Device => s_device.Value;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AcceleratorCollection
{
    public const string Name = "ILGPU CPU accelerator";
}

/// <summary>A fact that needs a CUDA GPU: skipped, with the devices ILGPU did find, where there is none (CI).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!GpuDevice.Available(DeviceKind.Cuda))
            Skip = "no CUDA device: ILGPU found " + GpuDevice.Describe();
    }
}

/// <summary>Tolerance checks that name the first offending element.</summary>
public static class Near
{
    public static void All(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double abs, double rel, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (!(err <= abs + rel * Math.Abs(expected[i])))
                throw new XunitException($"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}, error {err:E2}");
        }
    }

    public static void All(ReadOnlySpan<float> actual, double[] expected, double abs, double rel, string what) =>
        All(actual, expected.Select(v => (float)v).ToArray(), abs, rel, what);
}
