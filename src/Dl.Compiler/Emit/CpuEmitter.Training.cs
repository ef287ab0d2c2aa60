using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The entry points for training loops the user writes: Backward (a vector-Jacobian product of the output) and,
/// per [Objective], Compute{O}Gradients and Train{O}.
/// </summary>
public static partial class CpuEmitter
{
    /// <summary>
    /// Backward(inputs, outputGradient): the vector-Jacobian product of the training-mode output into
    /// Gradients, so a model can sit inside a training loop the user writes (a GAN's generator is fed
    /// the discriminator's gradient with respect to the generated batch).
    /// </summary>
    private static void Backward(SourceWriter w, CompiledModel m, IReadOnlyList<Node> forwardInputs, KernelTable kernels, GeneratedNames g)
    {
        if (m.Backward is not { } back || m.OutputGradient is not { } upstream) return;
        var inputs = forwardInputs.Append(upstream).ToList();
        w.Line();
        w.Line($"/// <summary>Forward{(Modal(m) ? " (training mode)" : "")} and backward for a batch from the gradient of some outer loss with respect to the output {m.Output.Shape} (<paramref name=\"{Name(upstream)}\"/>, shaped like Predict's result): fills <see cref=\"Gradients\"/>{(m.States.Count > 0 ? " and updates the running averages" : "")}. A loss of the model's own plays no part.</summary>");
        w.Open($"public void Backward({Params(inputs)})");
        Run(w, m, back, inputs, kernels, g, Sections(TrainingOutput(m), null, backward: true), (b, _) =>
        {
            if (m.DrawsRandom) b.Line($"{g["__step"]}++;");
        });
        w.Close();
    }

    /// <summary>
    /// An [Objective]'s two methods: Compute{Name}Gradients (its loss; the gradients of the parts it trains, and no
    /// others) and Train{Name}, which steps those parts only with the optimizer it is given.
    /// </summary>
    private static void Objective(SourceWriter w, CompiledModel m, CompiledObjective o, KernelTable kernels, GeneratedNames g)
    {
        string signature = Params(o.Inputs);
        w.Line();
        w.Line($"/// <summary>Objective {o.Name}{(Modal(m) ? " in training mode" : "")}: returns its loss and fills the gradients of the parameters it trains ({o.Trains.Count} tensors) in <see cref=\"Gradients\"/>; the others are not computed and keep their values.</summary>");
        w.Open($"public float Compute{o.Name}Gradients({signature})");
        Run(w, m, o.Gradients, o.Inputs, kernels, g, Sections(TrainingOutput(m), o.Gradients.Roots[0], backward: true), (b, s) =>
        {
            if (m.DrawsRandom) b.Line($"{g["__step"]}++;");
            b.Line($"return {s(o.Gradients.Roots[0])}[0];");
        });
        w.Close();

        string part = g["__part" + o.Name];
        var taken = new HashSet<string>(o.Inputs.Select(i => Identifiers.Bare(((InputOp)i.Op).InputName)));
        string optimizer = Identifiers.Unused("optimizer", taken);
        w.Line();
        w.Line($"private static readonly (int Offset, int Length)[] {part} = {{ {string.Join(", ", o.Trains.Select(t => $"({Sizes.Lit(t.Offset)}, {Sizes.Lit(t.Length)})"))} }};");
        w.Line($"/// <summary>One step of objective {o.Name}: its gradients, then <paramref name=\"{optimizer}\"/> updates the {o.Trains.Count} parameter tensors it trains and nothing else. Returns the loss before the step.</summary>");
        w.Open($"public float Train{o.Name}({signature}, global::Dl.Training.Optimizer {optimizer})");
        w.Line(EnterLine(g));
        w.Line($"global::System.ArgumentNullException.ThrowIfNull({optimizer});");
        w.Line("// forward, loss and backward");
        w.Line($"float {g["__loss"]} = this.Compute{o.Name}Gradients({Args(o.Inputs)});");
        w.Line("// update");
        w.Line($"{optimizer}.Step(this, {part});");
        w.Line($"if (global::Dl.ModelGuard.CheckFinite) global::Dl.ModelGuard.RequireFiniteParameters({g["__params"]}.Span, {g["__layout"]}, {g["__dl_name"]}, \"Train{o.Name}'s update\");");
        w.Line($"return {g["__loss"]};");
        w.Close();
    }
}
