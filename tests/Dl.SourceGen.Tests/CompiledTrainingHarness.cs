using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Two more ways to drive a compiled model: one compilation run at several batch sizes (compiling is
/// the slow part), and a classifier trained for some steps on one fixed batch, its losses returned.
/// </summary>
internal static partial class CompiledModelHarness
{
    /// <summary><see cref="RunGraph"/> compiled once, then run (against the reference) at each of <paramref name="batches"/>.</summary>
    public static (Outcome[] Outcomes, string Source) RunGraphAt(ModelGraph graph, params int[] batches)
    {
        var source = ModelCompiler.Generate(graph, new ModelDeclaration(null, graph.Name, "public", Array.Empty<string>()));
        var compilation = GeneratorHarness.Compilation((graph.Name + ".g.cs", source), ("DlProbe.cs", Probe("global::" + graph.Name, graph)));
        var model = LoadCompilation(compilation, graph.Name);
        return (batches.Select(b => Execute(model, graph, b, 1, 3)).ToArray(), source);
    }

    /// <summary>
    /// Generates the classifier <paramref name="className"/> from source (no DL error, no C# error),
    /// then runs <paramref name="steps"/> SGD steps at <paramref name="rate"/> on one seeded batch
    /// (inputs in [-1, 1), labels below <paramref name="classes"/>): the loss before each step.
    /// </summary>
    public static (float[] Losses, IReadOnlyList<Diagnostic> Diagnostics, string Source) Train(string source, string className, int batch, int steps, float rate, int classes = 3)
    {
        var run = Generate(source);
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id} {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, "the generator reported errors:\n" + string.Join("\n", errors));
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(run.Spec(className)).Graph);
        var model = Assert.IsAssignableFrom<Dl.IClassifier>(Load(run, className, graph));
        var x = (float[])Values(graph.Inputs[0], batch, 11, classes);
        var labels = (int[])Values(graph.Inputs[1], batch, 12, classes);
        model.LearningRate = rate;
        var losses = new float[steps];
        for (int s = 0; s < steps; s++) losses[s] = model.TrainStep(x, labels);
        return (losses, run.Diagnostics, Assert.Single(run.Sources).SourceText.ToString());
    }
}
