using System.Linq;
using Dl.Compiler;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dl.SourceGen.Reading;

/// <summary>
/// What the model's declaration must be for the generated partial class to compile beside it: a
/// partial, non-generic class (not a record, struct or static class) inside partial types, without
/// members the generator also declares (<see cref="GeneratedMembers"/>), a constructor with the
/// generated one's signature or a primary constructor; Forward and Loss returning a Tensor.
/// </summary>
internal static class ModelChecks
{
    /// <summary>Reports what is wrong with the declaration; false when the model cannot be read at all.</summary>
    public static bool CheckDeclaration(Interpreter interpreter, ModelSpec spec, TypeDeclarationSyntax syntax, INamedTypeSymbol type)
    {
        string? kind = type.IsRecord ? (type.IsValueType ? "a record struct" : "a record")
            : type.TypeKind == TypeKind.Struct ? "a struct"
            : type.TypeKind == TypeKind.Interface ? "an interface"
            : type.IsStatic ? "a static class"
            : type.IsFileLocal ? "a file-local class (the generated part lives in another file)" : null;
        if (kind is not null)
        {
            interpreter.Report(DiagnosticDescriptors.ModelNotClass, spec.Identifier, type.Name, kind);
            return false;
        }
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            interpreter.Report(DiagnosticDescriptors.NotPartial, spec.Identifier, type.Name, type.Name);
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            var declaration = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (declaration is not null && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                interpreter.Report(DiagnosticDescriptors.NotPartial, LocationInfo.From(declaration.Identifier), t.Name, type.Name);
        }
        if (type.TypeParameters.Length > 0)
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, spec.Identifier, "a generic model class");
        else if (type.IsGenericType)
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, spec.Identifier,
                $"a model inside a generic type ('{type.ContainingType!.ToDisplayString()}'): its sizes would depend on the type arguments");
        CheckReservedNames(interpreter, spec, type);
        CheckBaseConstructor(interpreter, syntax, type);
        return true;
    }

    /// <summary>The generated constructor calls <c>base()</c>: a base class must have a constructor it can call without arguments.</summary>
    private static void CheckBaseConstructor(Interpreter interpreter, TypeDeclarationSyntax syntax, INamedTypeSymbol type)
    {
        if (type.BaseType is not { SpecialType: not SpecialType.System_Object, TypeKind: TypeKind.Class } baseType) return;
        bool callable = baseType.InstanceConstructors.Any(c =>
            c.Parameters.All(p => p.IsOptional || p.IsParams) && interpreter.Compilation.IsSymbolAccessibleWithin(c, type));
        if (callable) return;
        var at = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>()
            .Select(d => d.BaseList?.Types.FirstOrDefault()).FirstOrDefault(t => t is not null);
        interpreter.Report(DiagnosticDescriptors.BaseWithoutDefaultConstructor, at is null ? LocationInfo.From(syntax.Identifier) : LocationInfo.From(at),
            type.Name, baseType.ToDisplayString());
    }

    /// <summary>DL0027 for every user member the generated code would collide with.</summary>
    private static void CheckReservedNames(Interpreter interpreter, ModelSpec spec, INamedTypeSymbol type)
    {
        if (GeneratedMembers.IsReserved(type.Name))
            interpreter.Report(DiagnosticDescriptors.ReservedMember, spec.Identifier,
                $"A model cannot be named '{type.Name}': the generator adds a member of that name to it; rename the class");
        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || !member.Locations.Any(l => l.IsInSource)) continue;
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
            {
                CheckConstructor(interpreter, type, constructor);
                continue;
            }
            if (member is IMethodSymbol { MethodKind: not MethodKind.Ordinary }) continue; // accessors, operators, finalizers
            if (!GeneratedMembers.IsReserved(member.Name)) continue;
            string why = member.Name.StartsWith(GeneratedMembers.ReservedPrefix, System.StringComparison.Ordinal)
                ? $"names starting with '{GeneratedMembers.ReservedPrefix}' are reserved for the members the generator adds"
                : $"the generator adds '{member.Name}' to every model";
            interpreter.Report(DiagnosticDescriptors.ReservedMember, ModelReader.LocationOf(member),
                $"'{member.Name}' clashes with generated code in model '{type.Name}': {why}; rename yours");
        }
    }

    /// <summary>The generated <c>Model(int seed = 0)</c> needs the constructor slot (int) and cannot chain to a primary constructor.</summary>
    private static void CheckConstructor(Interpreter interpreter, INamedTypeSymbol type, IMethodSymbol constructor)
    {
        if (constructor.IsStatic) return;
        var primary = constructor.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
        if (primary?.ParameterList is { } parameters)
            interpreter.Report(DiagnosticDescriptors.ReservedMember, LocationInfo.From(parameters),
                $"Model '{type.Name}' cannot have a primary constructor: the generator adds the constructor '{type.Name}{GeneratedMembers.ConstructorSignature}', which could not call it; give settings as const or readonly fields");
        else if (constructor.Parameters.Length == 1 && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32)
            interpreter.Report(DiagnosticDescriptors.ReservedMember, ModelReader.LocationOf(constructor),
                $"The constructor '{type.Name}(int)' clashes with the generated '{type.Name}{GeneratedMembers.ConstructorSignature}' (it draws the parameters from the seed); remove yours or give it other parameters");
    }

    /// <summary>DL0026 when Forward or Loss is declared to return something other than a Tensor (void, a number, labels).
    /// (Their parameters may have any name: the emitter keeps its locals apart from them, see GeneratedNames.)</summary>
    public static void CheckSignature(Interpreter interpreter, IMethodSymbol method)
    {

        if (interpreter.Types.IsTensor(method.ReturnType)) return;
        var declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var at = declaration is null ? ModelReader.LocationOf(method) : LocationInfo.From(declaration.ReturnType);
        string what = method.Name == "Loss" ? "the loss, a scalar Tensor" : "the model's output, a Tensor";
        interpreter.Report(DiagnosticDescriptors.MustReturnTensor, at,
            $"{method.Name} returns '{method.ReturnType.ToDisplayString()}': it must return {what}");
    }
}
