using System.Collections.Generic;
using System.Linq;
using Dl.Graph;
using Dl.Graph.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests.Coverage;

/// <summary>
/// Every op in the op table, checked the same way from its case in <see cref="OpCases"/>: its shape
/// rule refuses ill-shaped operands, its VJP agrees with finite differences, a model using it compiles
/// for the CPU and agrees with the reference evaluator (forward, loss, gradients), and the GPU backend
/// emits it (or says why not, DL0041). An op without a case, or a case without a check and without a
/// reason, fails the first test.
/// </summary>
public class OpCoverageTests
{
    public static TheoryData<string> Ops()
    {
        var data = new TheoryData<string>();
        foreach (var entry in OpTable.Entries) data.Add(entry.Name);
        return data;
    }

    private static OpCase Case(string op) => OpCases.For(op) ?? throw new Xunit.Sdk.XunitException($"no case for '{op}' in OpCases");

    private static string Source(OpCase c) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
        {{c.Model}}
        }
        """;

    [Fact]
    public void Every_op_in_the_table_has_a_case_with_every_check()
    {
        var missing = new List<string>();
        foreach (var entry in OpTable.Entries)
        {
            var c = OpCases.For(entry.Name);
            if (c is null) { missing.Add($"{entry.Name}: no case"); continue; }
            if (c.Model.Length == 0) missing.Add($"{entry.Name}: no model (forward vs the evaluator, CPU and GPU emission)");
            if (c.BadOperands is null && c.NoShapeError is null) missing.Add($"{entry.Name}: no shape-error case");
            if (c.Gradient is null && c.NoGradient is null) missing.Add($"{entry.Name}: no gradient check");
        }
        missing.AddRange(OpCases.All.Where(c => OpTable.Entries.All(e => e.Name != c.Op)).Select(c => $"{c.Op}: a case for an op not in the table"));
        missing.AddRange(OpCases.All.GroupBy(c => c.Op).Where(g => g.Count() > 1).Select(g => $"{g.Key}: two cases"));
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void Exemptions_are_few_and_say_why()
    {
        // Only sources may skip a check; everything else must run all of them.
        var sources = OpTable.Entries.Where(e => e.Surface == OpSurface.Source).Select(e => e.Name).ToHashSet();
        foreach (var c in OpCases.All.Where(c => c.NoShapeError is not null || c.NoGradient is not null))
            Assert.True(sources.Contains(c.Op), $"{c.Op} is exempted from a check ({c.NoShapeError ?? c.NoGradient}) but is not a source");
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Shape_rule_refuses_ill_shaped_operands(string op)
    {
        var c = Case(op);
        if (c.NoShapeError is not null) return;
        var g = new GraphBuilder();
        var operands = c.BadOperands!(g);
        var e = Assert.ThrowsAny<ShapeException>(() => OpTable.Get(op).Build(g, c.BadArgs ?? c.Args, operands));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Gradient_matches_finite_differences(string op)
    {
        var c = Case(op);
        if (c.NoGradient is not null) return;
        var entry = OpTable.Get(op);
        var result = GradCheck.Check((g, x) => entry.Build(g, c.Args, x), c.Gradient!);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Compared > 0, "the check compared no gradient elements");
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Cpu_code_agrees_with_the_evaluator(string op)
    {
        var c = Case(op);
        var source = Source(c);
        // The model really uses the op (the reader recorded its row).
        Assert.Contains(GeneratorHarness.Generate(source).Spec("M").Ops, o => o.Op == op);
        foreach (int batch in new[] { 1, 3 })
            AgreesWithReference(Run(source, "M", batch));
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Gpu_code_is_emitted_or_the_model_is_told_why_not(string op)
    {
        var c = Case(op);
        var compilation = CSharpCompilation.Create("GpuModels", new[] { CSharpSyntaxTree.ParseText(Source(c), GeneratorHarness.LanguageOptions, "Model.cs") },
            GeneratedNameTests.GpuReferences, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).Distinct().Take(10).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var gpu = Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith(".Gpu.g.cs")).ToString();
        var dl0041 = diagnostics.Where(d => d.Id == "DL0041").ToList();
        if (c.NotOnGpu is null)
        {
            Assert.True(dl0041.Count == 0, string.Join("\n", dl0041.Select(d => d.GetMessage())));
            Assert.DoesNotContain("NotSupportedReason", gpu);
        }
        else
        {
            Assert.Contains("NotSupportedReason", gpu);
            Assert.Contains(c.NotOnGpu, Assert.Single(dl0041).GetMessage());
        }
    }
}
