using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Dl.SourceGen.Lowering;
using Dl.SourceGen.Reading;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dl.SourceGen;

/// <summary>
/// The DlCompiler front end. For each <c>[Model]</c> class: read it into an equatable
/// <see cref="ModelSpec"/> (the only step that sees Roslyn symbols), lower the spec to a graph and
/// compile it to source, then add <c>&lt;Namespace&gt;.&lt;Class&gt;.g.cs</c> and report diagnostics.
/// Editing an unrelated file re-reads the model but finds an equal spec, so nothing after it re-runs.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (tests check they stay cached).</summary>
    public const string SpecStep = "ModelSpec";
    public const string ResultStep = "ModelResult";
    public const string DiagnosticsStep = "ModelDiagnostics";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Dl.ModelAttribute",
                // Any type: a record or struct model gets a diagnostic instead of silently nothing.
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ModelReader.Read(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(SpecStep);

        // The GPU backend (<Model>.Gpu, ILGPU kernels) only where the project references its runtime.
        // The flag is a bool, so an edit elsewhere re-reads it but leaves the result step cached. Both
        // backends are emitted from one compile, in one step, so a GPU emitter failure is a diagnostic.
        // ONNX export (ExportOnnx) likewise only where the project references Dl.Onnx; the pair of flags is equatable.
        var backends = context.CompilationProvider
            .Select(static (c, _) => (Gpu: c.ReferencedAssemblyNames.Any(a => a.Name == ModelBuilder.GpuRuntimeAssembly),
                Onnx: c.ReferencedAssemblyNames.Any(a => a.Name == ModelBuilder.OnnxAssembly)));
        var results = specs
            .Combine(backends)
            .Select(static (pair, _) => ModelBuilder.Build(pair.Left, pair.Right.Gpu ? ModelBuilder.Gpu : null, pair.Right.Onnx ? ModelBuilder.Onnx : null))
            .WithTrackingName(ResultStep);

        // Diagnostics are mapped back onto the compilation's syntax trees when reported, so pragmas and
        // the IDE treat them as source locations. Only models that have diagnostics see the compilation.
        var diagnostics = results
            .Where(static r => r.Diagnostics.Count > 0)
            .Combine(context.CompilationProvider)
            .WithTrackingName(DiagnosticsStep);
        context.RegisterSourceOutput(diagnostics, static (spc, pair) => Report(spc, pair.Left, pair.Right));

        // All files are added in one step, so their hint names can be made unique across models (two
        // models may want the same name; Roslyn would throw). The expensive steps above stay per model.
        context.RegisterSourceOutput(results.Collect(), static (spc, models) => AddSources(spc, models));
    }

    private static void AddSources(SourceProductionContext context, ImmutableArray<GenerationResult> models)
    {
        var files = models.Where(m => m.Source is not null).Select(m => (m.HintName, m.Source!, m))
            .Concat(models.Where(m => m.Source is not null && m.GpuSource is not null).Select(m => (m.GpuHintName, m.GpuSource!, m)))
            .Concat(models.Where(m => m.Source is not null && m.OnnxSource is not null).Select(m => (m.OnnxHintName, m.OnnxSource!, m)))
            .ToList();
        var names = HintNames.Unique(files.Select(f => f.Item1).ToList());
        for (int i = 0; i < files.Count; i++)
        {
            var (_, source, model) = files[i];
            try
            {
                context.AddSource(names[i], SourceText.From(source, Encoding.UTF8));
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception e) { ReportInternal(context, model, e); }
        }
    }

    private static void Report(SourceProductionContext context, GenerationResult result, Compilation compilation)
    {
        try
        {
            foreach (var diagnostic in result.Diagnostics)
                context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation));
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) { ReportInternal(context, result, e); }
    }

    private static void ReportInternal(SourceProductionContext context, GenerationResult result, Exception e) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, null, result.ModelName, e.GetType().Name + ": " + e.Message));
}
