using System;
using System.Collections.Generic;
using System.Globalization;
using Dl.Cpu;

namespace Dl.Training;

/// <summary>
/// An update rule with its state, applied to a whole model at once. State (one array per slot, laid out
/// like the model's parameters) is allocated on the first <see cref="Step(ICompiledModel)"/> and reused for
/// every later step, which allocates nothing.
/// </summary>
/// <remarks>
/// The learning rate of each step is <see cref="Schedule"/>'s value at <see cref="StepCount"/> (the steps
/// already taken) when a schedule is set, else <see cref="LearningRate"/>. Gradient clipping, when on,
/// works on a private copy of the gradients, since a model's gradients are read-only to callers.
/// </remarks>
public abstract unsafe class Optimizer
{
    private readonly string[] _slotNames;
    private float[][]? _slots;
    private float[]? _clipped;
    private int _length = -1;
    private Dictionary<string, float[]> _state = new(StringComparer.Ordinal);
    private float _learningRate;
    private (int Offset, int Length)[]? _overlapPart, _overlapTrainable, _overlap;

    /// <summary>Sets the base learning rate and names the rule's state slots (for checkpoints).</summary>
    protected Optimizer(float learningRate, params string[] slotNames)
    {
        LearningRate = learningRate;
        _slotNames = slotNames;
    }

    /// <summary>The learning rate when no <see cref="Schedule"/> is set: a finite number, 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">NaN, infinite or negative.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!IsRate(value))
                throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"a learning rate must be a finite number >= 0; got {value.ToString(CultureInfo.InvariantCulture)}");
            _learningRate = value;
        }
    }

    /// <summary>When set, decides the learning rate of every step from the step count.</summary>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <summary>Weight decay: L2 (added to the gradient) for every rule except <see cref="AdamW"/>, where it is decoupled.</summary>
    public float WeightDecay { get; init; }

    /// <summary>When positive, gradients are scaled so their global Euclidean norm is at most this before each step.</summary>
    public float MaxGradientNorm { get; init; }

    /// <summary>Steps taken so far; Adam's bias correction uses <c>StepCount</c> after the increment (1 on the first step).</summary>
    public long StepCount { get; private set; }

    /// <summary>The global gradient norm before clipping, measured on the last step; 0 when clipping is off.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>The learning rate the next step will use.</summary>
    public float CurrentLearningRate => Schedule?.At(StepCount) ?? LearningRate;

    /// <summary>The names of the state slots, as saved in checkpoints ("optimizer/&lt;slot&gt;/...").</summary>
    public IReadOnlyList<string> SlotNames => _slotNames;

    /// <summary>Slot name to state values, laid out like the parameters; empty until the first step or <see cref="LoadState"/>.</summary>
    public IReadOnlyDictionary<string, float[]> State => _state;

    /// <summary>
    /// One update of <paramref name="model"/>'s parameters from its last computed gradients. Parameters frozen with
    /// <see cref="Freezing.Freeze"/> keep their values and their state; the clipping norm is that of the others' gradients.
    /// </summary>
    public void Step(ICompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Freezing.Trainable(model) is { } trainable) StepTrainable(model.Parameters, model.Gradients, trainable);
        else Step(model.Parameters, model.Gradients);
    }

    /// <summary>
    /// One update of the parts of <paramref name="model"/>'s parameters that <paramref name="part"/> lists as
    /// (offset, length) ranges in order, skipping frozen parameters: what a generated <c>Train{Objective}</c> calls,
    /// so one objective's step leaves the rest of the model and its optimizer state as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A range lies outside the parameters.</exception>
    public void Step(ICompiledModel model, (int Offset, int Length)[] part)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(part);
        int length = model.Parameters.Length;
        foreach (var (offset, count) in part)
            if (offset < 0 || count < 0 || offset > length - count)
                throw new ArgumentException($"the range ({offset}, {count}) lies outside the model's {length} parameters", nameof(part));
        StepTrainable(model.Parameters, model.Gradients, Freezing.Trainable(model) is { } trainable ? Overlap(part, trainable) : part);
    }

    /// <summary>
    /// <paramref name="part"/> without the frozen parameters, kept until either list changes: the generated part is
    /// one static array and freezing rebuilds its ranges only on Freeze or Unfreeze, so a step allocates nothing.
    /// </summary>
    private (int Offset, int Length)[] Overlap((int Offset, int Length)[] part, (int Offset, int Length)[] trainable)
    {
        if (!ReferenceEquals(part, _overlapPart) || !ReferenceEquals(trainable, _overlapTrainable))
            (_overlapPart, _overlapTrainable, _overlap) = (part, trainable, Freezing.Overlap(part, trainable));
        return _overlap!;
    }

    /// <summary>The update of <see cref="Step(ICompiledModel)"/> over the trainable ranges only (on this thread: the rule is elementwise).</summary>
    private void StepTrainable(Span<float> parameters, ReadOnlySpan<float> gradients, (int Offset, int Length)[] trainable)
    {
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters", nameof(gradients));
        EnsureState(parameters.Length);
        if (MaxGradientNorm > 0)
        {
            // The norm of the trainable gradients, as PyTorch's clip_grad_norm_ over the parameters it is given.
            _clipped ??= new float[parameters.Length];
            Array.Clear(_clipped);
            foreach (var (offset, length) in trainable) gradients.Slice(offset, length).CopyTo(_clipped.AsSpan(offset, length));
            LastGradientNorm = Optimizers.ClipByGlobalNorm(_clipped, MaxGradientNorm);
            gradients = _clipped;
        }
        var (lr, step) = AdvanceStep();
        foreach (var (offset, length) in trainable)
            Apply(new UpdateRange(parameters.Slice(offset, length), gradients.Slice(offset, length), _slots!, offset), lr, step);
    }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/>, for callers without a model object.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters", nameof(gradients));
        EnsureState(parameters.Length);
        var written = gradients;
        if (MaxGradientNorm > 0)
        {
            _clipped ??= new float[parameters.Length];
            gradients.CopyTo(_clipped);
            LastGradientNorm = Optimizers.ClipByGlobalNorm(_clipped, MaxGradientNorm);
            gradients = _clipped;
        }
        var (lr, step) = AdvanceStep();
        // Where a worker wrote part of the gradients, it updates that part (see Optim.SgdStep).
        fixed (float* p = parameters, g = gradients, w = written)
        {
            var parts = new Parts { Parameters = p, Gradients = g, LearningRate = lr, Step = step };
            if (GemmSplit.UpdateByOwners(w, parameters.Length, &ApplyRange, &parts, this)) return;
        }
        Apply(new UpdateRange(parameters, gradients, _slots!, 0), lr, step);
    }

    private struct Parts
    {
        public float* Parameters, Gradients;
        public float LearningRate;
        public long Step;
    }

    /// <summary>The rule over [from, to), on whichever thread the split gave it; the optimizer is the split's state.</summary>
    private static void ApplyRange(void* context, int from, int to)
    {
        var u = (Parts*)context;
        var self = (Optimizer)WorkerPool.State!;
        self.Apply(new UpdateRange(new Span<float>(u->Parameters + from, to - from), new ReadOnlySpan<float>(u->Gradients + from, to - from), self._slots!, from),
            u->LearningRate, u->Step);
    }

    /// <summary>
    /// Counts one step whose update runs outside this object (a device backend, which keeps the state
    /// there): returns the learning rate <see cref="Step(Span{float}, ReadOnlySpan{float})"/> would use and
    /// the step's number from 1 (Adam's t), and advances <see cref="StepCount"/> as it does, so schedules
    /// and checkpoints see one step count whichever backend ran. Clipping and the update are the caller's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schedule gives a rate that is NaN, infinite or negative.</exception>
    public (float LearningRate, long Step) AdvanceStep()
    {
        float lr = CurrentLearningRate;
        // One compare per step: a broken schedule stops the run instead of writing NaN into every parameter.
        if (!IsRate(lr))
            throw new InvalidOperationException($"the learning-rate schedule gives {lr.ToString(CultureInfo.InvariantCulture)} at step {StepCount + 1}; a rate must be a finite number >= 0");
        StepCount++;
        return (lr, StepCount);
    }

    /// <summary>Restores state saved from an optimizer of the same kind (e.g. by a checkpoint), and its step count.</summary>
    public void LoadState(IReadOnlyDictionary<string, float[]> state, long stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (state.Count != _slotNames.Length)
            throw new ArgumentException($"{GetType().Name} has slots [{string.Join(",", _slotNames)}], the state has [{string.Join(",", state.Keys)}]", nameof(state));
        int length = -1;
        foreach (string name in _slotNames)
        {
            if (!state.TryGetValue(name, out var values))
                throw new ArgumentException($"{GetType().Name} needs slot '{name}', the state has [{string.Join(",", state.Keys)}]", nameof(state));
            if (length >= 0 && values.Length != length)
                throw new ArgumentException($"state slots differ in length ({length} and {values.Length})", nameof(state));
            length = values.Length;
        }
        if (length >= 0)
        {
            EnsureState(length);
            for (int s = 0; s < _slotNames.Length; s++) state[_slotNames[s]].CopyTo(_slots![s], 0);
        }
        StepCount = stepCount;
    }

    /// <summary>Zeroes the state and the step count, keeping the buffers.</summary>
    public void Reset()
    {
        if (_slots != null) foreach (var s in _slots) Array.Clear(s);
        StepCount = 0;
        LastGradientNorm = 0;
    }

    /// <summary>
    /// Applies the rule once to <paramref name="range"/>: all the parameters, or a part of them when the
    /// update is split between threads (the rule is elementwise, so parts are independent);
    /// <paramref name="step"/> counts from 1.
    /// </summary>
    protected abstract void Apply(in UpdateRange range, float learningRate, long step);

    private static bool IsRate(float rate) => rate >= 0 && rate <= float.MaxValue;

    private void EnsureState(int length)
    {
        if (_slots != null)
        {
            if (_length != length)
                throw new InvalidOperationException($"this optimizer holds state for {_length} parameters, not {length}; use one optimizer per model");
            return;
        }
        _length = length;
        _slots = new float[_slotNames.Length][];
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int s = 0; s < _slots.Length; s++) state.Add(_slotNames[s], _slots[s] = new float[length]);
        _state = state;
    }
}

/// <summary>
/// The parameters one call of an optimizer's rule updates, the matching gradients, and the matching
/// part of each state slot.
/// </summary>
public readonly ref struct UpdateRange
{
    private readonly float[][] _slots;
    private readonly int _offset;

    internal UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, float[][] slots, int offset)
    {
        Parameters = parameters;
        Gradients = gradients;
        _slots = slots;
        _offset = offset;
    }

    /// <summary>The parameters to update.</summary>
    public Span<float> Parameters { get; }

    /// <summary>Their gradients (clipped, when clipping is on).</summary>
    public ReadOnlySpan<float> Gradients { get; }

    /// <summary>The same range of state slot <paramref name="index"/> (in <see cref="Optimizer.SlotNames"/> order).</summary>
    public Span<float> Slot(int index) => _slots[index].AsSpan(_offset, Parameters.Length);
}
