using System;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using Dl.SourceGen.Reading;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// Emits the GPU backend of a compiled model; <paramref name="unsupportedReason"/> is set when the model
/// has something the backend has no kernel for, and <paramref name="at"/> to the node it is about, if any.
/// A parameter of <see cref="ModelBuilder.Build"/> so tests can inject a failing emitter.
/// </summary>
internal delegate string GpuEmit(CompiledModel model, ModelDeclaration declaration, out string? unsupportedReason, out Node? at);

/// <summary>
/// Emits the ONNX export members of a compiled model; <paramref name="unsupportedReason"/> is set when the
/// inference graph has an op ONNX cannot express (<paramref name="at"/>: its node). A parameter of <see cref="ModelBuilder.Build"/>, like
/// <see cref="GpuEmit"/>, so tests can inject a failing exporter.
/// </summary>
internal delegate string OnnxEmit(CompiledModel model, ModelDeclaration declaration, out string? unsupportedReason, out Node? at);

/// <summary>
/// Spec in, generated source (or diagnostics) out: lowers the spec to a graph, compiles it once and
/// emits the CPU source and, when the project references the GPU runtime, the GPU source from the same
/// plan. Emits nothing for a model with errors; any unexpected exception becomes DL9999 naming the model.
/// </summary>
internal static class ModelBuilder
{
    /// <summary>The assembly whose reference turns the GPU backend on.</summary>
    public const string GpuRuntimeAssembly = "Dl.Runtime.Gpu";

    /// <summary>The GPU emitter the generator uses.</summary>
    public static readonly GpuEmit Gpu = GpuEmitter.Emit;

    /// <summary>The assembly whose reference turns ONNX export (the generated ExportOnnx members) on.</summary>
    public const string OnnxAssembly = "Dl.Onnx";

    /// <summary>The ONNX exporter the generator uses.</summary>
    public static readonly OnnxEmit Onnx = OnnxEmitter.Emit;

    public static GenerationResult Build(ModelSpec spec, GpuEmit? gpu = null, OnnxEmit? onnx = null)
    {
        if (spec.HasErrors)
            return new GenerationResult(spec.FullName, spec.HintName, null, spec.Diagnostics);
        try
        {
            var lowered = ModelLowering.Lower(spec);
            var diagnostics = spec.Diagnostics.Concat(lowered.Diagnostics).ToList();
            if (lowered.HasErrors)
                return new GenerationResult(spec.FullName, spec.HintName, null, diagnostics.ToEquatableArray());
            var declaration = new ModelDeclaration(spec.Namespace, spec.ClassName, spec.Accessibility, spec.ContainingTypes.ToList());
            CompiledModel compiled;
            string source;
            try
            {
                compiled = ModelCompiler.Compile(lowered.Graph!);
                source = CpuEmitter.Emit(compiled, declaration);
            }
            catch (ShapeException e)
            {
                // A graph error the compiler found late (no single op to blame): report it at the class.
                diagnostics.Add(ModelLowering.ShapeError(e, spec.Identifier, "", null));
                return new GenerationResult(spec.FullName, spec.HintName, null, diagnostics.ToEquatableArray());
            }

            // An emitter bug costs its backend only: DL9999 at the model, the CPU code as usual, and a stub that says
            // so, so that user code naming Model.Gpu or calling ExportOnnx adds no CS0426 or CS1061 to the real error.
            string? gpuSource = gpu is null ? null : Backend(spec, lowered.Origins, diagnostics, () => (gpu(compiled, declaration, out var why, out var at), why, at),
                DiagnosticDescriptors.GpuUnsupported, () => GpuEmitter.EmitUnsupported(declaration, "the GPU backend failed to generate it (DL9999)"));
            // An op with no ONNX mapping gives members that throw naming it, and a warning here at build time.
            string? onnxSource = onnx is null ? null : Backend(spec, lowered.Origins, diagnostics, () => (onnx(compiled, declaration, out var why, out var at), why, at),
                DiagnosticDescriptors.OnnxUnsupported, () => OnnxEmitter.EmitUnsupported(compiled, declaration, "the ONNX exporter failed to generate it (DL9999)"));
            return new GenerationResult(spec.FullName, spec.HintName, source, diagnostics.ToEquatableArray())
            {
                GpuHintName = spec.GpuHintName,
                GpuSource = gpuSource,
                OnnxHintName = spec.OnnxHintName,
                OnnxSource = onnxSource,
            };
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            return new GenerationResult(spec.FullName, spec.HintName, null,
                spec.Diagnostics.Concat(new[] { ModelReader.InternalError(spec, e) }).ToEquatableArray());
        }
    }

    /// <summary>
    /// One optional backend's source: <paramref name="unsupported"/> when the emitter says what it cannot express, at
    /// the expression that traced the node it names (at the model when it names none, or one the compiler made), and
    /// for any exception DL9999 with <paramref name="stub"/>'s source in place of the backend's.
    /// </summary>
    private static string Backend(ModelSpec spec, OpOrigins origins, System.Collections.Generic.List<DiagnosticInfo> diagnostics,
        Func<(string Source, string? Unsupported, Node? At)> emit, Microsoft.CodeAnalysis.DiagnosticDescriptor unsupported, Func<string> stub)
    {
        try
        {
            var (source, reason, at) = emit();
            if (reason is not null)
                diagnostics.Add(DiagnosticInfo.Create(unsupported, origins.Of(at) ?? spec.Identifier, spec.FullName, reason));
            return source;
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            diagnostics.Add(ModelReader.InternalError(spec, e));
            return stub();
        }
    }
}
