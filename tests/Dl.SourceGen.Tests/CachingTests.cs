using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>Editing an unrelated file must not re-run a model's lowering and compilation.</summary>
public class CachingTests
{
    [Fact]
    public void Unrelated_edit_leaves_every_model_step_cached_or_unchanged()
    {
        var run = Generate(("MnistMlp.cs", ExampleModels.MnistMlp), ("Deep.cs", ExampleModels.Deep));
        var edited = run.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X => 42; }", LanguageOptions, "Unrelated.cs"));
        var second = run.Driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in new[] { ModelGenerator.SpecStep, ModelGenerator.ResultStep })
        {
            var steps = second.TrackedSteps[name];
            Assert.Equal(2, steps.Length);
            foreach (var output in steps.SelectMany(s => s.Outputs))
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{name} re-ran: {output.Reason}");
        }
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_a_model_reruns_only_that_model()
    {
        var run = Generate(("MnistMlp.cs", ExampleModels.MnistMlp), ("Deep.cs", ExampleModels.Deep));
        var old = run.Input.SyntaxTrees.Single(t => t.FilePath == "Deep.cs");
        var edited = run.Input.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(ExampleModels.Deep.Replace("Blocks = 3", "Blocks = 2"), LanguageOptions, "Deep.cs"));
        var second = run.Driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = second.TrackedSteps[ModelGenerator.ResultStep].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Editing_a_layer_in_another_file_reruns_the_model_that_uses_it()
    {
        const string layer = """
            using Dl;
            namespace Demo;
            [Layer]
            public partial class Gate(int width)
            {
                readonly Param g = new(Init.Ones, width);
                public Tensor Forward(Tensor x) => x * g;
            }
            """;
        const string model = """
            using Dl;
            namespace Demo;
            [Model]
            public partial class Gated
            {
                readonly Gate gate = new(4);
                public Tensor Forward([Input(4)] Tensor x) => gate.Forward(x);
            }
            """;
        var run = Generate(("Gate.cs", layer), ("Gated.cs", model));
        var old = run.Input.SyntaxTrees.Single(t => t.FilePath == "Gate.cs");
        var edited = run.Input.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(layer.Replace("Init.Ones", "Init.Zeros"), LanguageOptions, "Gate.cs"));
        var second = run.Driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Equal(IncrementalStepRunReason.Modified, second.TrackedSteps[ModelGenerator.ResultStep].Single().Outputs.Single().Reason);
        var spec = (Dl.SourceGen.Spec.ModelSpec)second.TrackedSteps[ModelGenerator.SpecStep].Single().Outputs.Single().Value;
        Assert.Contains(spec.Ops, o => o.Name == "gate.g" && o.Option == "Zeros");
    }
}
