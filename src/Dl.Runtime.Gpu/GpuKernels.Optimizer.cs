using System;
using Dl.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu;

// The optimizer updates and the clipping norm, loaded like the other kernels: once, on first use.
// Internal: GpuOptimizer is their one caller, and it owns the state and scale buffers they take.
public sealed partial class GpuKernels
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>? _sgdUpdate;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>? _momentum, _squares;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>? _adam;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int>? _sumSquares;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, float>? _clipScale;

    internal void SgdUpdate(AcceleratorStream stream, ArrayView<float> p, ArrayView<float> g, ArrayView<float> scale, UpdateArgs args)
    {
        if (p.Length == 0) return;
        _sgdUpdate ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>(OptimizerKernels.Sgd);
        _sgdUpdate(stream, p.IntLength, p, g, scale, args);
    }

    internal void MomentumUpdate(AcceleratorStream stream, ArrayView<float> p, ArrayView<float> g, ArrayView<float> velocity, ArrayView<float> scale, UpdateArgs args)
    {
        if (p.Length == 0) return;
        _momentum ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>(OptimizerKernels.Momentum);
        _momentum(stream, p.IntLength, p, g, velocity, scale, args);
    }

    internal void SquaresUpdate(AcceleratorStream stream, ArrayView<float> p, ArrayView<float> g, ArrayView<float> squares, ArrayView<float> scale, UpdateArgs args)
    {
        if (p.Length == 0) return;
        _squares ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>(OptimizerKernels.Squares);
        _squares(stream, p.IntLength, p, g, squares, scale, args);
    }

    internal void AdamUpdate(AcceleratorStream stream, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, ArrayView<float> scale, UpdateArgs args)
    {
        if (p.Length == 0) return;
        _adam ??= _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateArgs>(OptimizerKernels.Adam);
        _adam(stream, p.IntLength, p, g, m, v, scale, args);
    }

    /// <summary>
    /// scale[0] = the factor that brings g's Euclidean norm down to <paramref name="maxNorm"/> (1 when it
    /// is already within), scale[1] = the norm; <paramref name="partials"/> holds one float per group
    /// (<see cref="OptimizerKernels.MaxNormGroups"/> at most). Two launches, no read-back.
    /// </summary>
    internal void ClipScale(AcceleratorStream stream, ArrayView<float> g, ArrayView<float> partials, ArrayView<float> scale, float maxNorm)
    {
        _sumSquares ??= _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int>(OptimizerKernels.SumSquares);
        _clipScale ??= _accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, float>(OptimizerKernels.ClipScale);
        int length = g.IntLength;
        // About eight elements a thread before the grid stops growing: small models get one group,
        // large ones every group the second stage can add up in one pass.
        const int perGroup = OptimizerKernels.GroupSize * 8;
        int groups = Math.Clamp((length + perGroup - 1) / perGroup, 1, Math.Min(OptimizerKernels.MaxNormGroups, partials.IntLength));
        _sumSquares(stream, new KernelConfig(groups, OptimizerKernels.GroupSize), g, partials, length);
        _clipScale(stream, new KernelConfig(1, OptimizerKernels.GroupSize), partials, scale, groups, maxNorm);
    }
}
