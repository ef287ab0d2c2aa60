using System;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using Dl.SourceGen.Reading;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// Spec in, generated source (or diagnostics) out: lowers the spec to a graph and hands it to
/// <see cref="ModelCompiler.Generate"/>. Emits nothing for a model with errors; any unexpected
/// exception becomes DL9999 naming the model.
/// </summary>
internal static class ModelBuilder
{
    public static GenerationResult Build(ModelSpec spec)
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
            string? source = null;
            try
            {
                source = ModelCompiler.Generate(lowered.Graph!, declaration);
            }
            catch (ShapeException e)
            {
                // A graph error the compiler found late (no single op to blame): report it at the class.
                diagnostics.Add(ModelLowering.ShapeError(e, spec.Identifier, "", null));
            }
            return new GenerationResult(spec.FullName, spec.HintName, source, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            return new GenerationResult(spec.FullName, spec.HintName, null,
                spec.Diagnostics.Concat(new[] { ModelReader.InternalError(spec, e) }).ToEquatableArray());
        }
    }
}
