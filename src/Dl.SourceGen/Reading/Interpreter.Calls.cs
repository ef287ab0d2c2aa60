using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

internal sealed partial class Interpreter
{
    private const string KnownCalls =
        ": model code may call Tensor methods, Nn functions, a layer's Forward and methods of [Model] and [Layer] classes";

    private Value Invoke(IInvocationOperation call, Frame f)
    {
        var method = call.TargetMethod;
        var type = method.ContainingType;
        if (KnownTypes.Is(type, Types.Tensor)) return TensorMethod(call, f);
        if (KnownTypes.Is(type, Types.Nn)) return NnFunction(call, f);
        if (KnownTypes.Is(type, Types.Dense) && method.Name == "Forward" && call.Instance is not null)
        {
            var layer = Eval(call.Instance, f);
            var x = TensorOf(Eval(call.Arguments[0].Value, f), call.Arguments[0].Value.Syntax, f);
            return layer switch
            {
                DenseValue d => Emit("Dense", call.Syntax, f, new[] { x }, o => o with
                    { Name = d.Path, Ints = new[] { d.Inputs, d.Outputs }.ToEquatableArray(), Option = d.Activation, Flag = d.Bias }),
                PoisonValue => layer,
                _ => throw Unsupported(call.Syntax, $"calling Dense.Forward on {Describe(layer)}"),
            };
        }
        if (Types.IsBuiltinLayer(type) && call.Instance is not null && (method.Name == "Forward" || IsRecurrent(type.Name) && RecurrentResult(type.Name, method.Name) is not null))
            return BuiltinForward(call, f);
        if ((Types.IsLayerClass(type) || Types.IsModelClass(type)) && !method.IsGenericMethod)
            return Inline(call, f);
        throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(method), KnownCalls);
    }

    private static string Name(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    /// <summary>Reads a method of the model or of a user layer in place, with its parameters bound to the arguments.</summary>
    private Value Inline(IInvocationOperation call, Frame f)
    {
        var method = call.TargetMethod;
        InstanceValue self = f.Self;
        if (!method.IsStatic)
        {
            var receiver = call.Instance is null ? f.Self : Eval(call.Instance, f);
            if (receiver is PoisonValue) return receiver;
            self = receiver as InstanceValue ?? throw Unsupported(call.Syntax, $"calling '{method.Name}' on {Describe(receiver)}");
        }
        var at = LocationInfo.From(call.Syntax);
        TraceBudget.CallDepth(f.Depth, at, f.CallSite, Name(method));
        _budget.Call(at, f.CallSite);
        var body = BodyOf(method) ?? throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(method), ": it has no body in this compilation");

        bool entersLayer = !ReferenceEquals(self, f.Self) && self.Path.Length > 0;
        var inner = new Frame(self,
            self.Path.Length == 0 ? "" : $"layer '{self.Path}' ({self.Type.Name})",
            f.CallSite ?? (entersLayer ? LocationInfo.From(call.Syntax) : null),
            f.Depth + 1);
        foreach (var argument in call.Arguments)
            if (argument.Parameter is { } parameter)
                inner.Variables[parameter] = Eval(argument.Value, f);
        return Run(body, inner).Value;
    }

    private Value TensorMethod(IInvocationOperation call, Frame f)
    {
        if (call.Instance is null) throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(call.TargetMethod), KnownCalls);
        if (call.TargetMethod is { Name: "Chunk", ReturnType: IArrayTypeSymbol }) return Chunk(call, f);
        return TableCall(call, OpSurface.Method, f) ?? throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(call.TargetMethod), KnownCalls);
    }

    private Value NnFunction(IInvocationOperation call, Frame f) =>
        TableCall(call, OpSurface.Nn, f) ?? throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(call.TargetMethod), KnownCalls);

    /// <summary>
    /// A call of a row of the op table (<see cref="OpTable"/>): a Tensor method's receiver is its first
    /// operand; every other argument is an operand (Tensor, Labels, a params Tensor[]) or, by its
    /// parameter's name, one of the row's attributes, which must be a build-time constant. Null when no
    /// row is written so or the call does not fit it (the caller reports an unknown call).
    /// </summary>
    private Value? TableCall(IInvocationOperation call, OpSurface surface, Frame f)
    {
        if (RowFor(call.TargetMethod, surface) is not { } entry) return null;
        var operands = new List<int>();
        if (surface == OpSurface.Method) operands.Add(TensorOf(Eval(call.Instance!, f), call.Instance!.Syntax, f));
        var settings = new Dictionary<string, object>();
        (LoweredLoop, int, bool)? run = null;
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter) return null;
            var syntax = argument.Value.Syntax;
            if (entry.Attribute(parameter.Name) is { } attribute)
                settings[parameter.Name] = ReadAttribute(attribute, argument, f, settings);
            else if (!IsOperand(parameter.Type)) return null;
            else if (entry.Arity == -1)
            {
                var parts = Eval(argument.Value, f);
                // Every step of a loop's per-step output, stacked: the loop's stacked output.
                if (entry.Name == "Stack" && parts is ArrayValue array && StepRun(array.Items) is { } r) run = r;
                else operands.AddRange(TensorsOf(parts, syntax, f));
            }
            else if (entry.LabelOperands.Contains(operands.Count)) operands.Add(LabelsOf(Eval(argument.Value, f), syntax));
            else operands.Add(TensorOf(Eval(argument.Value, f), syntax, f));
        }
        if (entry.Arity >= 0 && operands.Count != entry.Arity) return null;
        if (entry.Attributes.Any(a => !settings.ContainsKey(a.Parameter))) return null;
        if (run is { } steps) return StackRun(steps, (int)settings["axis"], call.Syntax, f); // Stack's only operand is its parts
        var ints = new List<int>();
        var reals = new List<double>();
        foreach (var attribute in entry.Attributes)
            switch (settings[attribute.Parameter])
            {
                case int i: ints.Add(i); break;
                case int[] list: ints.AddRange(list); break;
                case double d: reals.Add(d); break;
            }
        return Emit(entry.Name, call.Syntax, f, operands.ToArray(),
            o => o with { Ints = ints.ToEquatableArray(), Number = reals.Count > 0 ? reals[0] : 0, Reals = reals.ToEquatableArray() });
    }

    /// <summary>
    /// The row a call is written against: of the rows with its name (overloads such as
    /// <c>Nn.Concat(params Tensor[])</c> and <c>Nn.Concat(int axis, params Tensor[])</c> are rows of
    /// their own), the first whose attributes are exactly the method's non-operand parameters. Chosen
    /// from the signature alone, before any argument is read, so no argument is traced twice.
    /// </summary>
    private OpEntry? RowFor(IMethodSymbol method, OpSurface surface)
    {
        OpEntry? first = null;
        foreach (var entry in OpTable.FindAll(surface, method.Name))
        {
            first ??= entry;
            var settings = method.Parameters.Where(p => !IsOperand(p.Type)).Select(p => p.Name).ToList();
            if (settings.All(p => entry.Attribute(p) is not null) && entry.Attributes.All(a => settings.Contains(a.Parameter)))
                return entry;
        }
        return first;
    }

    private bool IsOperand(ITypeSymbol type) =>
        Types.IsTensor(type) || KnownTypes.Is(type, Types.Labels) || type is IArrayTypeSymbol { ElementType: var e } && Types.IsTensor(e);

    /// <summary>One attribute's value: an int, an int[] or a double (see <see cref="AttributeKind"/>).</summary>
    private object ReadAttribute(OpAttribute attribute, IArgumentOperation argument, Frame f, Dictionary<string, object> earlier)
    {
        var syntax = argument.Value.Syntax;
        // An omitted optional argument is its parameter's default (a nullable default is not a C# constant).
        var value = argument is { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { HasExplicitDefaultValue: true } p }
            ? new ConstValue(p.ExplicitDefaultValue, p.Type) : Eval(argument.Value, f);
        switch (attribute.Kind)
        {
            case AttributeKind.Real:
                return value switch
                {
                    ConstValue { Constant: float v } => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                    ConstValue { Constant: var c } when ConstantEvaluator.IsNumeric(c) => ConstantEvaluator.ToDouble(c!),
                    PoisonValue => throw new PoisonedException(),
                    _ => throw Error(DiagnosticDescriptors.NotConstant, syntax, syntax.ToString(), "op settings are fixed when the model is compiled"),
                };
            case AttributeKind.Int:
                return value is ConstValue { Constant: null } && attribute.DefaultFrom is { } from && earlier.TryGetValue(from, out var fallback)
                    ? fallback : Int(value, syntax);
            default:
                var ints = Ints(value, syntax);
                if (attribute.SizeCheck is { } what)
                    CheckElementCount(ints.Where(d => d != -1).Select(d => (long)d).ToList(), syntax, what);
                return ints;
        }
    }

    /// <summary>The tensors of a params array (expanded or as one array value).</summary>
    private int[] TensorsOf(Value parts, SyntaxNode at, Frame f) => parts switch
    {
        ArrayValue a => a.Items.Select(item => TensorOf(item, at, f)).ToArray(),
        PoisonValue => throw new PoisonedException(),
        var single => new[] { TensorOf(single, at, f) },
    };

    public static int[] Ints(Value value, SyntaxNode at) => value switch
    {
        ArrayValue a => a.Items.Select(i => Int(i, at)).ToArray(),
        PoisonValue => throw new PoisonedException(),
        _ => new[] { Int(value, at) },
    };

    public static int Int(Value value, SyntaxNode at) => value switch
    {
        ConstValue { Constant: int i } => i,
        ConstValue { Constant: long l } when l is >= int.MinValue and <= int.MaxValue => (int)l,
        ConstValue { Constant: long l } => throw Error(DiagnosticDescriptors.SizeTooLarge, at, $"'{at}' is {l}: sizes and axes are ints (at most {int.MaxValue})"),
        PoisonValue => throw new PoisonedException(),
        _ => throw Error(DiagnosticDescriptors.NotConstant, at, at.ToString(), "sizes and axes are fixed when the model is compiled"),
    };
}
