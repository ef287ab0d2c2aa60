using System;
using System.Linq;
using Dl.Compiler;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Both backends come from one compile: a GPU emitter failure is DL9999 at the model (not a missing
/// <c>Model.Gpu</c> and a CS0426 in user code), and a model the GPU cannot run is DL0041.
/// </summary>
public class GpuGenerationTests
{
    private const string Mlp = """
        using Dl;
        namespace Test;
        [Model]
        public partial class M
        {
            readonly Dense hidden = new(4, 8, Activation.Relu);
            readonly Dense output = new(8, 3);
            public Tensor Forward([Input(4)] Tensor x) => output.Forward(hidden.Forward(x));
            public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
        }
        """;

    /// <summary>User code that names the Gpu class: it must keep compiling whatever the GPU emitter does.</summary>
    private const string User = """
        namespace Test;
        public static class UsesGpu { public static System.Type Type => typeof(M.Gpu); }
        """;

    [Fact]
    public void An_exception_in_the_GPU_emitter_is_DL9999_at_the_model_and_Gpu_still_exists()
    {
        var spec = Generate(Mlp).Spec("M");
        GpuEmit broken = (CompiledModel model, ModelDeclaration declaration, out string? reason, out Dl.Graph.Node? at) =>
            throw new InvalidOperationException("injected GPU emitter failure");
        var result = ModelBuilder.Build(spec, broken);

        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL9999", diagnostic.Id);
        Assert.Equal(spec.Identifier.Span, diagnostic.Location.SourceSpan);
        Assert.Contains("'Test.M'", diagnostic.GetMessage());
        Assert.Contains("injected GPU emitter failure", diagnostic.GetMessage());
        Assert.NotNull(result.Source);
        Assert.NotNull(result.GpuSource);
        // With the stub, the only error left is the DL9999 itself: the user's typeof(M.Gpu) compiles.
        Assert.Empty(CompileWithGpu(result.Source!, result.GpuSource!));
    }

    [Fact]
    public void A_working_GPU_emitter_gives_no_diagnostic_and_a_real_Gpu_class()
    {
        var result = ModelBuilder.Build(Generate(Mlp).Spec("M"), ModelBuilder.Gpu);
        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain("NotSupportedReason", result.GpuSource);
        Assert.Empty(CompileWithGpu(result.Source!, result.GpuSource!));
    }

    [Fact]
    public void Without_the_GPU_runtime_no_Gpu_source_is_made()
    {
        var result = ModelBuilder.Build(Generate(Mlp).Spec("M"));
        Assert.NotNull(result.Source);
        Assert.Null(result.GpuSource);
    }

    [Fact]
    public void A_model_the_GPU_cannot_run_is_DL0041_at_the_expression_it_cannot_run()
    {
        var (source, spans) = Markup("""
            using Dl;
            namespace Test;
            [Model]
            public partial class M
            {
                readonly Lstm rnn = new(3, 4, stateful: true);
                public Tensor Forward([Input(5, 3)] Tensor x) => [|rnn.FinalHidden(x)|].Flatten();
                public Tensor Loss(Tensor y, Labels l) => Nn.CrossEntropy(y, l);
            }
            """);
        var result = ModelBuilder.Build(Generate(source).Spec("M"), ModelBuilder.Gpu);
        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL0041", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Contains("stateful recurrent layers", diagnostic.GetMessage());
        Assert.Contains("NotSupportedReason", result.GpuSource);
    }

    /// <summary>C# errors of the generated files plus <see cref="User"/> (nothing else of the model's source is needed).</summary>
    private static string[] CompileWithGpu(string cpu, string gpu)
    {
        var trees = new[] { (Mlp, "Model.cs"), (User, "User.cs"), (cpu, "M.g.cs"), (gpu, "M.Gpu.g.cs") }
            .Select(f => CSharpSyntaxTree.ParseText(f.Item1, LanguageOptions, f.Item2));
        var compilation = CSharpCompilation.Create("GpuModels", trees, GeneratedNameTests.GpuReferences,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
    }
}
