using System;
using System.Linq;
using Dl.Compiler;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>The GPU backend's source for one model: <c>&lt;Model&gt;.Gpu</c> in a file of its own.</summary>
internal sealed record GpuGenerationResult(string HintName, string? Source);

/// <summary>
/// Spec in, the model's Gpu class out, for projects that reference Dl.Runtime.Gpu (ILGPU). It
/// lowers and compiles the spec again rather than widening the CPU step's result, so projects
/// without the GPU runtime pay nothing and the CPU pipeline stays as it was. A model with errors
/// gets nothing here: the CPU step reports them.
/// </summary>
internal static class GpuBuilder
{
    /// <summary>The assembly whose reference turns the GPU backend on.</summary>
    public const string RuntimeAssembly = "Dl.Runtime.Gpu";

    public static GpuGenerationResult Build(ModelSpec spec)
    {
        string hint = spec.GpuHintName;
        if (spec.HasErrors) return new GpuGenerationResult(hint, null);
        try
        {
            var lowered = ModelLowering.Lower(spec);
            if (lowered.HasErrors) return new GpuGenerationResult(hint, null);
            var declaration = new ModelDeclaration(spec.Namespace, spec.ClassName, spec.Accessibility, spec.ContainingTypes.ToList());
            return new GpuGenerationResult(hint, GpuEmitter.Emit(ModelCompiler.Compile(lowered.Graph!), declaration));
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception)
        {
            // The CPU step compiles the same spec and reports any failure as a diagnostic.
            return new GpuGenerationResult(hint, null);
        }
    }
}
