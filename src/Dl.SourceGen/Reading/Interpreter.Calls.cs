using System;
using System.Linq;
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
                DenseValue d => Emit(OpKind.Dense, call.Syntax, f, new[] { x }, o => o with
                    { Name = d.Path, Ints = new[] { d.Inputs, d.Outputs }.ToEquatableArray(), Option = d.Activation, Flag = d.Bias }),
                PoisonValue => layer,
                _ => throw Unsupported(call.Syntax, $"calling Dense.Forward on {Describe(layer)}"),
            };
        }
        if (Types.IsBuiltinLayer(type) && method.Name == "Forward" && call.Instance is not null) return BuiltinForward(call, f);
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
        var method = call.TargetMethod;
        if (call.Instance is null) throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(method), KnownCalls);
        int x = TensorOf(Eval(call.Instance, f), call.Instance.Syntax, f);
        switch (method.Name)
        {
            case "MatMul": return Emit(OpKind.MatMul, call.Syntax, f, new[] { x, TensorArgument(call, 0, f) });
            case "Transpose" when call.Arguments.Length == 0: return Emit(OpKind.Transpose, call.Syntax, f, new[] { x });
            case "Flatten": return Emit(OpKind.Flatten, call.Syntax, f, new[] { x });
            case "Reshape" or "Sum" or "Mean":
                var kind = (OpKind)Enum.Parse(typeof(OpKind), method.Name);
                var ints = IntsArgument(call, 0, f);
                if (kind == OpKind.Reshape)
                    CheckElementCount(ints.Where(d => d != -1).Select(d => (long)d).ToList(), call.Arguments[0].Value.Syntax, "Reshape's target (per sample)");
                return Emit(kind, call.Syntax, f, new[] { x }, o => o with { Ints = ints.ToEquatableArray() });
            default:
                if (ToolboxFunction(call, method.Name, x, 0, f) is { } toolbox) return toolbox;
                if (Unary(method.Name) is { } unary && call.Arguments.Length == 0)
                    return Emit(unary, call.Syntax, f, new[] { x });
                throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(method), KnownCalls);
        }
    }

    private Value NnFunction(IInvocationOperation call, Frame f)
    {
        var name = call.TargetMethod.Name;
        switch (name)
        {
            case "MatMul" or "BiasAdd" or "Mse" or "BinaryCrossEntropy" when call.Arguments.Length == 2:
                var kind = (OpKind)Enum.Parse(typeof(OpKind), name);
                return Emit(kind, call.Syntax, f, new[] { TensorArgument(call, 0, f), TensorArgument(call, 1, f) });
            case "CrossEntropy" when call.Arguments.Length == 2:
                int logits = TensorArgument(call, 0, f);
                int labels = LabelsOf(Eval(call.Arguments[1].Value, f), call.Arguments[1].Value.Syntax);
                return Emit(OpKind.CrossEntropy, call.Syntax, f, new[] { logits, labels });
            case "Concat" when call.Arguments.Length == 1:
                return Concat(call, f);
            case "LeakyRelu" or "Elu" or "Softplus" or "Abs" or "L1" or "L2" or "GlobalAvgPool2d" or "MaxPool2d" or "AvgPool2d":
                return ToolboxFunction(call, name, TensorArgument(call, 0, f), 1, f)!;
            default:
                if (Unary(name) is { } unary && call.Arguments.Length == 1)
                    return Emit(unary, call.Syntax, f, new[] { TensorArgument(call, 0, f) });
                throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(call.TargetMethod), KnownCalls);
        }
    }

    private static OpKind? Unary(string name) => name switch
    {
        "Relu" => OpKind.Relu,
        "Sigmoid" => OpKind.Sigmoid,
        "Tanh" => OpKind.Tanh,
        "Exp" => OpKind.Exp,
        "Log" => OpKind.Log,
        "Softmax" => OpKind.Softmax,
        "LogSoftmax" => OpKind.LogSoftmax,
        _ => null,
    };

    private int TensorArgument(IInvocationOperation call, int index, Frame f)
    {
        var argument = call.Arguments[index].Value;
        return TensorOf(Eval(argument, f), argument.Syntax, f);
    }

    /// <summary>A params int[] argument (expanded or as an array): every element a build-time constant.</summary>
    private int[] IntsArgument(IInvocationOperation call, int index, Frame f)
    {
        var argument = call.Arguments[index].Value;
        return Ints(Eval(argument, f), argument.Syntax);
    }

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
