using System.Collections.Immutable;
using System.Linq;
using Dl.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Generated names never clash with the user's: inputs named like the generated locals and members,
/// keywords, user types named like the old using-aliases, a class named <c>@class</c>. The CPU code
/// compiles and runs against the reference; the Gpu class (generated where Dl.Runtime.Gpu is
/// referenced) compiles.
/// </summary>
public class GeneratedNameTests
{
    private static string Model(string members, string extra = "", string name = "M") => $$"""
        using Dl;
        namespace Test;
        {{extra}}
        [Model]
        public partial class {{name}}
        {
        {{members}}
        }
        """;

    public static TheoryData<string, string> Clashing => new()
    {
        { "generated locals", """
            readonly Dense d = new(4, 3);
            public Tensor Forward([Input(4)] Tensor n, [Input(4)] Tensor arena) => d.Forward(n + arena);
            public Tensor Loss(Tensor y, Labels loss) => Nn.CrossEntropy(y, loss);
          """ },
        { "generated members", """
            readonly Dense d = new(4, 3);
            public Tensor Forward([Input(4)] Tensor _params, [Input(4)] Tensor Arena, [Input(4)] Tensor Param) => d.Forward(_params * Arena + Param);
            public Tensor Loss(Tensor y, Labels Grad) => Nn.CrossEntropy(y, Grad);
          """ },
        { "public members and runtime names", """
            readonly Dense d = new(4, 3, Activation.Relu);
            public Tensor Forward([Input(4)] Tensor LearningRate, [Input(4)] Tensor ComputeGradients) => d.Forward(LearningRate - ComputeGradients);
            public Tensor Loss(Tensor y, [Input(3)] Tensor optimizer) => Nn.Mse(y, optimizer);
          """ },
        { "keywords", """
            readonly Dense d = new(4, 3);
            public Tensor Forward([Input(4)] Tensor @class, [Input(4)] Tensor @var) => d.Forward(@class * @var);
            public Tensor Loss(Tensor y, Labels @int) => Nn.CrossEntropy(y, @int);
          """ },
        { "inputs named like the reserved generated names", """
            readonly Dense d = new(4, 3);
            public Tensor Forward([Input(4, Gradient = true)] Tensor __n, [Input(4)] Tensor __arena, [Input(4)] Tensor __Kernels, [Input(4)] Tensor __FixedArena) => d.Forward(__n * __arena + __Kernels - __FixedArena);
            public Tensor Loss(Tensor y, Labels __Param) => Nn.CrossEntropy(y, __Param);
          """ },
        { "input gradient names", """
            public Tensor Forward([Input(4, Gradient = true)] Tensor x, [Input(4, Gradient = true)] Tensor xGradient, [Input(4, Gradient = true)] Tensor @this) => x * xGradient + @this;
            public Tensor Loss(Tensor y) => (y * y).Mean();
          """ },
    };

    [Theory]
    [MemberData(nameof(Clashing))]
    public void Inputs_named_like_generated_names_compile_and_run(string what, string members)
    {
        _ = what;
        AgreesWithReference(Run(Model(members), "M", 3));
    }

    /// <summary>User types that hid the generated code's using-aliases (Vec, V512, Mem), runtime namespaces and contextual keywords.</summary>
    private const string ShadowingTypes = """
        public class Vec { } public class V512 { } public class Mem { } public class FloatView { } public class IntView { }
        public class System { } public class Dl { } public class ILGPU { } public class nuint { } public class MathF { }
        """;

    private const string ElementwiseModel = """
            public class Vec { } public class V512 { } public class Mem { } public class Span { } public class nameof { }
            readonly Dense d = new(4, 3);
            readonly Param scale = new(Init.Ones, 3);
            public Tensor Forward([Input(4)] Tensor x) => (d.Forward(x) * scale + 1f).Tanh() - x.Sum(1).Reshape(-1, 1).Sigmoid();
            public Tensor Loss(Tensor y, Labels label) => Nn.CrossEntropy(y, label) + (y * y).Mean() * 0.1f;
        """;

    [Fact]
    public void User_types_named_like_generated_aliases_do_not_hide_them() =>
        AgreesWithReference(Run(Model(ElementwiseModel, ShadowingTypes), "M", 5));

    [Fact]
    public void Model_class_named_with_a_keyword() =>
        AgreesWithReference(Run(Model(ElementwiseModel, name: "@class"), "class", 2));

    [Theory]
    [InlineData("if.class")]
    [InlineData("@if.@class")]
    public void Namespace_and_class_keywords_are_escaped_by_the_emitter(string ns)
    {
        var g = new Dl.Graph.GraphBuilder();
        var x = g.Input("event", new Dl.Graph.Shape(Dl.Graph.Dim.Batch, 4));
        var graph = new Dl.Graph.ModelGraph("struct", g, new[] { x }, g.Relu(x), null);
        string code = ModelCompiler.Generate(graph, new ModelDeclaration(ns, "@struct", "public", new string[0]));
        var tree = CSharpSyntaxTree.ParseText(code, GeneratorHarness.LanguageOptions);
        var compilation = CSharpCompilation.Create("Escaped", new[] { tree }, GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        Assert.Contains("namespace @if.@class", code);
        Assert.Contains("partial class @struct", code);
        Assert.Contains("ReadOnlySpan<float> @event", code);
    }

    /// <summary>The framework, Dl.Runtime, Dl.Runtime.Gpu and ILGPU: with these the generator also writes each model's Gpu class.</summary>
    internal static readonly ImmutableArray<MetadataReference> GpuReferences = GeneratorHarness.References
        .Add(MetadataReference.CreateFromFile(typeof(global::Dl.Gpu.GpuDevice).Assembly.Location))
        .Add(MetadataReference.CreateFromFile(typeof(global::ILGPU.Context).Assembly.Location));

    public static TheoryData<string> GpuCases()
    {
        var cases = new TheoryData<string>();
        foreach (var row in Clashing) cases.Add(Model((string)row[1]));
        cases.Add(Model(ElementwiseModel, ShadowingTypes));
        cases.Add(Model(ElementwiseModel, name: "@class"));
        return cases;
    }

    [Theory]
    [MemberData(nameof(GpuCases))]
    public void Gpu_class_compiles_whatever_the_user_named(string source) =>
        Assert.DoesNotContain("NotSupportedReason", GpuSource(source));

    /// <summary>Generates with the GPU runtime referenced; asserts no DL error and that everything compiles; returns the Gpu class's file.</summary>
    internal static string GpuSource(string source)
    {
        var compilation = CSharpCompilation.Create("GpuModels", new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.LanguageOptions, "Model.cs") },
            GpuReferences, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        var gpu = Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith(".Gpu.g.cs"));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).Distinct().Take(10).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return gpu.ToString();
    }
}
