using System;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Sizes past what an int counts that only the graph sees (products, broadcasts) are a DL0040 error
/// at the expression that makes the tensor, totals the compiler sums are DL0040 at the model (sizes
/// written in the source, like new Dense(100000, 100000), are the reader's DL0022); generated code
/// never overflows or fails to compile; names stay short; a batch too large for one array is a
/// clear exception at run time.
/// </summary>
public class SizeLimitTests
{
    private static string Model(string members) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class [|M|]
        {
        {{members}}
        }
        """;

    /// <summary>Exactly one DL0040 at the one marked span (the class name is marked too; the model-level cases mark only that).</summary>
    private static void TooLarge(string markup, bool atModel, params string[] facts)
    {
        var (source, spans) = Markup(markup);
        var run = Generate(source);
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostic = Assert.Single(run.Diagnostics.Where(d => d.Id.StartsWith("DL")));
        Assert.Equal("DL0040", diagnostic.Id);
        Assert.Equal(atModel ? spans[0] : spans[1], diagnostic.Location.SourceSpan);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var fact in facts) Assert.Contains(fact, message);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Matrix_product_past_int_at_the_product() => TooLarge(Model("""
            public Tensor Forward([Input(100000)] Tensor x) => [|x.Transpose().MatMul(x)|].Sum(0);
        """), false, "MatMul", "[100000,100000]", "10000000000 elements");

    [Fact]
    public void Broadcast_product_past_int_at_the_operator() => TooLarge(Model("""
            public Tensor Forward([Input(50000)] Tensor x) => [|x.Reshape(-1, 50000, 1) * x.Reshape(-1, 1, 50000)|];
        """), false, "Mul", "[N,50000,50000]", "2500000000");

    [Fact]
    public void Parameters_summing_past_int_at_the_model() => TooLarge(Model("""
            readonly Param a = new(40000, 20000);
            readonly Param b = new(40000, 20000);
            readonly Param c = new(40000, 20000);
            public Tensor Forward([Input(20000)] Tensor x) => x * a.Sum(0) * b.Sum(0) * c.Sum(0);
        """), true, "model 'M'", "the parameters would take 2400000000 floats");

    [Fact]
    public void Working_memory_past_int_per_sample_at_the_model() => TooLarge(Model("""
            public Tensor Forward([Input(800000000)] Tensor x)
            {
                var a = x.Exp();
                var b = x.Tanh();
                return (a + b) * (a - b).Sum(1).Reshape(-1, 1);
            }
        """), true, "model 'M'", "working memory per sample");

    [Fact]
    public void A_batch_too_large_for_the_arena_is_an_argument_exception()
    {
        // 50,000 samples of one float: the [N,N] similarities would be 2.5e9 floats.
        var source = Model("""
                public Tensor Forward([Input(1)] Tensor x) => x.MatMul(x.Transpose()).Relu();
            """).Replace("[|", "").Replace("|]", "");
        var e = Assert.Throws<ArgumentException>(() => CompiledModelHarness.Predict(source, "M", 50000));
        Assert.Contains("M: a batch of 50000 needs 2500", e.Message);
        Assert.Contains("use smaller batches", e.Message);
        Assert.Equal(4 * 4, CompiledModelHarness.Predict(source, "M", 4).Length);
    }

    [Fact]
    public void Scalar_parameter_compiles_and_runs() =>
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(Model("""
                readonly Param p = new(Init.Ones);
                public Tensor Forward([Input(4)] Tensor x) => x * p;
                public Tensor Loss(Tensor y) => y.Sum();
            """).Replace("[|", "").Replace("|]", ""), "M", 3));

    [Fact]
    public void Long_fused_chain_gets_short_names_and_loops_of_bounded_size()
    {
        // 300 additions fuse; their kernel's name once listed all 301 ops (1,200 characters: CS7013 at emit).
        // Now each loop fuses at most MaxGroupOps ops, is named by its first six and a count, and equal
        // loops are one method.
        string model = Model("""
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for (int i = 0; i < 300; i++) x = x + (i >= 0 ? 1f : 2f); // reads the index: unrolled, not a loop node
                    return x.Relu();
                }
            """).Replace("[|", "").Replace("|]", "");
        string source = CompiledModelHarness.Source(model, "M");
        var names = Regex.Matches(source, @"internal static void (\w+)\(").Select(m => m.Groups[1].Value).ToList();
        Assert.InRange(names.Count, 2, 5);
        Assert.All(names, name => Assert.Matches(@"^(Add|Relu)_Add_Add_Add_Add_Add_\d+More_Nx4(_[a-z]+|_\d+)?$", name));
        Assert.True(Regex.Matches(source, @"\b\w+\b").All(m => m.Length < 100), "an identifier of 100 characters or more");
        Assert.True(Regex.Matches(source, @"float t(\d+) =").Select(m => int.Parse(m.Groups[1].Value)).Max() < Dl.Compiler.Fusion.MaxGroupOps);
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(model, "M", 3));
    }

    [Fact]
    public void A_shared_layer_applied_in_a_loop_is_emitted_once()
    {
        // Kernels with the same code are one method whatever node they compute, so the file grows with
        // the loop only by its call lines (2,000 steps once made 8.5 MB that took 14 s to compile).
        string Loop(int steps) => Model($$"""
                readonly Dense d = new(8, 8, Activation.Tanh);
                public Tensor Forward([Input(8)] Tensor x)
                {
                    for (int i = 0; i < {{steps}}; i++) x = d.Forward(x) * 0.5f + x;
                    return x;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """).Replace("[|", "").Replace("|]", "");
        int Methods(string source) => Regex.Matches(source, @"internal static void \w+\(").Count;
        // Up to 8 steps the loop is unrolled and the steps share their kernels' methods; a longer loop is
        // a loop node, one body whatever the number of steps (LoopLoweringTests).
        int few = Methods(CompiledModelHarness.Source(Loop(4), "M")), many = Methods(CompiledModelHarness.Source(Loop(8), "M"));
        Assert.Equal(few, many);
        Assert.Equal(Methods(CompiledModelHarness.Source(Loop(40), "M")), Methods(CompiledModelHarness.Source(Loop(400), "M")));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(Loop(12), "M", 5));
    }
}
