using System.Linq;
using Dl.SourceGen.Lowering;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>The generator never crashes the build: odd models give diagnostics, internal failures give DL9999.</summary>
public class RobustnessTests
{
    [Fact]
    public void DL9999_internal_failure_names_the_model()
    {
        var location = new LocationInfo("Model.cs", new TextSpan(10, 3), default);
        var spec = new ModelSpec("Broken", "Test", "public", EquatableArray<string>.Empty, location)
        {
            // Output points past the traced ops: an inconsistent spec, as a reader bug would make.
            Ops = new[] { new OpSpec(Dl.Graph.OpTable.Input, EquatableArray<int>.Empty, location) { Name = "x", Ints = new[] { 4 }.ToEquatableArray() } }.ToEquatableArray(),
            Inputs = new[] { 0 }.ToEquatableArray(),
            Output = 3,
        };
        var result = ModelBuilder.Build(spec);
        Assert.Null(result.Source);
        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL9999", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(new TextSpan(10, 3), diagnostic.Location.SourceSpan);
        Assert.Contains("'Test.Broken'", diagnostic.GetMessage());
        Assert.Contains("IndexOutOfRangeException", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("recursion", """
        [Layer] public partial class Loop { public Tensor Forward(Tensor x) => Forward(x); }
        [Model] public partial class M { readonly Loop l = new(); public Tensor Forward([Input(4)] Tensor x) => l.Forward(x); }
        """, "DL0021")]
    [InlineData("self-containing layer", """
        [Layer] public partial class Box { readonly Box inner = new(); readonly Param p = new(4); public Tensor Forward(Tensor x) => x * p; }
        [Model] public partial class M { readonly Box b = new(); public Tensor Forward([Input(4)] Tensor x) => b.Forward(x); }
        """, "DL0020")]
    [InlineData("field without initializer", """
        [Model] public partial class M { readonly Dense d; public M() { d = new Dense(4, 4); } public Tensor Forward([Input(4)] Tensor x) => d.Forward(x); }
        """, "DL0004")]
    [InlineData("integer input", """
        [Model] public partial class M { public Tensor Forward([Input(4)] Tensor x, int k) => x; }
        """, "DL0004")]
    [InlineData("labels as output", """
        [Model] public partial class M { public Tensor Forward([Input(4)] Tensor x) => x; public Tensor Loss(Labels y) => Nn.Mse(null!, null!); }
        """, "DL0004")]
    [InlineData("zero-sized input", """
        [Model] public partial class M { public Tensor Forward([Input(0)] Tensor x) => x; }
        """, "DL0001")]
    [InlineData("duplicate input name", """
        [Model] public partial class M { public Tensor Forward([Input(4)] Tensor x) => x; public Tensor Loss(Tensor y, [Input(4)] Tensor x) => Nn.Mse(y, x); }
        """, "DL0004")]
    [InlineData("constant division by zero", """
        [Layer] public partial class L(int n) { readonly Param p = new(4 / n); public Tensor Forward(Tensor x) => x * p; }
        [Model] public partial class M { readonly L l = new(0); public Tensor Forward([Input(4)] Tensor x) => l.Forward(x); }
        """, "DL0023")]
    [InlineData("explicit layer constructor", """
        [Layer] public partial class L { readonly int n; public L(int n) { this.n = n; } public Tensor Forward(Tensor x) => x; }
        [Model] public partial class M { readonly L l = new(3); public Tensor Forward([Input(4)] Tensor x) => l.Forward(x); }
        """, "DL0004")]
    public void Odd_model_gives_a_diagnostic_not_a_crash(string what, string members, string id)
    {
        var run = Generate("using Dl;\nnamespace Test;\n" + members);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8784" or "CS8785" or "DL9999");
        Assert.True(run.Diagnostics.Any(d => d.Id == id), $"{what}: expected {id}, got {string.Join(", ", run.Diagnostics.Select(d => d.Id + " " + d.GetMessage()))}");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Model_attribute_on_two_parts_reads_the_model_once()
    {
        var run = Generate(("A.cs", "using Dl;\nnamespace Test;\n[Model] public partial class M { public Tensor Forward([Input(4)] Tensor x) => x.Relu(); }"),
                           ("B.cs", "using Dl;\nnamespace Test;\n[Model] public partial class M { }"));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8784" or "CS8785" or "DL9999");
        Assert.Single(run.Specs);
    }

    [Fact]
    public void Several_errors_in_one_model_are_all_reported_once_each()
    {
        var (source, spans) = Markup("""
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        x = x * [|System.MathF.Sqrt(2f)|];
                        [|while|] (false) { }
                    }
                    return x;
                }
            }
            """);
        var diagnostics = Generate(source).Diagnostics.Where(d => d.Id.StartsWith("DL")).OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(new[] { "DL0003", "DL0004" }, diagnostics.Select(d => d.Id));
        Assert.Equal(spans, diagnostics.Select(d => d.Location.SourceSpan));
    }
}
