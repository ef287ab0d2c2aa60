using System;
using System.Linq;
using Dl.Compiler;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// ONNX export is generated only for projects that reference Dl.Onnx (others compile exactly as before), its
/// structure is fixed at build time (a snapshot of the MLP's), and a graph it cannot map (state a stateful layer
/// carries from call to call: an ONNX model is a function of its inputs) is DL0042 at the model.
/// </summary>
public class OnnxGenerationTests
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

    [Fact]
    public void Without_Dl_Onnx_no_export_source_is_made()
    {
        var result = ModelBuilder.Build(Generate(Mlp).Spec("M"));
        Assert.NotNull(result.Source);
        Assert.Null(result.OnnxSource);
        Assert.DoesNotContain("ExportOnnx", result.Source);
    }

    [Fact]
    public void The_MLP_export_is_straight_line_builder_calls()
    {
        var result = ModelBuilder.Build(Generate(Mlp).Spec("M"), onnx: ModelBuilder.Onnx);
        Assert.Empty(result.Diagnostics);
        Assert.EndsWith(".Onnx.g.cs", result.OnnxHintName);
        Snapshot.Verify("MlpExportOnnx.g.cs", result.OnnxSource!);
    }

    [Fact]
    public void Carried_state_is_DL0042_at_the_layer_call_and_the_export_throws_naming_it()
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
        var result = ModelBuilder.Build(Generate(source).Spec("M"), onnx: ModelBuilder.Onnx);
        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL0042", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(spans[0], diagnostic.Location.SourceSpan);
        Assert.Contains("the op CarriedState", diagnostic.GetMessage());
        Assert.Contains("throw new global::System.NotSupportedException(\"ExportOnnx: the op CarriedState", result.OnnxSource);
        Assert.DoesNotContain("__g.Node", result.OnnxSource);
    }

    /// <summary>User code that calls the export: it must keep compiling whatever the exporter does.</summary>
    private const string User = """
        namespace Test;
        public static class UsesExport { public static void Save(M m) => m.ExportOnnx("m.onnx"); }
        """;

    [Fact]
    public void An_exception_in_the_ONNX_exporter_is_DL9999_at_the_model_and_the_rest_still_generates()
    {
        var spec = Generate(Mlp).Spec("M");
        OnnxEmit broken = (CompiledModel model, ModelDeclaration declaration, out string? reason, out Dl.Graph.Node? at) =>
            throw new InvalidOperationException("injected ONNX exporter failure");
        var result = ModelBuilder.Build(spec, onnx: broken);

        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("DL9999", diagnostic.Id);
        Assert.Equal(spec.Identifier.Span, diagnostic.Location.SourceSpan);
        Assert.Contains("'Test.M'", diagnostic.GetMessage());
        Assert.Contains("injected ONNX exporter failure", diagnostic.GetMessage());
        // The CPU model is generated as usual, and ExportOnnx exists and throws saying why.
        Assert.Equal(ModelBuilder.Build(spec).Source, result.Source);
        Assert.Contains("throw new global::System.NotSupportedException(\"ExportOnnx: the ONNX exporter failed to generate it (DL9999)\")", result.OnnxSource);
        var trees = new[] { (Mlp, "Model.cs"), (User, "User.cs"), (result.Source!, "M.g.cs"), (result.OnnxSource!, "M.Onnx.g.cs") }
            .Select(f => CSharpSyntaxTree.ParseText(f.Item1, LanguageOptions, f.Item2));
        var errors = CSharpCompilation.Create("OnnxStub", trees, References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(errors);
    }
}
