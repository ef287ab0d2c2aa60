using System;
using System.Collections.Generic;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Binds the parameters of Forward and Loss: Forward's are model inputs (each with <c>[Input(shape)]</c>);
/// Loss's first receives Forward's output and the rest are targets: <c>Labels</c> (integer, the output's
/// shape without its last axis) or <c>Tensor</c> (the output's shape), unless <c>[Input]</c> gives a shape.
/// </summary>
internal sealed class InputBinder(Interpreter interpreter)
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>Input ops in call order.</summary>
    public List<int> Inputs { get; } = new();

    /// <summary>Traces Forward (<paramref name="output"/> null) or Loss (bound to <paramref name="output"/>).</summary>
    public (Value Value, SyntaxNode? At) Call(IMethodSymbol method, InstanceValue self, Value? output)
    {
        bool isLoss = output is not null;
        var frame = new Frame(self, "", null, 0);
        var location = ModelReader.LocationOf(method);
        if (isLoss && method.Parameters.Length == 0)
        {
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, location, "a Loss without parameters (its first parameter receives Forward's output)");
            return (PoisonValue.Instance, null);
        }
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            frame.Variables[parameter] = isLoss && i == 0 ? BindOutput(parameter, output!) : BindInput(parameter, method.Name, isLoss ? output : null, frame);
        }
        var body = interpreter.BodyOf(method);
        if (body is null)
        {
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, location, $"a {method.Name} without a body");
            return (PoisonValue.Instance, null);
        }
        var (value, at) = interpreter.Run(body, frame);
        if (value is ParamValue && at is not null)
            value = new TensorValue(interpreter.TensorOf(value, at, frame));
        if (value is not TensorValue and not PoisonValue)
        {
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, at is null ? location : LocationInfo.From(at),
                $"returning {Interpreter.Describe(value)} from {method.Name} (it must return a tensor)");
            value = PoisonValue.Instance;
        }
        return (value, at);
    }

    private Value BindOutput(IParameterSymbol parameter, Value output)
    {
        if (interpreter.Types.IsTensor(parameter.Type)) return output;
        interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, ModelReader.LocationOf(parameter),
            $"a first Loss parameter of type '{parameter.Type.ToDisplayString()}' (it receives Forward's output: make it a Tensor)");
        return PoisonValue.Instance;
    }

    private Value BindInput(IParameterSymbol parameter, string methodName, Value? lossOutput, Frame frame)
    {
        var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is null) return PoisonValue.Instance;
        var location = LocationInfo.From(syntax);
        if (_names.TryGetValue(parameter.Name, out var first))
        {
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, location, $"a second input named '{parameter.Name}' (already a parameter of {first}): input names must be unique");
            return PoisonValue.Instance;
        }
        _names[parameter.Name] = methodName;

        var attribute = parameter.GetAttributes().FirstOrDefault(a => KnownTypes.Is(a.AttributeClass, interpreter.Types.Input));
        bool isTensor = interpreter.Types.IsTensor(parameter.Type), isLabels = KnownTypes.Is(parameter.Type, interpreter.Types.Labels);
        if (!isTensor && !isLabels)
        {
            interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, location,
                $"a model input of type '{parameter.Type.ToDisplayString()}' (inputs are Tensor or Labels)");
            return PoisonValue.Instance;
        }

        TensorValue input;
        if (attribute is null)
        {
            if (lossOutput is null)
            {
                interpreter.Report(DiagnosticDescriptors.MissingInput, location, parameter.Name);
                return PoisonValue.Instance;
            }
            if (lossOutput is not TensorValue output) return PoisonValue.Instance;
            input = interpreter.Emit(isLabels ? Dl.Graph.OpTable.LabelsLike : Dl.Graph.OpTable.InputLike, syntax, frame, new[] { output.Op }, o => o with { Name = parameter.Name });
        }
        else
        {
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax() ?? syntax;
            if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array, IsNull: true })
            {
                interpreter.Report(DiagnosticDescriptors.MissingShape, LocationInfo.From(attributeSyntax),
                    $"Input '{parameter.Name}' has no shape ([Input(null)]): give the sizes of one sample, e.g. [Input(784)] or [Input(1, 28, 28)]");
                return PoisonValue.Instance;
            }
            var shape = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                ? attribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToArray()
                : Array.Empty<int>();
            try { Interpreter.CheckElementCount(shape.Select(s => (long)s).ToList(), attributeSyntax, $"One sample of input '{parameter.Name}'"); }
            catch (ReadException e)
            {
                interpreter.Report(e.Diagnostic);
                return PoisonValue.Instance;
            }
            bool gradient = attribute.NamedArguments.Any(a => a.Key == "Gradient" && a.Value.Value is true);
            if (gradient && isLabels)
            {
                interpreter.Report(DiagnosticDescriptors.UnsupportedConstruct, location, $"Gradient = true on the labels '{parameter.Name}' (integer labels have no gradient)");
                return PoisonValue.Instance;
            }
            input = interpreter.Emit(isLabels ? Dl.Graph.OpTable.LabelsInput : Dl.Graph.OpTable.Input, syntax, frame, Array.Empty<int>(),
                o => o with { Name = parameter.Name, Ints = shape.ToEquatableArray(), Flag = gradient });
        }
        Inputs.Add(input.Op);
        return isLabels ? new LabelsValue(input.Op) : input;
    }
}
