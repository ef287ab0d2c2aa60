using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The Gpu class's entry points for training loops the user writes, as on the CPU: Backward (the output's
/// vector-Jacobian product), and per [Objective] Compute{O}Gradients and Train{O}, which steps the objective's
/// parts only; every update skips frozen tensors.
/// </summary>
internal sealed partial class GpuClassWriter
{
    private static string Params(IEnumerable<Node> inputs) =>
        string.Join(", ", inputs.Select(i => $"global::System.ReadOnlySpan<{(i.Type == DType.Int32 ? "int" : "float")}> {Name(i)}"));

    private static string Args(IEnumerable<Node> inputs) => string.Join(", ", inputs.Select(Name));

    /// <summary>
    /// TrainStep()'s SGD update: every parameter, or only the trainable ranges when some tensor is frozen (read
    /// from Dl.Freezing on each step, by index: no allocation).
    /// </summary>
    private void SgdUpdate(SourceWriter w)
    {
        string ranges = _g["__trainable"], r = _g["__r"];
        w.Line($"global::System.Collections.Generic.IReadOnlyList<(int Offset, int Length)>? {ranges} = global::Dl.Freezing.TrainableRanges(__host);");
        w.Line($"if ({ranges} is null) __k.Sgd(__s, __params.View.SubView(0, ParameterStorageLength), __grads.View.SubView(0, ParameterStorageLength), this.LearningRate);");
        w.Line($"else for (int {r} = 0; {r} < {ranges}.Count; {r}++) __k.Sgd(__s, {_g["__P"]}({ranges}[{r}].Offset, {ranges}[{r}].Length), {_g["__G"]}({ranges}[{r}].Offset, {ranges}[{r}].Length), this.LearningRate);");
    }

    /// <summary>Backward(inputs, outputGradient) on the device: forward in training mode, then the gradients from the given upstream one.</summary>
    private void Backward(SourceWriter w)
    {
        if (_m.Backward is not { } back || _m.OutputGradient is not { } upstream) return;
        var inputs = _forwardInputs.Append(upstream).ToList();
        w.Line();
        w.Line($"/// <summary>Enqueues forward and backward from the gradient of some outer loss with respect to the output {_m.Output.Shape} (<paramref name=\"{Identifiers.Bare(((InputOp)upstream.Op).InputName)}\"/>, shaped like Predict's result): the device's gradients (<see cref=\"GradientView\"/>, <see cref=\"CopyGradientsToHost\"/>). A loss of the model's own plays no part.</summary>");
        w.Open($"public void Backward({Params(inputs)})");
        w.Line(EnterLine);
        Upload(w, inputs);
        // The labels' slots are not filled: a method without arguments must be given a batch again.
        w.Line($"{_g["__complete"]} = false;");
        w.Line($"{_g["__RunBackward"]}({_g["__n"]});");
        w.Close();
        Run(w, back, _g["__RunBackward"], CpuEmitter.Sections(Training, null, backward: true), loss: false, trains: true);
    }

    /// <summary>An objective's two methods: its gradients on the device, and a step of its parts with a GpuOptimizer.</summary>
    private void Objective(SourceWriter w, CompiledObjective o)
    {
        string run = _g["__Run" + o.Name], part = _g["__part" + o.Name], optimizer = Fresh("optimizer", o.Inputs);
        w.Line();
        w.Line($"/// <summary>Enqueues objective {o.Name} on a batch: its loss (<see cref=\"ReadLoss\"/>) and the gradients of the {o.Trains.Count} parameter tensors it trains; the others are not computed and keep their values.</summary>");
        w.Open($"public void Compute{o.Name}Gradients({Params(o.Inputs)})");
        w.Line(EnterLine);
        Upload(w, o.Inputs);
        w.Line($"{_g["__complete"]} = false;");
        w.Line($"{run}({_g["__n"]});");
        w.Close();
        w.Line($"private static readonly (int Offset, int Length)[] {part} = {{ {string.Join(", ", o.Trains.Select(t => $"({Sizes.Lit(t.Offset)}, {Sizes.Lit(t.Length)})"))} }};");
        w.Line($"/// <summary>Enqueues one step of objective {o.Name}: its gradients, then <paramref name=\"{Identifiers.Bare(optimizer)}\"/> updates the parameter tensors it trains (less any frozen) and nothing else. Nothing waits.</summary>");
        w.Open($"public void Train{o.Name}({Params(o.Inputs)}, global::Dl.Gpu.GpuOptimizer {optimizer})");
        w.Line(EnterLine);
        w.Line($"global::System.ArgumentNullException.ThrowIfNull({optimizer});");
        w.Line($"this.Compute{o.Name}Gradients({Args(o.Inputs)});");
        w.Line($"{optimizer}.Step({_g["__device"]}, __host, this.ParameterView, this.GradientView, {part});");
        w.Close();
        Run(w, o.Gradients, run, CpuEmitter.Sections(Training, o.Gradients.Roots[0], backward: true), loss: true, trains: true);
    }
}
