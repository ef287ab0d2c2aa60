using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

internal sealed partial class Interpreter
{
    /// <summary>
    /// Creates every parameter-owning field of <paramref name="instance"/> (and of its layers, recursively)
    /// and lists them, parents first, so unused ones can be warned about after the graph is built.
    /// </summary>
    public void InstantiateFields(InstanceValue instance, List<ParamFieldSpec> fields, int depth = 0)
    {
        foreach (var field in instance.Type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsImplicitlyDeclared || !Types.OwnsParameters(field.Type)) continue;
            var declarator = Declarator(field);
            if (declarator is null) continue;
            var location = LocationInfo.From(declarator.Identifier);
            TraceBudget.LayerDepth(depth, location, instance.Type.Name);
            Value value;
            try { value = FieldValue(instance, field, declarator); }
            catch (ReadException e) { Report(e.Diagnostic); continue; }
            catch (PoisonedException) { continue; }
            bool frozen = field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Dl.FrozenAttribute");
            switch (value)
            {
                case DenseValue or ParamValue or BuiltinLayerValue { HasParameters: true }:
                    fields.Add(new ParamFieldSpec(instance.FieldPath(field.Name), location, frozen));
                    break;
                case InstanceValue layer when layer.Path == instance.FieldPath(field.Name):
                    int index = fields.Count;
                    fields.Add(new ParamFieldSpec(layer.Path, location, frozen));
                    InstantiateFields(layer, fields, depth + 1);
                    if (fields.Count == index + 1) fields.RemoveAt(index); // a layer without parameters
                    break;
            }
        }
    }

    private static VariableDeclaratorSyntax? Declarator(IFieldSymbol field) =>
        field.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<VariableDeclaratorSyntax>().FirstOrDefault();

    /// <summary>The value of a field of a model or layer instance, read from its initializer once and kept.</summary>
    public Value FieldValue(InstanceValue instance, IFieldSymbol field, SyntaxNode at)
    {
        if (instance.Fields.TryGetValue(field, out var known)) return known;
        if (field.IsConst) return new ConstValue(field.ConstantValue, field.Type);
        instance.Fields[field] = PoisonValue.Instance; // guards against a field whose initializer reads itself
        var value = ReadField(instance, field, at);
        instance.Fields[field] = value;
        return value;
    }

    private Value ReadField(InstanceValue instance, IFieldSymbol field, SyntaxNode at)
    {
        bool primitive = field.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
            or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean || field.Type.TypeKind == TypeKind.Enum;
        if (!Types.OwnsParameters(field.Type) && !Types.IsBuiltinLayer(field.Type) && !primitive)
            throw Unsupported(at, $"the field '{field.Name}' of type '{field.Type.ToDisplayString()}' (model code may use layers, Param fields and constants)");
        if (primitive && !field.IsReadOnly)
            throw Error(DiagnosticDescriptors.NotConstant, at, field.Name, "a mutable field is read at run time; make it const or readonly");
        var declarator = Declarator(field);
        if (declarator?.Initializer is not { } initializer)
            throw Unsupported(declarator ?? at, $"the field '{field.Name}' without an initializer (initialize layers, parameters and settings where they are declared)");
        CheckCompiles(initializer);
        var operation = ModelFor(initializer.SyntaxTree).GetOperation(initializer, _cancellation);
        if (operation is not IFieldInitializerOperation { Value: { } init })
            throw new CompileErrorException();
        var frame = new Frame(instance, instance.Path.Length == 0 ? "" : $"layer '{instance.Path}' ({instance.Type.Name})", null, 0)
        {
            FieldPath = instance.FieldPath(field.Name),
        };
        var value = Eval(init, frame);
        if (primitive && value is not ConstValue and not PoisonValue)
            throw Error(DiagnosticDescriptors.NotConstant, init.Syntax, init.Syntax.ToString(), "settings of a model are fixed when it is compiled");
        return value;
    }

    /// <summary>A layer or parameter created in a field initializer; its arguments must be build-time constants.</summary>
    private Value Create(IObjectCreationOperation creation, Frame f, string path)
    {
        var type = creation.Type;
        var ctor = creation.Constructor;
        if (ctor is null) throw new CompileErrorException();
        if (creation.Initializer is not null)
            throw Unsupported(creation.Initializer.Syntax, "an object initializer on a layer (pass settings to its constructor)");
        var arguments = new Dictionary<string, Value>();
        foreach (var argument in creation.Arguments)
            if (argument.Parameter is { } parameter)
                arguments[parameter.Name] = Eval(argument.Value, f);
        if (arguments.Values.Any(v => v is PoisonValue)) return PoisonValue.Instance;
        SyntaxNode ArgumentSyntax(string name) =>
            creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == name)?.Value.Syntax ?? creation.Syntax;

        if (KnownTypes.Is(type, Types.Dense))
        {
            int inputs = Int(arguments["inputs"], ArgumentSyntax("inputs")), outputs = Int(arguments["outputs"], ArgumentSyntax("outputs"));
            CheckElementCount(new long[] { inputs, outputs }, creation.Syntax, $"The weight of Dense '{path}'");
            return new DenseValue(path, inputs, outputs,
                EnumName(arguments["activation"], ArgumentSyntax("activation")),
                arguments["bias"] is ConstValue { Constant: bool bias } ? bias
                    : throw Error(DiagnosticDescriptors.NotConstant, ArgumentSyntax("bias"), ArgumentSyntax("bias").ToString(), "layer settings are fixed when the model is compiled"));
        }
        if (KnownTypes.Is(type, Types.Param))
        {
            string init = arguments.TryGetValue("init", out var i) ? EnumName(i, ArgumentSyntax("init")) : "Glorot";
            // No sizes is a scalar parameter; a null array is no shape at all.
            if (arguments["shape"] is ConstValue { Constant: null })
                throw MissingShape(creation.Syntax,
                    $"Param '{path}' has no shape (null): give its sizes, e.g. 'new Param(Init.He, 8, 8)', or none for a scalar");
            var shape = Ints(arguments["shape"], ArgumentSyntax("shape"));
            CheckElementCount(shape.Select(s => (long)s).ToList(), creation.Syntax, $"Param '{path}'");
            return new ParamValue(path, shape.ToImmutableArray(), init, LocationInfo.From(creation.Syntax));
        }
        if (Types.IsBuiltinLayer(type)) return CreateBuiltin(type!, arguments, ArgumentSyntax, path, creation.Syntax);
        if (Types.IsLayerClass(type) && type is INamedTypeSymbol layer)
        {
            if (ctor.Parameters.Length > 0 && !IsPrimaryConstructor(ctor))
                throw Unsupported(creation.Syntax, $"the constructor of layer '{layer.Name}' (give a layer its settings through a primary constructor: 'class {layer.Name}(int width)')");
            foreach (var parameter in ctor.Parameters)
                if (arguments.TryGetValue(parameter.Name, out var argument) && argument is not ConstValue)
                    throw Error(DiagnosticDescriptors.NotConstant, ArgumentSyntax(parameter.Name), ArgumentSyntax(parameter.Name).ToString(),
                        "layer settings are fixed when the model is compiled");
            _budget.LayerInstance(LocationInfo.From(creation.Syntax), layer.Name);
            return new InstanceValue(path, layer, arguments);
        }
        throw Unsupported(creation.Syntax, $"creating a '{type?.ToDisplayString()}' (fields may hold Dense, Param and [Layer] classes)");
    }

    private static bool IsPrimaryConstructor(IMethodSymbol ctor) =>
        ctor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax);

    /// <summary>The member name of an enum constant (Activation.Relu -> "Relu").</summary>
    private static string EnumName(Value value, SyntaxNode at)
    {
        if (value is ConstValue { Constant: { } c, Type: INamedTypeSymbol { TypeKind: TypeKind.Enum } type })
        {
            foreach (var member in type.GetMembers().OfType<IFieldSymbol>())
                if (member.HasConstantValue && System.Convert.ToInt64(member.ConstantValue) == System.Convert.ToInt64(c))
                    return member.Name;
            throw Unsupported(at, $"the value {c} is not a member of '{type.Name}'");
        }
        if (value is PoisonValue) throw new PoisonedException();
        throw Error(DiagnosticDescriptors.NotConstant, at, at.ToString(), "layer settings are fixed when the model is compiled");
    }
}
