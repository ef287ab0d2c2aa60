using System;
using System.Collections.Generic;
using Dl.Gpu.Kernels;
using Dl.Training;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu;

/// <summary>
/// Runs a <see cref="Dl.Training.Optimizer"/>'s update on a GPU: one fused kernel over every parameter
/// per step, its state slots in device buffers, nothing copied or waited for (but for the first step, which
/// uploads any state the optimizer already holds). The wrapped optimizer
/// stays the one place for hyper-parameters, the learning rate and its schedule, <see cref="Optimizer.StepCount"/>
/// (advanced by each <see cref="Step"/>) and the slot names checkpoints use.
/// </summary>
/// <remarks>
/// <para>The device buffers are allocated on the first step, sized to the parameters, and start from the
/// optimizer's <see cref="Optimizer.State"/> when it holds one (a loaded checkpoint, earlier CPU steps),
/// else from zero. From then on the device copy is the state: call <see cref="CopyStateToHost"/> before
/// saving a checkpoint, and <see cref="UploadState"/> after loading one or calling <see cref="Optimizer.Reset"/>.</para>
/// <para>Gradient clipping (<see cref="Optimizer.MaxGradientNorm"/>) reduces the global norm on the device
/// and leaves the factor in a device buffer that the update reads, so it too waits for nothing;
/// <see cref="Optimizer.LastGradientNorm"/> is therefore not updated: <see cref="ReadGradientNorm"/> reads it.</para>
/// <para>Supported rules: <see cref="Sgd"/>, <see cref="Momentum"/> (Nesterov too), <see cref="RmsProp"/>,
/// <see cref="AdaGrad"/>, <see cref="Adam"/> and <see cref="AdamW"/>, each with its weight decay. A subclass
/// of <see cref="Adam"/> could override its update, which no kernel here knows, so it is refused.</para>
/// </remarks>
public sealed class GpuOptimizer : IDisposable
{
    private GpuDevice? _device;
    private MemoryBuffer1D<float, Stride1D.Dense>[] _slots = [];
    // [0] the clip factor the updates multiply gradients by (1 when clipping is off), [1] the last norm,
    // [2..] one partial sum of squares per group of the norm reduction.
    private MemoryBuffer1D<float, Stride1D.Dense>? _scratch;
    // The gradients of a part's ranges with zeros elsewhere, for the clipping norm of a step over a part (allocated on first use).
    private MemoryBuffer1D<float, Stride1D.Dense>? _masked;
    private int _length = -1;
    private IReadOnlyList<(int Offset, int Length)>? _overlapPart, _overlapTrainable, _overlap;

    /// <summary>Wraps <paramref name="optimizer"/>; nothing is allocated until the first <see cref="Step"/>.</summary>
    public GpuOptimizer(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer is not (Sgd or Momentum or RmsProp or AdaGrad or AdamW) && optimizer.GetType() != typeof(Adam))
            throw new NotSupportedException(
                $"the GPU backend has no kernel for {optimizer.GetType().Name}: it runs Sgd, Momentum, RmsProp, AdaGrad, Adam and AdamW");
        Optimizer = optimizer;
    }

    /// <summary>The rule, its hyper-parameters and step count; its <see cref="Optimizer.State"/> is current only after <see cref="CopyStateToHost"/>.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The device whose buffers hold the state: that of the first step, null before it.</summary>
    public GpuDevice? Device => _device;

    /// <summary>
    /// Enqueues one update of <paramref name="parameters"/> from <paramref name="gradients"/> (device views of
    /// equal length on <paramref name="device"/>, e.g. a generated model's <c>ParameterView</c> and
    /// <c>GradientView</c>): the clipping norm when <see cref="Optimizer.MaxGradientNorm"/> is positive,
    /// then the rule's kernel. Returns without waiting for the device.
    /// </summary>
    public void Step(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters", nameof(gradients));
        EnsureState(device, parameters.IntLength);
        var stream = device.Stream;
        var scratch = _scratch!.View;
        var scale = scratch.SubView(0, 2);
        if (Optimizer.MaxGradientNorm > 0)
            device.Kernels.ClipScale(stream, gradients, scratch.SubView(2, scratch.Length - 2), scale, Optimizer.MaxGradientNorm);
        // After the norm, as on the CPU; the host-side count and rate stay the single source for both backends.
        var (lr, step) = Optimizer.AdvanceStep();
        Launch(device.Kernels, stream, 0, parameters.IntLength, parameters, gradients, scale, lr, step);
    }

    /// <summary>
    /// Enqueues one update of the (offset, length) ranges <paramref name="part"/> lists, in order and disjoint, and of
    /// nothing else: what a generated <c>Gpu.Train{Objective}</c> and a step of a model with frozen tensors call. The
    /// other parameters and their optimizer state keep their values; the clipping norm is that of the ranges'
    /// gradients, as on the CPU. Returns without waiting for the device.
    /// </summary>
    /// <exception cref="ArgumentException">A range lies outside the parameters, or the ranges are not in order and disjoint.</exception>
    public void Step(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, IReadOnlyList<(int Offset, int Length)> part)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(part);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters", nameof(gradients));
        long end = 0;
        for (int r = 0; r < part.Count; r++)
        {
            var (offset, count) = part[r];
            if (offset < end || count < 0 || offset > parameters.Length - count)
                throw new ArgumentException($"the range ({offset}, {count}) lies outside the {parameters.Length} parameters or before the range ahead of it", nameof(part));
            end = offset + count;
        }
        EnsureState(device, parameters.IntLength);
        var stream = device.Stream;
        var scratch = _scratch!.View;
        var scale = scratch.SubView(0, 2);
        if (Optimizer.MaxGradientNorm > 0)
        {
            // The norm of the ranges' gradients only: they are copied into a zeroed buffer the norm reads.
            _masked ??= device.Accelerator.Allocate1D<float>(Math.Max(1, _length));
            var masked = _masked.View.SubView(0, _length);
            masked.MemSetToZero(stream);
            for (int r = 0; r < part.Count; r++)
                if (part[r] is var (offset, count) && count > 0) device.Kernels.Copy(stream, gradients.SubView(offset, count), masked.SubView(offset, count));
            device.Kernels.ClipScale(stream, masked, scratch.SubView(2, scratch.Length - 2), scale, Optimizer.MaxGradientNorm);
        }
        var (lr, step) = Optimizer.AdvanceStep();
        for (int r = 0; r < part.Count; r++)
            if (part[r] is var (offset, count) && count > 0) Launch(device.Kernels, stream, offset, count, parameters, gradients, scale, lr, step);
    }

    /// <summary>
    /// Enqueues one update of a generated model's device parameters that leaves its frozen tensors
    /// (<see cref="Freezing.Freeze"/>, <c>[Frozen]</c>) as they are: of <paramref name="part"/> (an objective's ranges)
    /// or of everything when it is null, less what is frozen. What the generated <c>Gpu.TrainStep(optimizer)</c> and
    /// <c>Gpu.Train{Objective}</c> call; allocates nothing from step to step.
    /// </summary>
    public void Step(GpuDevice device, ICompiledModel model, ArrayView<float> parameters, ArrayView<float> gradients, (int Offset, int Length)[]? part = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var trainable = Freezing.TrainableRanges(model);
        if (trainable is null)
        {
            if (part is null) Step(device, parameters, gradients);
            else Step(device, parameters, gradients, part);
            return;
        }
        if (part is null) { Step(device, parameters, gradients, trainable); return; }
        // Freezing rebuilds its ranges only on Freeze or Unfreeze and a part is one static array: keep their overlap.
        if (!ReferenceEquals(part, _overlapPart) || !ReferenceEquals(trainable, _overlapTrainable))
            (_overlapPart, _overlapTrainable, _overlap) = (part, trainable, Freezing.Overlap(part, trainable));
        Step(device, parameters, gradients, _overlap!);
    }

    /// <summary>
    /// Copies the device state into <see cref="Optimizer"/> (its <see cref="Optimizer.State"/>, keeping its
    /// step count), waiting for the device: do this before <c>Checkpoint.Save(path, model, optimizer)</c>.
    /// Before the first step the optimizer's own state is current and nothing is copied.
    /// </summary>
    public void CopyStateToHost()
    {
        if (_device is null) return;
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int s = 0; s < _slots.Length; s++)
        {
            var values = new float[_length];
            _device.Download<float>(_slots[s].View.SubView(0, _length), values);
            state.Add(Optimizer.SlotNames[s], values);
        }
        Optimizer.LoadState(state, Optimizer.StepCount);
    }

    /// <summary>
    /// Replaces the device state with <see cref="Optimizer"/>'s (zero when it has none), e.g. after
    /// <c>Checkpoint.Load</c> or <see cref="Optimizer.Reset"/>. Before the first step there is nothing to
    /// replace: the first step starts from the optimizer's state anyway.
    /// </summary>
    public void UploadState()
    {
        if (_device is null || _length == 0) return;
        var state = Optimizer.State;
        for (int s = 0; s < _slots.Length; s++)
        {
            var view = _slots[s].View.SubView(0, _length);
            if (state.Count == 0) view.MemSetToZero(_device.Stream);
            else _device.Upload<float>(state[Optimizer.SlotNames[s]], view);
        }
    }

    /// <summary>The global gradient norm measured by the last clipped step (0 when clipping is off or before a step); waits for the device.</summary>
    public float ReadGradientNorm()
    {
        if (_device is null || Optimizer.MaxGradientNorm <= 0) return 0;
        Span<float> norm = stackalloc float[1];
        _device.Download(_scratch!.View.SubView(1, 1), norm);
        return norm[0];
    }

    public void Dispose()
    {
        foreach (var slot in _slots) slot.Dispose();
        _slots = [];
        _scratch?.Dispose();
        _scratch = null;
        _masked?.Dispose();
        _masked = null;
        _device = null;
        _length = -1;
    }

    /// <summary>
    /// The rule's kernel with its scalars over [offset, offset + length) of the parameters, the gradients and every
    /// state slot: the one place that maps an optimizer type to device work.
    /// </summary>
    private void Launch(GpuKernels kernels, AcceleratorStream stream, int offset, int length, ArrayView<float> parameters, ArrayView<float> gradients,
        ArrayView<float> scale, float lr, long step)
    {
        var p = parameters.SubView(offset, length);
        var g = gradients.SubView(offset, length);
        ArrayView<float> Slot(int index) => _slots[index].View.SubView(offset, length);
        float wd = Optimizer.WeightDecay;
        switch (Optimizer)
        {
            case Sgd:
                kernels.SgdUpdate(stream, p, g, scale, new UpdateArgs { Rate = lr, Decay = 1 - lr * wd });
                break;
            case Momentum m:
                kernels.MomentumUpdate(stream, p, g, Slot(0), scale, new UpdateArgs { Rate = lr, L2 = wd, Beta1 = m.Coefficient, Nesterov = m.Nesterov ? 1 : 0 });
                break;
            case RmsProp r:
                kernels.SquaresUpdate(stream, p, g, Slot(0), scale, new UpdateArgs { Rate = lr, L2 = wd, Beta2 = r.Rho, OneMinusBeta2 = 1 - r.Rho, Epsilon = r.Epsilon });
                break;
            case AdaGrad a:
                // A plain running sum: 1·s + 1·g² is exactly s + g² in float.
                kernels.SquaresUpdate(stream, p, g, Slot(0), scale, new UpdateArgs { Rate = lr, L2 = wd, Beta2 = 1, OneMinusBeta2 = 1, Epsilon = a.Epsilon });
                break;
            default:
                var adam = (Adam)Optimizer;
                bool decoupled = adam is AdamW;
                var (stepSize, inverseRootC2) = Optimizers.AdamScalars(lr, adam.Beta1, adam.Beta2, step);
                kernels.AdamUpdate(stream, p, g, Slot(0), Slot(1), scale, new UpdateArgs
                {
                    Rate = stepSize, InverseRootC2 = inverseRootC2, Epsilon = adam.Epsilon,
                    Beta1 = adam.Beta1, OneMinusBeta1 = 1 - adam.Beta1, Beta2 = adam.Beta2, OneMinusBeta2 = 1 - adam.Beta2,
                    Decay = decoupled ? 1 - lr * wd : 1, L2 = decoupled ? 0 : wd,
                });
                break;
        }
    }

    /// <summary>Binds to the first step's device and allocates there; later steps must match it.</summary>
    private void EnsureState(GpuDevice device, int length)
    {
        if (_device is not null)
        {
            if (!ReferenceEquals(device, _device))
                throw new InvalidOperationException($"this GpuOptimizer holds its state on {_device}, not {device}; use one per device");
            if (length != _length)
                throw new InvalidOperationException($"this GpuOptimizer holds state for {_length} parameters, not {length}; use one per model");
            return;
        }
        var state = Optimizer.State;
        foreach (var values in state.Values)
            if (values.Length != length)
                throw new InvalidOperationException($"{Optimizer.GetType().Name} holds state for {values.Length} parameters, not {length}; use one per model");
        var accelerator = device.Accelerator;
        _slots = new MemoryBuffer1D<float, Stride1D.Dense>[Optimizer.SlotNames.Count];
        for (int s = 0; s < _slots.Length; s++) _slots[s] = accelerator.Allocate1D<float>(Math.Max(1, length));
        _scratch = accelerator.Allocate1D<float>(2 + OptimizerKernels.MaxNormGroups);
        _device = device;
        _length = length;
        // Factor 1 for unclipped steps; set once, here, and rewritten on the device only by clipping.
        _scratch.View.MemSetToZero(device.Stream);
        device.Kernels.Fill(device.Stream, _scratch.View.SubView(0, 1), 1f);
        UploadState();
    }
}
