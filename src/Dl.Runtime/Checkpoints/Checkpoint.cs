using System;
using System.Collections.Generic;
using System.IO;
using Dl.Training;

namespace Dl.Checkpoints;

/// <summary>
/// Saves and loads a model's parameters (and optionally its optimizer's state) as a
/// <a href="https://github.com/huggingface/safetensors">safetensors</a> file: an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
/// little-endian F32 data. Parameters are named by their path ("hidden.weight"), optimizer slots
/// "optimizer/&lt;slot&gt;/&lt;path&gt;", and the step count travels in <c>__metadata__</c>.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>The <c>__metadata__</c> key and value that mark a file written by this class (with a checksum).</summary>
    public const string FormatKey = "dl.format", FormatValue = "dlcompiler-checkpoint-v2";

    /// <summary>The format value of files written before checkpoints carried a checksum; they still load, unchecked.</summary>
    public const string FormatValueWithoutChecksum = "dlcompiler-checkpoint-v1";

    /// <summary>
    /// The <c>__metadata__</c> key and value that record how this library lays out its weights, so a reader never has to
    /// guess: Dense weights [in,out] (torch.nn.Linear's are [out,in]), convolution weights [out,in/groups,kh,kw] as PyTorch's.
    /// A file without it or <see cref="FormatKey"/> is foreign: its square Dense weights are refused (PyTorch weights go through <see cref="ImportPyTorch"/>).
    /// </summary>
    public const string LayoutKey = "dl.layout", LayoutValue = "dense=[in,out];conv=[out,in/groups,kh,kw]";

    /// <summary>The <c>__metadata__</c> key holding the training step, as a decimal integer.</summary>
    public const string StepKey = "dl.step";

    /// <summary>
    /// The <c>__metadata__</c> key holding the CRC-32C of the header and of each tensor's bytes. Load verifies it
    /// when present; files of other writers, which have none, load without the check.
    /// </summary>
    public const string ChecksumKey = "dl.checksum";

    /// <summary>The <c>__metadata__</c> keys of an optimizer saved with its model: its type's name and its base learning rate.</summary>
    public const string OptimizerKey = "dl.optimizer", LearningRateKey = "dl.learning_rate";

    /// <summary>The prefix of optimizer-state tensor names: "optimizer/m/hidden.weight".</summary>
    public const string OptimizerPrefix = "optimizer/";

    /// <summary>
    /// Writes <paramref name="model"/>'s parameters to <paramref name="path"/>, atomically: the file is
    /// written beside <paramref name="path"/>, forced to disk, then renamed over it, so a crash at any
    /// point leaves the previous file whole. Temporary files that killed writers left beside it are removed.
    /// Nothing is written, and the previous file stays, when the file would be one <see cref="Load(string, ICompiledModel, bool)"/>
    /// refuses (see <see cref="CheckpointLimits"/>; NaN or infinite values unless <paramref name="allowNonFinite"/>).
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="model">The model whose <see cref="ICompiledModel.Parameters"/> are saved, named by <see cref="ICompiledModel.ParameterLayout"/>.</param>
    /// <param name="optimizerState">Slot name to values laid out like <see cref="ICompiledModel.Parameters"/> (see <c>Optimizer.State</c>).</param>
    /// <param name="step">The training step to record.</param>
    /// <param name="metadata">Extra string pairs to record; the <c>dl.</c> keys are reserved.</param>
    /// <param name="allowNonFinite">Write NaN and infinite values instead of refusing them.</param>
    /// <exception cref="CheckpointException">The file would be refused by Load; the message names <paramref name="path"/> and why.</exception>
    /// <exception cref="IOException">The file cannot be written there (the message names <paramref name="path"/>, never the temporary file).</exception>
    public static void Save(string path, ICompiledModel model, IReadOnlyDictionary<string, float[]>? optimizerState = null,
        long step = 0, IReadOnlyDictionary<string, string>? metadata = null, bool allowNonFinite = false) =>
        SaveCore(path, model, optimizerState, step, metadata, reserved: null, allowNonFinite);

    /// <summary>
    /// Throws now what <see cref="Save(string, ICompiledModel, IReadOnlyDictionary{string, float[]}, long, IReadOnlyDictionary{string, string}, bool)"/>
    /// would throw later for want of a place to write: <paramref name="path"/>'s folder missing or not writable, or
    /// <paramref name="path"/> a folder. Call it before training, so a typo costs nothing. It writes and deletes a
    /// temporary file, and leaves <paramref name="path"/> as it is.
    /// </summary>
    /// <exception cref="IOException">The message starts with <paramref name="path"/> and says what is wrong.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to create files in the folder.</exception>
    public static void EnsureWritable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.EnsureWritable(path);
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="Save(string, ICompiledModel, IReadOnlyDictionary{string, float[]}, long, IReadOnlyDictionary{string, string}, bool)"/>
    /// (or any safetensors file of F32 tensors named like the model's parameters) into <paramref name="model"/>. The
    /// whole file is checked first (its layout, the checksums when it has them, no NaN or infinite value unless
    /// <paramref name="allowNonFinite"/>, readable format metadata); on any problem a <see cref="CheckpointException"/>
    /// says what, and the model is left exactly as it was.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="CheckpointException">The file is malformed, corrupt, or does not match the model.</exception>
    public static CheckpointState Load(string path, ICompiledModel model, bool allowNonFinite = false) =>
        LoadCore(path, model, optimizer: null, allowNonFinite);

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="model"/> as <paramref name="options"/> say: under other names
    /// (<see cref="LoadOptions.Rename"/>), or only what matches (<see cref="LoadOptions.Strict"/> false, for fine-tuning a
    /// model with a new head). The file is validated as by <see cref="Load(string, ICompiledModel, bool)"/> and the model
    /// changes only in the parameters listed in <see cref="LoadReport.Loaded"/>, and only if the whole load succeeds.
    /// </summary>
    /// <exception cref="CheckpointException">The file is malformed or corrupt, a shape differs (the message names the tensor and both shapes),
    /// two tensors would load into one parameter, a square matrix comes from a file that does not record its layout, or, when strict, the file does not match.</exception>
    public static LoadReport Load(string path, ICompiledModel model, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LoadCore(path, model, optimizer: null, options);
    }

    /// <summary>
    /// Reads every tensor of a safetensors file of F32 tensors, with the same validation as <see cref="Load(string, ICompiledModel, bool)"/>
    /// short of matching a model. Meant for tools that inspect or convert checkpoints.
    /// </summary>
    public static IReadOnlyDictionary<string, TensorData> ReadTensors(string path, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = SafetensorsFile.Open(path);
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var t in file.Tensors)
        {
            if (t.Dtype != "F32")
                throw new CheckpointException($"{t.Name}: dtype {t.Dtype}; ReadTensors reads F32 tensors only");
            var values = new float[(t.End - t.Begin) / 4];
            file.ReadInto(t, values, allowNonFinite);
            result.Add(t.Name, new TensorData(t.IntShape(), values));
        }
        return result;
    }

    /// <summary>
    /// The raw <c>__metadata__</c> of a safetensors file, reserved keys included, after validating its layout and,
    /// when it has one, its header checksum (the tensors' data is not read).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = SafetensorsFile.Open(path);
        return file.Metadata;
    }

    private static CheckpointState LoadCore(string path, ICompiledModel model, Optimizer? optimizer, bool allowNonFinite) =>
        LoadCore(path, model, optimizer, new LoadOptions { AllowNonFinite = allowNonFinite }).State;

    private static LoadReport LoadCore(string path, ICompiledModel model, Optimizer? optimizer, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        bool allowNonFinite = options.AllowNonFinite;
        var layout = CheckedLayout(model);
        var stateLayout = CheckedStateLayout(model, layout);
        using var file = SafetensorsFile.Open(path);
        var plan = CheckpointMatcher.Match(file, layout, optimizer?.SlotNames, options, stateLayout);
        if (optimizer != null && plan.OptimizerName is { } saved && saved != OptimizerName(optimizer))
            throw new CheckpointException($"__metadata__ {OptimizerKey}: the file holds the state of optimizer '{saved}', this one is '{OptimizerName(optimizer)}'");

        // Everything is validated: stage the values, then change the model in one copy at the end so a
        // read failure halfway (a checksum, a NaN, the file shrinking under us) still leaves the model untouched.
        var staged = model.Parameters.ToArray();
        foreach (var (tensor, parameter) in plan.Parameters)
            file.ReadInto(tensor, staged.AsSpan(parameter.Offset, parameter.Length), allowNonFinite);
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (slot, tensors) in plan.Slots)
        {
            var values = new float[staged.Length];
            foreach (var (tensor, parameter) in tensors)
                file.ReadInto(tensor, values.AsSpan(parameter.Offset, parameter.Length), allowNonFinite);
            state.Add(slot, values);
        }
        var stagedState = model is IStatefulModel stateful ? stateful.State.ToArray() : Array.Empty<float>();
        foreach (var (tensor, entry) in plan.States)
            file.ReadInto(tensor, stagedState.AsSpan(entry.Offset, entry.Length), allowNonFinite);
        staged.CopyTo(model.Parameters);
        if (plan.States.Count > 0) stagedState.CopyTo(((IStatefulModel)model).State);
        if (optimizer != null)
        {
            optimizer.LoadState(state, plan.Step);
            if (plan.LearningRate is { } rate) optimizer.LearningRate = rate;
        }
        var loaded = plan.Parameters.ConvertAll(x => x.Parameter.Name);
        loaded.AddRange(plan.States.ConvertAll(x => x.Parameter.Name));
        return new LoadReport(new CheckpointState(plan.Step, plan.Metadata, state, plan.OptimizerName, plan.LearningRate), loaded, plan.Missing, plan.Unexpected);
    }

    /// <summary>
    /// The state tensors of a model with state (batch norm's running averages; none otherwise), after checking they can be
    /// named beside the parameters and sliced out of <see cref="IStatefulModel.State"/>.
    /// </summary>
    private static IReadOnlyList<ParameterInfo> CheckedStateLayout(ICompiledModel model, IReadOnlyList<ParameterInfo> layout)
    {
        if (model is not IStatefulModel stateful) return Array.Empty<ParameterInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in layout) names.Add(p.Name);
        int total = stateful.State.Length;
        foreach (var s in stateful.StateLayout)
        {
            if (!names.Add(s.Name)) throw new ArgumentException($"the model names a parameter or state tensor '{s.Name}' twice", nameof(model));
            if (s.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || s.Name == "__metadata__")
                throw new ArgumentException($"state name '{s.Name}' clashes with the checkpoint format", nameof(model));
            if (s.Offset < 0 || s.Length < 0 || s.Offset > total - s.Length)
                throw new ArgumentException($"state tensor {s} lies outside the model's {total} state values", nameof(model));
        }
        return stateful.StateLayout;
    }

    /// <summary>The model's layout, after checking it can be named and sliced unambiguously.</summary>
    private static IReadOnlyList<ParameterInfo> CheckedLayout(ICompiledModel model)
    {
        var layout = model.ParameterLayout;
        int total = model.Parameters.Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in layout)
        {
            if (!names.Add(p.Name)) throw new ArgumentException($"the model names two parameters '{p.Name}'", nameof(model));
            if (p.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || p.Name == "__metadata__")
                throw new ArgumentException($"parameter name '{p.Name}' clashes with the checkpoint format", nameof(model));
            foreach (int d in p.Shape)
                if (d < 0) throw new ArgumentException($"parameter {p} has a negative dimension", nameof(model));
            if (p.Offset < 0 || p.Length < 0 || p.Offset > total - p.Length)
                throw new ArgumentException($"parameter {p} lies outside the model's {total} parameters", nameof(model));
        }
        return layout;
    }
}
