using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Dl.Compiler;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Generates a model from source, compiles the user's code with the generated code to an assembly
/// (emit errors such as CS7013 included, which a plain compilation's diagnostics do not show), runs
/// it, and runs the same graph through Dl.Graph's reference evaluator with the compiled model's
/// parameters. A small probe class added to the compilation calls the span-based entry points with
/// arrays, so the test can drive any model without knowing its inputs at compile time.
/// </summary>
internal static partial class CompiledModelHarness
{
    /// <summary>What the compiled model computed, and what the reference says it should have.</summary>
    public sealed record Outcome(
        float[] Output, double[] ReferenceOutput,
        float? Evaluated, float? Loss, double? ReferenceLoss,
        float[] Gradients, Dictionary<string, double[]> ReferenceGradients, IReadOnlyList<Dl.ParameterInfo> Layout,
        float[][] InputGradients, double[][] ReferenceInputGradients, float? InputGradientLoss, double? ReferenceInferenceLoss)
    {
        /// <summary>The seeded inputs every entry point ran on (float[] or int[]), in the graph's input order.</summary>
        public Array[] Inputs { get; init; } = Array.Empty<Array>();
    }

    /// <summary>
    /// The whole check: no DL error and no C# error (the generated code compiles and emits), then
    /// every entry point against the reference at <paramref name="batch"/>.
    /// </summary>
    public static Outcome Run(string source, string className, int batch, int seed = 1, int labelClasses = 3)
    {
        var run = Generate(source);
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, "the generator reported errors:\n" + string.Join("\n", errors));
        var lowered = ModelLowering.Lower(run.Spec(className));
        var graph = Assert.IsType<ModelGraph>(lowered.Graph);

        return Execute(Load(run, className, graph), graph, batch, seed, labelClasses);
    }

    /// <summary>Runs every entry point of a loaded model on seeded inputs and the reference beside it.</summary>
    private static Outcome Execute(object model, ModelGraph graph, int batch, int seed, int labelClasses)
    {
        var inputs = graph.Inputs.Select((input, k) => Values(input, batch, seed + k, labelClasses)).ToArray();
        // Running averages before the step (ComputeGradients updates them; Predict ran before it).
        var state = (model as Dl.IStatefulModel)?.State.ToArray();
        var probe = model.GetType().Assembly.GetType("DlProbe")!;
        var result = (object?[])probe.GetMethod("Run")!.Invoke(null, new object[] { model, inputs, Math.Max(1, graph.InputsWithGradient.Count) })!;
        var compiled = (Dl.ICompiledModel)model;

        var reference = Reference(graph, compiled, state, batch, inputs);
        return new Outcome(
            (float[])result[0]!, reference.Output,
            (float?)result[1], (float?)result[2], reference.Loss,
            (float[])result[3]!, reference.Gradients, compiled.ParameterLayout.ToList(),
            (float[][])result[4]!, reference.InputGradients, (float?)result[5], reference.InferenceLoss) { Inputs = inputs };
    }

    /// <summary>Compiles the model (no DL or C# error) and calls Predict once on seeded inputs of <paramref name="batch"/> samples.</summary>
    public static float[] Predict(string source, string className, int batch)
    {
        var run = Generate(source);
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, "the generator reported errors:\n" + string.Join("\n", errors));
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(run.Spec(className)).Graph);
        var model = Load(run, className, graph);
        var inputs = graph.Inputs.Take(graph.ForwardInputCount).Select((input, k) => Values(input, batch, 1 + k, 3)).ToArray();
        try
        {
            return (float[])model.GetType().Assembly.GetType("DlProbe")!.GetMethod("Predict")!.Invoke(null, new object[] { model, inputs })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The generated source of a model that compiles (no DL or C# error, emit included).</summary>
    public static string Source(string source, string className)
    {
        var run = Generate(source);
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, "the generator reported errors:\n" + string.Join("\n", errors));
        Load(run, className, Assert.IsType<ModelGraph>(ModelLowering.Lower(run.Spec(className)).Graph));
        return Assert.Single(run.Sources).SourceText.ToString();
    }

    /// <summary>Asserts every value the compiled model computed agrees with the reference.</summary>
    public static void AgreesWithReference(Outcome o, double abs = 1e-4, double rel = 1e-3)
    {
        Close(o.Output, o.ReferenceOutput, abs, rel, "output");
        if (o.ReferenceLoss is { } loss)
        {
            Assert.True(Math.Abs(o.Evaluated!.Value - loss) <= abs + rel * Math.Abs(loss), $"Evaluate: compiled {o.Evaluated}, reference {loss}");
            Assert.True(Math.Abs(o.Loss!.Value - loss) <= abs + rel * Math.Abs(loss), $"ComputeGradients: compiled {o.Loss}, reference {loss}");
            foreach (var p in o.Layout)
                Close(o.Gradients.AsSpan(p.Offset, p.Length), o.ReferenceGradients[p.Name], abs, rel, "d" + p.Name);
        }
        for (int i = 0; i < o.ReferenceInputGradients.Length; i++)
            Close(o.InputGradients[i], o.ReferenceInputGradients[i], abs, rel, $"input gradient {i}");
        if (o.ReferenceInferenceLoss is { } inference && o.ReferenceInputGradients.Length > 0)
            Assert.True(Math.Abs(o.InputGradientLoss!.Value - inference) <= abs + rel * Math.Abs(inference), $"InputGradient's loss: compiled {o.InputGradientLoss}, reference {inference}");
    }

    public static void Close(ReadOnlySpan<float> actual, double[] expected, double abs, double rel, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= abs + rel * Math.Abs(expected[i]), $"{what}[{i}]: compiled {actual[i]:R}, reference {expected[i]:R}");
        }
    }

    /// <summary>Compiles user and generated code with the probe and returns a new model (seed 1), emit errors failing the test.</summary>
    private static object Load(Run run, string className, ModelGraph graph)
    {
        var spec = run.Spec(className);
        string type = "global::" + string.Join(".", (spec.Namespace is null ? new string[0] : spec.Namespace.Split('.')).Append(spec.ClassName).Select(Escape));
        return LoadCompilation(run.Output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Probe(type, graph), LanguageOptions, "DlProbe.cs")), className);
    }

    /// <summary>Emits a compilation holding a model and the probe, and creates the model through the probe.</summary>
    private static object LoadCompilation(Compilation compilation, string className)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()} at {d.Location.GetLineSpan()}").Distinct().ToList();
        Assert.True(emitted.Success, "the generated code does not compile:\n" + string.Join("\n", errors.Take(20)));
        stream.Position = 0;
        var context = new AssemblyLoadContext("model-" + className, isCollectible: true);
        var assembly = context.LoadFromStream(stream);
        return assembly.GetType("DlProbe")!.GetMethod("Create")!.Invoke(null, null)!;
    }

    /// <summary>The probe: creates the model and calls each entry point it has with arrays, returning plain arrays.</summary>
    private static string Probe(string type, ModelGraph graph)
    {
        var forward = graph.Inputs.Take(graph.ForwardInputCount).Select((_, k) => Arg(graph, k));
        var all = graph.Inputs.Select((_, k) => Arg(graph, k)).ToList();
        var s = new StringBuilder();
        s.AppendLine("public static class DlProbe {");
        s.AppendLine($"  public static object Create() => new {type}(1);");
        s.AppendLine($"  public static float[] Predict(object model, object[] x) => (({type})model).Predict({string.Join(", ", forward)}).ToArray();");
        s.AppendLine("  public static object[] Run(object model, object[] x, int marked) {");
        s.AppendLine($"    var m = ({type})model;");
        s.AppendLine($"    float[] output = m.Predict({string.Join(", ", forward)}).ToArray();");
        s.AppendLine("    float[][] inputGradients = new float[marked][];");
        if (graph.Loss is null)
            s.AppendLine("    return new object[] { output, null, null, new float[0], inputGradients, null };");
        else
        {
            s.AppendLine($"    float evaluated = m.Evaluate({string.Join(", ", all)});");
            s.AppendLine($"    float loss = m.ComputeGradients({string.Join(", ", all)});");
            s.AppendLine("    float[] gradients = m.Gradients.ToArray();");
            s.AppendLine("    object inputLoss = null;");
            if (graph.InputsWithGradient.Count > 0)
            {
                var outs = graph.InputsWithGradient.Select((t, i) => $"inputGradients[{i}]").ToList();
                foreach (var (t, i) in graph.InputsWithGradient.Select((t, i) => (t, i)))
                    s.AppendLine($"    inputGradients[{i}] = new float[((float[])x[{Index(graph, t)}]).Length];");
                s.AppendLine($"    inputLoss = m.InputGradient({string.Join(", ", all.Concat(outs))});");
            }
            s.AppendLine("    return new object[] { output, evaluated, loss, gradients, inputGradients, inputLoss };");
        }
        s.AppendLine("  }");
        s.AppendLine("}");
        return s.ToString();
    }

    private static string Escape(string name)
    {
        var bare = name.TrimStart('@');
        return Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(bare) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + bare : bare;
    }

    private static int Index(ModelGraph graph, Node input) => graph.Inputs.ToList().IndexOf(input);

    private static string Arg(ModelGraph graph, int k) => graph.Inputs[k].Type == DType.Int32 ? $"(int[])x[{k}]" : $"(float[])x[{k}]";

    /// <summary>Seeded inputs: floats in [-1, 1), labels below <paramref name="classes"/>.</summary>
    private static Array Values(Node input, int batch, int seed, int classes)
    {
        var random = new Random(seed);
        long count = input.Shape.ElementCount(batch);
        if (input.Type == DType.Int32) return Enumerable.Range(0, (int)count).Select(_ => random.Next(classes)).ToArray();
        return Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private sealed record ReferenceValues(double[] Output, double? Loss, Dictionary<string, double[]> Gradients, double[][] InputGradients, double? InferenceLoss);

    /// <summary>
    /// The graph in double precision with the compiled model's parameters: Predict and InputGradient in
    /// inference mode, the loss and parameter gradients in training mode (as the compiled code runs them).
    /// </summary>
    private static ReferenceValues Reference(ModelGraph graph, Dl.ICompiledModel model, float[]? state, int batch, Array[] inputs)
    {
        var g = graph.Builder;
        var layout = model.ParameterLayout.ToDictionary(p => p.Name);
        var stateLayout = (model as Dl.IStatefulModel)?.StateLayout.ToDictionary(p => p.Name);
        TensorValue Bind(Node node)
        {
            if (node.Op is StateOp st)
            {
                var info = stateLayout![st.StateName];
                return new TensorValue(info.Shape, state!.Skip(info.Offset).Take(info.Length).Select(v => (double)v).ToArray());
            }
            if (node.Op is ParamOp p)
            {
                var info = layout[p.ParamName];
                return new TensorValue(info.Shape, model.Parameters.Slice(info.Offset, info.Length).ToArray().Select(v => (double)v).ToArray());
            }
            var array = inputs[graph.Inputs.ToList().IndexOf(node)];
            var data = array is int[] ints ? ints.Select(v => (double)v).ToArray() : ((float[])array).Select(v => (double)v).ToArray();
            return new TensorValue(node.Shape.Resolve(batch), data);
        }
        var output = Evaluator.Run(new[] { graph.Output }, Bind, new EvalContext(batch, training: false))[graph.Output].Data;
        if (graph.Loss is null) return new ReferenceValues(output, null, new(), new double[0][], null);

        var parameters = graph.Parameters;
        var gradients = Autodiff.Gradients(g, graph.Loss, parameters);
        var values = Evaluator.Run(new[] { graph.Loss }.Concat(gradients), Bind, new EvalContext(batch, training: true, seed: 1, step: 0));
        var byName = parameters.Zip(gradients).ToDictionary(t => ((ParamOp)t.First.Op).ParamName, t => values[t.Second].Data);

        var evalLoss = Modes.Specialise(g, new[] { graph.Loss }, training: false)[graph.Loss];
        var inputGradients = Autodiff.Gradients(g, evalLoss, graph.InputsWithGradient);
        var eval = Evaluator.Run(new[] { evalLoss }.Concat(inputGradients), Bind, new EvalContext(batch, training: false));
        return new ReferenceValues(output, values[graph.Loss].Data[0], byName, inputGradients.Select(d => eval[d].Data).ToArray(), eval[evalLoss].Data[0]);
    }
}
