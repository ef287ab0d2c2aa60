using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Generated code reads as a program: storage as named span locals (the calls pass names, not
/// arena arithmetic), section headers, kernels named by what they compute, named GEMM flags,
/// graph nodes numbered 0..k-1, the DOT text last. Over several models, not one snapshot.
/// </summary>
public class ReadableCodeTests
{
    public static TheoryData<string, string> Models() => new()
    {
        { "MnistMlp", ExampleModels.MnistMlp },
        { "Deep", ExampleModels.Deep },
        { "LeNet5", ExampleModels.LeNet5 },
        { "NormDropout", ExampleModels.NormDropout },
        { "Residual", FuzzSeeds.All.Single(s => s.Name == "Residual").Source },
        { "LoopLayers", FuzzSeeds.All.Single(s => s.Name == "LoopLayers").Source },
        { "Params", FuzzSeeds.All.Single(s => s.Name == "Params").Source },
    };

    /// <summary>A recurrent model: the GPU's loop of launches over steps names its step's views too.</summary>
    private const string Gru = """
        using Dl;
        namespace Test;
        [Model]
        public partial class Seq
        {
            readonly Gru gru = new(4, 8, layers: 2);
            readonly Dense head = new(8, 3);
            public Tensor Forward([Input(5, 4)] Tensor x) => head.Forward(gru.Forward(x).Mean(1));
            public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
        }
        """;

    /// <summary>The models the GPU backend runs: all but LeNet5 (convolutions have no GPU kernel yet).</summary>
    public static TheoryData<string, string> GpuModels()
    {
        var models = new TheoryData<string, string>();
        foreach (var row in Models().Where(r => (string)r[0] != "LeNet5")) models.Add((string)row[0], (string)row[1]);
        models.Add("Gru", Gru);
        return models;
    }

    private static string Source(string model) => Assert.Single(Generate(model).Sources).SourceText.ToString();

    /// <summary>The text of the verbatim string constant <paramref name="name"/>.</summary>
    private static string Constant(string source, string name) =>
        Regex.Match(source, "public const string " + name + @" = @""((?:[^""]|"""")*)"";").Groups[1].Value.Replace("\"\"", "\"");

    [Theory, MemberData(nameof(Models))]
    public void Graph_nodes_are_numbered_0_to_k_minus_1_without_gaps(string name, string model)
    {
        var source = Source(model);
        var text = Constant(source, "GraphText");
        var ids = Regex.Matches(text, @"^%(\d+) = ", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.True(ids.Count > 3, name);
        Assert.Equal(Enumerable.Range(0, ids.Count), ids);
        // Every reference, in the text, the DOT and the kernels' summaries, is one of those nodes.
        Assert.All(Regex.Matches(text, @"%(\d+)").Select(m => int.Parse(m.Groups[1].Value)), id => Assert.InRange(id, 0, ids.Count - 1));
        var dot = Constant(source, "GraphDot");
        var dotIds = Regex.Matches(dot, @"^  n(\d+) \[label", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(Enumerable.Range(0, ids.Count), dotIds);
        var summaries = Regex.Matches(source, @"/// <summary>(%\d+ = .*)</summary>").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(summaries);
        // A loop body's nodes are a graph of their own: only the summaries outside loop bodies use the model's numbers.
        if (!source.Contains("// A loop of "))
            Assert.All(summaries.SelectMany(s => Regex.Matches(s, @"%(\d+)").Select(m => int.Parse(m.Groups[1].Value))), id => Assert.InRange(id, 0, ids.Count - 1));
    }

    [Theory, MemberData(nameof(Models))]
    public void Kernel_calls_pass_named_storage_not_span_arithmetic(string name, string model)
    {
        var source = Source(model);
        var calls = source.Split('\n').Where(l => Regex.IsMatch(l, @"^\s+__Kernels\.\w+\(")).ToList();
        Assert.True(calls.Count > 2, name);
        foreach (var call in calls)
            foreach (var raw in new[] { "__arena.Slice(", "__Param(", "__Grad(", "__StateSlot(", "__Carried(" })
                Assert.False(call.Contains(raw), $"{name}: a kernel call spells out its storage: {call.Trim()}");
        // The names are declared as span locals, once per entry point, from the storage they view.
        var declarations = Regex.Matches(source, @"^\s+__Span (@?\w+) = (__Param|__Grad|__arena\.Slice|__StateSlot|__Carried)\(", RegexOptions.Multiline);
        Assert.NotEmpty(declarations);
        Assert.All(declarations.Select(d => d.Groups[1].Value), local => Assert.False(local.StartsWith("__"), local));
    }

    [Fact]
    public void Parameters_gradients_and_activations_are_named_after_the_layers()
    {
        var source = Source(ExampleModels.MnistMlp);
        Assert.Contains("__Span hidden_weight = __Param(0, 100352);", source);
        Assert.Contains("__Span d_hidden_weight = __Grad(0, 100352);", source);
        Assert.Contains("__Span output_bias = __Param(101760, 10);", source);
        Assert.Contains("__Span d_output_bias = __Grad(101760, 10);", source);
        Assert.Matches(@"__Span hidden_relu = __arena\.Slice\(", source);
        // The logits' gradient is named after the logits (the output layer's bias add).
        Assert.Matches(@"__Span d_output_biasAdd = __arena\.Slice\(", source);
        Assert.Contains("__Span loss = __arena.Slice(0, 1);", source);
        // Predict declares only what it uses: no gradient, no loss.
        var predict = Body(source, "public global::System.ReadOnlySpan<float> Predict(");
        Assert.DoesNotContain("__Grad(", predict);
        Assert.DoesNotContain(" loss =", predict);
    }

    [Fact]
    public void Entry_points_have_section_headers_in_order()
    {
        var source = Source(ExampleModels.MnistMlp);
        Assert.Contains("// forward", Body(source, "public global::System.ReadOnlySpan<float> Predict("));
        Assert.DoesNotContain("// loss", Body(source, "public global::System.ReadOnlySpan<float> Predict("));
        var gradients = Body(source, "public float ComputeGradients(");
        int forward = gradients.IndexOf("// forward\n"), loss = gradients.IndexOf("// loss\n"), backward = gradients.IndexOf("// backward\n");
        Assert.True(forward >= 0 && forward < loss && loss < backward, gradients);
        var train = Body(source, "public float TrainStep(");
        Assert.True(train.IndexOf("// update\n") > train.IndexOf("// forward, loss and backward\n"), train);
        Assert.Contains("// running averages", Body(Source(ExampleModels.NormDropout), "public float ComputeGradients("));
    }

    [Theory, MemberData(nameof(Models))]
    public void Kernels_are_named_by_what_they_compute_and_the_GEMM_flags_by_name(string name, string model)
    {
        var source = Source(model);
        var methods = Regex.Matches(source, @"internal static void (\w+)\(int n").Select(m => m.Groups[1].Value).ToList();
        Assert.True(methods.Count > 2 && methods.Count == methods.Distinct().Count(), $"{name}: {string.Join(", ", methods)}");
        // No "Fused_" prefix and no node id: ops, then the shape (digits, N and x) or nothing, then a letter told apart.
        Assert.All(methods, m => Assert.Matches(@"^[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$", m));
        // The name ends with the shape the kernel writes (its summary's last node), not the id of the node it
        // was made for (as names once ended: MatMul_29); a letter may follow to tell apart different code.
        foreach (Match k in Regex.Matches(source, @"/// <summary>(.*)</summary>\n\s+internal static void (\w+)\(int n"))
        {
            string summary = Regex.Replace(k.Groups[1].Value, @" \(the same code computes .*\)$", "");
            string shape = Regex.Match(summary, @": \[([^\]]*)\]( i32)?$").Groups[1].Value.Replace(",", "x");
            if (k.Groups[2].Value is "CopyGradient" or "UpdateState") continue; // one span copy for any tensor
            Assert.Matches(shape.Length == 0 ? @"^[A-Za-z]+(_[A-Za-z]+|_\d+More)*(_[a-z]+)?$" : $@"_{shape}(_[a-z]+)?$", k.Groups[2].Value);
        }
        Assert.All(methods, m => Assert.DoesNotMatch(@"^Fused_", m));
        foreach (var gemm in Regex.Matches(source, @"global::Dl\.Cpu\.Gemm\.Multiply\([^;]*;").Select(m => m.Value))
        {
            Assert.Matches(@"transposeA: (true|false)", gemm);
            Assert.Matches(@"transposeB: (true|false)", gemm);
        }
        Assert.Contains("internal static void MatMul_BiasAdd_Relu_Nx128(", Source(ExampleModels.MnistMlp));
    }

    [Theory, MemberData(nameof(Models))]
    public void GraphDot_comes_after_the_entry_points_and_kernels(string name, string model)
    {
        var source = Source(model);
        Assert.True(source.IndexOf("public const string GraphDot") > source.IndexOf("private static class __Kernels"), name);
        Assert.True(source.IndexOf("public const string GraphText") < source.IndexOf("public float TrainStep("), name);
    }

    [Theory]
    [InlineData("hidden_weight")]
    [InlineData("d_hidden_weight")]
    [InlineData("hidden_relu")]
    [InlineData("loss")]
    public void A_storage_name_an_input_already_has_gets_a_number_and_compiles(string input)
    {
        var run = Generate($$"""
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                readonly Dense hidden = new(4, 8, Activation.Relu);
                readonly Dense output = new(8, 3);
                public Tensor Forward([Input(4)] Tensor {{input}}) => output.Forward(hidden.Forward({{input}}));
                public Tensor Loss(Tensor y, Labels label) => Nn.CrossEntropy(y, label);
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        var source = Assert.Single(run.Sources).SourceText.ToString();
        Assert.DoesNotMatch($@"__Span {input} = ", source);
        Assert.Matches($@"__Span {input}_2 = ", source);
    }

    [Fact]
    public void Parameters_named_like_keywords_make_escaped_locals_that_compile()
    {
        var run = Generate("""
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                readonly Param @int = new(Init.Glorot, 4, 3);
                readonly Dense @class = new(3, 2);
                public Tensor Forward([Input(4)] Tensor x) => @class.Forward(x.MatMul(@int));
                public Tensor Loss(Tensor y, Labels label) => Nn.CrossEntropy(y, label);
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        var source = Assert.Single(run.Sources).SourceText.ToString();
        Assert.Contains("__Span @int = __Param(", source);
        Assert.Contains("__Span class_weight = __Param(", source);
    }

    [Theory, MemberData(nameof(GpuModels))]
    public void GPU_launches_pass_named_views_not_buffer_offsets(string name, string model)
    {
        var gpu = GeneratedNameTests.GpuSource(model);
        Assert.DoesNotContain("NotSupportedReason", gpu);
        var runs = Regex.Matches(gpu, @"private void (__Run\w+)\(int n\)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(runs);
        foreach (var run in runs)
        {
            var body = Body(gpu, $"private void {run}(int n)");
            var launches = body.Split('\n').Where(l => Regex.IsMatch(l, @"^\s+__k\.\w+\(|^\s+__[A-Z]\w*\(__s, ")).ToList();
            Assert.True(launches.Count > 0, $"{name}.{run}");
            foreach (var launch in launches)
                foreach (var raw in new[] { "__A(", "__P(", "__G(", "__S(", "__loss.View" })
                    Assert.False(launch.Contains(raw), $"{name}.{run}: a launch spells out its storage: {launch.Trim()}");
            var declarations = Regex.Matches(body, @"^\s+(__View|__IntView) (@?\w+) = (__A|__P|__G|__S|__loss)\b", RegexOptions.Multiline);
            Assert.NotEmpty(declarations);
            Assert.All(declarations.Select(d => d.Groups[2].Value), local => Assert.False(local.StartsWith("__") || local == "n", local));
        }
    }

    [Fact]
    public void GPU_views_are_named_like_the_CPU_locals()
    {
        var gpu = GeneratedNameTests.GpuSource(ExampleModels.MnistMlp);
        var gradients = Body(gpu, "private void __RunComputeGradients(int n)");
        Assert.Contains("__View hidden_weight = __P(0, 100352);", gradients);
        Assert.Contains("__View d_hidden_weight = __G(0, 100352);", gradients);
        Assert.Contains("__View output_bias = __P(101760, 10);", gradients);
        Assert.Contains("__View d_output_bias = __G(101760, 10);", gradients);
        Assert.Matches(@"__View hidden_relu = __A\(__Fixed \+ \d+L \* n, 128 \* n\);", gradients);
        Assert.Matches(@"__View d_output_biasAdd = __A\(", gradients);
        Assert.Matches(@"__View image = __A\(__Fixed \+ \d+L \* n, 784 \* n\);", gradients);
        Assert.Matches(@"__IntView label = __A\(.*\)\.Cast<int>\(\);", gradients);
        Assert.Contains("__View loss = __loss.View;", gradients);
        Assert.Contains("__k.SoftmaxCrossEntropy(__s, output_biasAdd, label, n, 10, loss, d_output_biasAdd, ", gradients);
        // Predict's run declares only what it uses: no gradient, no loss.
        var predict = Body(gpu, "private void __RunPredict(int n)");
        Assert.DoesNotContain("__G(", predict);
        Assert.DoesNotContain(" loss =", predict);
    }

    [Fact]
    public void GPU_run_methods_have_the_CPU_section_headers_in_order()
    {
        var gpu = GeneratedNameTests.GpuSource(ExampleModels.MnistMlp);
        var predict = Body(gpu, "private void __RunPredict(int n)");
        Assert.Contains("// forward\n", predict);
        Assert.DoesNotContain("// loss", predict);
        var gradients = Body(gpu, "private void __RunComputeGradients(int n)");
        int forward = gradients.IndexOf("// forward\n"), loss = gradients.IndexOf("// loss\n"), backward = gradients.IndexOf("// backward\n");
        Assert.True(forward >= 0 && forward < loss && loss < backward, gradients);
        // The headers come after the views: the declarations are not part of a section.
        Assert.True(gradients.LastIndexOf("__View ") < forward, gradients);
        var train = Body(gpu, "public void TrainStep()");
        Assert.True(train.IndexOf("// update\n") > train.IndexOf("// forward, loss and backward\n"), train);
        Assert.Contains("// running averages", Body(GeneratedNameTests.GpuSource(ExampleModels.NormDropout), "private void __RunComputeGradients(int n)"));
    }

    [Theory]
    [InlineData("n")]
    [InlineData("hidden_weight")]
    [InlineData("loss")]
    public void A_GPU_view_name_taken_by_an_input_or_the_batch_gets_a_number_and_compiles(string input)
    {
        var gpu = GeneratedNameTests.GpuSource($$"""
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                readonly Dense hidden = new(4, 8, Activation.Relu);
                readonly Dense output = new(8, 3);
                public Tensor Forward([Input(4)] Tensor {{input}}) => output.Forward(hidden.Forward({{input}}));
                public Tensor Loss(Tensor y, Labels label) => Nn.CrossEntropy(y, label);
            }
            """);
        Assert.DoesNotContain("NotSupportedReason", gpu);
        // The input's slot and the other storage each have one view, however their names met.
        var names = Regex.Matches(Body(gpu, "private void __RunComputeGradients(int n)"), @"__View (@?\w+) = ").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.DoesNotContain("n", names);
        Assert.Contains(input == "n" ? "n_2" : input + "_2", names);
    }

    /// <summary>The text of the method whose declaration starts with <paramref name="signature"/>, to its closing brace.</summary>
    private static string Body(string source, string signature)
    {
        int start = source.IndexOf(signature);
        Assert.True(start >= 0, signature);
        // The closing brace at the declaration's indentation (the Gpu class is a level deeper than the model's methods).
        int line = source.LastIndexOf('\n', start) + 1;
        int end = source.IndexOf("\n" + source.Substring(line, start - line) + "}\n", start);
        return source.Substring(start, end - start);
    }
}
