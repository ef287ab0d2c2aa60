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
        if (context.TargetNode is not TypeDeclarationSyntax syntax || context.TargetSymbol is not INamedTypeSymbol type) return null;
        if (!IsFirstModelDeclaration(context, type)) return null;
        var spec = Header(syntax, type);
        var interpreter = new Interpreter(context.SemanticModel, cancellation);
        try
        {
            return ReadBody(spec, syntax, type, interpreter);
        }
        catch (OperationCanceledException) { throw; }
        catch (CompileErrorException) { return spec with { HasCompileErrors = true }; }
        catch (TraceAbortedException e)
        {
            interpreter.Report(e.Diagnostic);
            return spec with { Diagnostics = interpreter.Diagnostics.ToEquatableArray() };
        }
        catch (InsufficientExecutionStackException)
        {
            interpreter.Report(DiagnosticDescriptors.TraceTooLarge, spec.Identifier,
                $"Model '{type.Name}' nests its code too deeply to read (an expression or calls nested thousands deep); split it into steps with locals");
            return spec with { Diagnostics = interpreter.Diagnostics.ToEquatableArray() };
        }
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

    private static ModelSpec Header(TypeDeclarationSyntax syntax, INamedTypeSymbol type)
    {
        var containing = new List<string>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
            containing.Insert(0, Declaration(t));
        return new ModelSpec(
            type.Name,
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            Accessibility(type.DeclaredAccessibility),
            containing.ToEquatableArray(),
            LocationInfo.From(syntax.Identifier))
        {
            DisplayName = type.ToDisplayString(),
            HintBase = HintNames.Stem(type),
        };
    }

    /// <summary>"partial class Outer&lt;T&gt;" as the generated file re-opens it, with keyword names escaped ("partial class @event").</summary>
    private static string Declaration(INamedTypeSymbol t)
    {
        string kind = t.IsRecord ? (t.IsValueType ? "record struct" : "record") : t.TypeKind switch
        {
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ => "class",
        };
        string typeParameters = t.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", t.TypeParameters.Select(p => Identifier(p.Name))) + ">";
        return (t.IsStatic ? "static " : "") + "partial " + kind + " " + Identifier(t.Name) + typeParameters;
    }

    /// <summary>A name as C# source: keywords (and contextual keywords, to be safe) get an '@'.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Accessibility(Accessibility a) => a switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    private static ModelSpec ReadBody(ModelSpec spec, TypeDeclarationSyntax syntax, INamedTypeSymbol type, Interpreter interpreter)
    {
        if (!ModelChecks.CheckDeclaration(interpreter, spec, syntax, type))
            return spec with { Diagnostics = interpreter.Diagnostics.ToEquatableArray() };
        var forward = type.GetMembers("Forward").OfType<IMethodSymbol>().Where(m => !m.IsStatic && m.MethodKind == MethodKind.Ordinary).ToList();
        if (forward.Count == 0)
            interpreter.Report(DiagnosticDescriptors.MissingForward, spec.Identifier, type.Name);
        else
            ModelChecks.CheckSignature(interpreter, forward[0]);
        var lossMethod = type.GetMembers("Loss").OfType<IMethodSymbol>().FirstOrDefault(m => !m.IsStatic && m.MethodKind == MethodKind.Ordinary);
        if (lossMethod is not null)
            ModelChecks.CheckSignature(interpreter, lossMethod);
        if (interpreter.Diagnostics.Any(d => d.IsError) || forward.Count == 0)
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
        if (lossMethod is not null)
        {
            var (value, at) = binder.Call(lossMethod, self, output);
            loss = value is TensorValue t ? t.Op : -1;
            lossLocation = at is null ? null : LocationInfo.From(at);
        }
        var objectives = ReadObjectives(interpreter, binder, type, self, output);
        // Never nothing without a word: a model whose output (or loss) was not traced has an error saying why.
        if (!interpreter.Diagnostics.Any(d => d.IsError))
        {
            if (output is not TensorValue)
                interpreter.Report(DiagnosticDescriptors.MustReturnTensor, LocationOf(forward[0]), "Forward's result could not be read: it must return the model's output, a Tensor, on every path");
            else if (lossMethod is not null && loss < 0)
                interpreter.Report(DiagnosticDescriptors.MustReturnTensor, LocationOf(lossMethod), "Loss's result could not be read: it must return the loss, a scalar Tensor, on every path");
        }

        return spec with
        {
            Ops = interpreter.Ops.ToEquatableArray(),
            Inputs = binder.Inputs.ToEquatableArray(),
            ForwardInputCount = forwardInputs,
            Output = output is TensorValue o ? o.Op : -1,
            Loss = loss,
            LossLocation = lossLocation,
            Objectives = objectives.ToEquatableArray(),
            ParamFields = fields.ToEquatableArray(),
            Diagnostics = interpreter.Diagnostics.ToEquatableArray(),
        };
    }

    /// <summary>
    /// Traces each <c>[Objective]</c> method like Loss (its first parameter receives Forward's output). Inputs it
    /// adds are its own: the binder's list is cut back after each, so Loss's entry points never see them.
    /// </summary>
    private static List<ObjectiveSpec> ReadObjectives(Interpreter interpreter, InputBinder binder, INamedTypeSymbol type, InstanceValue self, Value output)
    {
        var objectives = new List<ObjectiveSpec>();
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(m => !m.IsStatic && m.MethodKind == MethodKind.Ordinary))
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Dl.ObjectiveAttribute");
            if (attribute is null) continue;
            var at = attribute.ApplicationSyntaxReference is { } r ? LocationInfo.From(r.GetSyntax()) : LocationOf(method);
            if (method.Name is "Loss" or "Forward")
            {
                interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, at, $"[Objective] on {method.Name} (Loss already trains the whole model; an objective is another method)");
                continue;
            }
            var trains = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array && !attribute.ConstructorArguments[0].IsNull
                ? attribute.ConstructorArguments[0].Values.Select(v => v.Value as string ?? "").ToList()
                : new List<string>();
            if (trains.Count == 0 || trains.Any(t => t.Length == 0))
            {
                interpreter.Report(DiagnosticDescriptors.ObjectiveTrainsNothing, at, $"objective '{method.Name}' must name the parts it trains: [Objective(nameof(field))]");
                continue;
            }
            foreach (var generated in new[] { "Train" + method.Name, "Compute" + method.Name + "Gradients" })
                foreach (var clash in type.GetMembers(generated).Where(m => m.Locations.Any(l => l.IsInSource)))
                    interpreter.Report(DiagnosticDescriptors.ReservedMember, LocationOf(clash),
                        $"'{generated}' clashes with generated code in model '{type.Name}': the generator adds it for objective '{method.Name}'; rename yours");
            ModelChecks.CheckSignature(interpreter, method);
            int before = binder.Inputs.Count;
            var (value, returned) = binder.Call(method, self, output);
            var inputs = binder.Inputs.Skip(before).ToList();
            binder.Inputs.RemoveRange(before, inputs.Count);
            if (value is not TensorValue loss)
            {
                if (!interpreter.Diagnostics.Any(d => d.IsError))
                    interpreter.Report(DiagnosticDescriptors.MustReturnTensor, LocationOf(method), $"{method.Name}'s result could not be read: it must return the loss, a scalar Tensor, on every path");
                continue;
            }
            objectives.Add(new ObjectiveSpec(method.Name, loss.Op, inputs.ToEquatableArray(), trains.ToEquatableArray(), at, returned is null ? null : LocationInfo.From(returned)));
        }
        return objectives;
    }

    public static LocationInfo LocationOf(ISymbol symbol) =>
        symbol.Locations.FirstOrDefault(l => l.IsInSource) is { } l ? LocationInfo.From(l) : default;
}
