using System;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu;

/// <summary>
/// A model's device memory for intermediate values and its batch: one buffer of
/// <c>fixed + perSample·N</c> floats laid out by the compiler's memory plan (the batch inputs have
/// per-sample slots of their own at the end). Allocated on the first batch and reallocated only
/// when a larger batch arrives, so a steady training loop never allocates.
/// </summary>
public sealed class GpuArena : IDisposable
{
    private readonly Accelerator _accelerator;
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    public GpuArena(Accelerator accelerator, long fixedFloats, long perSampleFloats)
    {
        _accelerator = accelerator;
        Fixed = fixedFloats;
        PerSample = perSampleFloats;
    }

    public long Fixed { get; }
    public long PerSample { get; }
    /// <summary>The largest batch the current buffer holds (0 before the first).</summary>
    public int Capacity { get; private set; }
    /// <summary>How many times the buffer was (re)allocated.</summary>
    public int Allocations { get; private set; }

    /// <summary>Makes room for a batch of <paramref name="n"/>; returns true when the buffer was reallocated (its contents are gone).</summary>
    public bool Ensure(int n)
    {
        if (n <= Capacity) return false;
        _buffer?.Dispose();
        _buffer = _accelerator.Allocate1D<float>(Math.Max(1, Fixed + PerSample * n));
        Capacity = n;
        Allocations++;
        return true;
    }

    /// <summary>The whole arena (valid until the next reallocation).</summary>
    public ArrayView<float> View => _buffer is null ? throw new InvalidOperationException("the arena has no batch yet") : _buffer.View;

    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
