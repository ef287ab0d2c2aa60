using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dl.SourceGen.Reading;

/// <summary>
/// The generator's first step: reads one <c>[Model]</c> class into an equatable <see cref="ModelSpec"/>.
/// Checks the declaration (partial, Forward), binds Forward's parameters to model inputs and Loss's
/// to Forward's output and the targets, and traces both with the <see cref="Interpreter"/>.
/// Nothing from Roslyn (symbols, syntax, locations) survives into the spec.
/// </summary>
internal static class ModelReader
{
    public static ModelSpec? Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        if (context.TargetNode is not ClassDeclarationSyntax syntax || context.TargetSymbol is not INamedTypeSymbol type) return null;
        if (!IsFirstModelDeclaration(context, type)) return null;
        var spec = Header(syntax, type);
        try
        {
            return ReadBody(spec, syntax, type, context.SemanticModel, cancellation);
        }
        catch (OperationCanceledException) { throw; }
        catch (CompileErrorException) { return spec with { HasCompileErrors = true }; }
        catch (Exception e)
        {
            return spec with { Diagnostics = new[] { InternalError(spec, e) }.ToEquatableArray() };
        }
    }

    public static DiagnosticInfo InternalError(ModelSpec spec, Exception e) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Identifier, spec.FullName, e.GetType().Name + ": " + e.Message);

    /// <summary>[Model] on two parts of one partial class: read it once.</summary>
    private static bool IsFirstModelDeclaration(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type)
    {
        var first = type.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == "Dl.ModelAttribute" && a.ApplicationSyntaxReference is not null)
            .Select(a => a.ApplicationSyntaxReference!)
            .OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(r => r.Span.Start)
            .FirstOrDefault();
        return first is null || context.Attributes.Any(a =>
            a.ApplicationSyntaxReference is { } r && r.SyntaxTree == first.SyntaxTree && r.Span == first.Span);
    }

    private static ModelSpec Header(ClassDeclarationSyntax syntax, INamedTypeSymbol type)
    {
        var containing = new List<string>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
            containing.Insert(0, Declaration(t));
        return new ModelSpec(
            type.Name,
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            Accessibility(type.DeclaredAccessibility),
            containing.ToEquatableArray(),
            LocationInfo.From(syntax.Identifier));
    }

    private static string Declaration(INamedTypeSymbol t)
    {
        string kind = t.IsRecord ? (t.IsValueType ? "record struct" : "record") : t.TypeKind switch
        {
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ => "class",
        };
        string typeParameters = t.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";
        return (t.IsStatic ? "static " : "") + "partial " + kind + " " + t.Name + typeParameters;
    }

    private static string Accessibility(Accessibility a) => a switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    private static ModelSpec ReadBody(ModelSpec spec, ClassDeclarationSyntax syntax, INamedTypeSymbol type, SemanticModel model, CancellationToken cancellation)
    {
        var interpreter = new Interpreter(model, cancellation);
        CheckDeclaration(interpreter, spec, syntax, type);
        var forward = type.GetMembers("Forward").OfType<IMethodSymbol>().Where(m => !m.IsStatic && m.MethodKind == MethodKind.Ordinary).ToList();
        if (forward.Count == 0)
            interpreter.Report(DiagnosticDescriptors.MissingForward, spec.Identifier, type.Name);
        if (interpreter.Diagnostics.Count > 0 || forward.Count == 0)
            return spec with { Diagnostics = interpreter.Diagnostics.ToEquatableArray() };

        var self = new InstanceValue("", type, new Dictionary<string, Value>());
        var fields = new List<ParamFieldSpec>();
        interpreter.InstantiateFields(self, fields);

        var binder = new InputBinder(interpreter);
        if (forward.Count > 1)
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, LocationOf(forward[1]), "an overloaded Forward (a model has one Forward)");
        var (output, _) = binder.Call(forward[0], self, null);
        int forwardInputs = binder.Inputs.Count;

        int loss = -1;
        LocationInfo? lossLocation = null;
        var lossMethod = type.GetMembers("Loss").OfType<IMethodSymbol>().FirstOrDefault(m => !m.IsStatic && m.MethodKind == MethodKind.Ordinary);
        if (lossMethod is not null)
        {
            var (value, at) = binder.Call(lossMethod, self, output);
            loss = value is TensorValue t ? t.Op : -1;
            lossLocation = at is null ? null : LocationInfo.From(at);
        }

        return spec with
        {
            Ops = interpreter.Ops.ToEquatableArray(),
            Inputs = binder.Inputs.ToEquatableArray(),
            ForwardInputCount = forwardInputs,
            Output = output is TensorValue o ? o.Op : -1,
            Loss = loss,
            LossLocation = lossLocation,
            ParamFields = fields.ToEquatableArray(),
            Diagnostics = interpreter.Diagnostics.ToEquatableArray(),
        };
    }

    private static void CheckDeclaration(Interpreter interpreter, ModelSpec spec, ClassDeclarationSyntax syntax, INamedTypeSymbol type)
    {
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            interpreter.Report(DiagnosticDescriptors.NotPartial, spec.Identifier, type.Name, type.Name);
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            var declaration = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (declaration is not null && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                interpreter.Report(DiagnosticDescriptors.NotPartial, LocationInfo.From(declaration.Identifier), t.Name, type.Name);
        }
        if (type.IsGenericType)
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, spec.Identifier, "a generic model class");
    }

    public static LocationInfo LocationOf(ISymbol symbol) =>
        symbol.Locations.FirstOrDefault(l => l.IsInSource) is { } l ? LocationInfo.From(l) : default;
}
