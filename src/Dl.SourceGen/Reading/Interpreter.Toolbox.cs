using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// A built-in layer of the convolutional toolbox held by a field (Conv2d, ConvTranspose2d,
/// DepthwiseSeparableConv2d, BatchNorm2d/1d, Dropout): its path and settings, already encoded as the
/// attributes of the op its Forward traces (see <see cref="OpKind"/>).
/// </summary>
internal sealed class BuiltinLayerValue(OpKind kind, string path, ImmutableArray<int> ints, double number, string option, bool flag) : Value
{
    public OpKind Kind { get; } = kind;
    public string Path { get; } = path;
    public ImmutableArray<int> Ints { get; } = ints;
    public double Number { get; } = number;
    public string Option { get; } = option;
    public bool Flag { get; } = flag;
    /// <summary>Dropout has none: it is never reported as an unused parameter.</summary>
    public bool HasParameters => Kind != OpKind.Dropout;
}

/// <summary>The convolutional toolbox: its layers' construction and Forward, and its Nn and Tensor functions.</summary>
internal sealed partial class Interpreter
{
    private static readonly Dictionary<string, OpKind> s_builtinLayers = new()
    {
        ["Conv2d"] = OpKind.Conv2d,
        ["ConvTranspose2d"] = OpKind.ConvTranspose2d,
        ["DepthwiseSeparableConv2d"] = OpKind.DepthwiseSeparableConv2d,
        ["BatchNorm2d"] = OpKind.BatchNorm,
        ["BatchNorm1d"] = OpKind.BatchNorm,
        ["Dropout"] = OpKind.Dropout,
    };

    /// <summary>Reads <c>new Conv2d(...)</c> and the like in a field initializer: every setting a build-time constant.</summary>
    private Value CreateBuiltin(ITypeSymbol type, Dictionary<string, Value> arguments, Func<string, SyntaxNode> at, string path, SyntaxNode creation)
    {
        int I(string name) => Int(arguments[name], at(name));
        string Activation() => EnumName(arguments["activation"], at("activation"));
        bool Bias() => arguments["bias"] is ConstValue { Constant: bool b } ? b
            : throw Error(DiagnosticDescriptors.NotConstant, at("bias"), at("bias").ToString(), "layer settings are fixed when the model is compiled");
        // An int padding, or Padding.Same / Padding.Valid (encoded as Layers.SamePadding / 0).
        int Pad() => arguments["padding"] is ConstValue { Type.TypeKind: TypeKind.Enum }
            ? (EnumName(arguments["padding"], at("padding")) == "Same" ? Dl.Graph.Layers.SamePadding : 0) : I("padding");
        double Real(string name) => arguments[name] switch
        {
            ConstValue { Constant: float f } => double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            ConstValue { Constant: var c } when ConstantEvaluator.IsNumeric(c) => ConstantEvaluator.ToDouble(c!),
            _ => throw Error(DiagnosticDescriptors.NotConstant, at(name), at(name).ToString(), "layer settings are fixed when the model is compiled"),
        };
        BuiltinLayerValue Make(OpKind kind, int[] ints, double number = 0, string option = "", bool flag = false) =>
            new(kind, path, ints.ToImmutableArray(), number, option, flag);

        // The weights' sizes (groups divide the channels they group, when they do; the shape rules check that).
        void Weight(long outChannels, long inChannels, long kernel, long groups, string what) =>
            CheckElementCount(new[] { outChannels, groups > 0 && inChannels % groups == 0 ? inChannels / groups : inChannels, kernel, kernel }, creation, $"The weight of {what} '{path}'");
        switch (type.Name)
        {
            case "Conv2d":
                Weight(I("outChannels"), I("inChannels"), I("kernel"), I("groups"), "Conv2d");
                return Make(OpKind.Conv2d, new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), Pad(), I("dilation"), I("groups") }, 0, Activation(), Bias());
            case "ConvTranspose2d":
                Weight(I("inChannels"), I("outChannels"), I("kernel"), I("groups"), "ConvTranspose2d");
                return Make(OpKind.ConvTranspose2d, new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), I("padding"), I("outputPadding"), I("dilation"), I("groups") }, 0, Activation(), Bias());
            case "DepthwiseSeparableConv2d":
                Weight(I("inChannels"), 1, I("kernel"), 1, "DepthwiseSeparableConv2d");
                Weight(I("outChannels"), I("inChannels"), 1, 1, "DepthwiseSeparableConv2d");
                return Make(OpKind.DepthwiseSeparableConv2d, new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), Pad(), I("dilation") }, 0, Activation(), Bias());
            case "BatchNorm2d":
                return Make(OpKind.BatchNorm, new[] { I("channels"), 4 }, Real("momentum"), Real("epsilon").ToString("R", CultureInfo.InvariantCulture));
            case "BatchNorm1d":
                return Make(OpKind.BatchNorm, new[] { I("features"), 2 }, Real("momentum"), Real("epsilon").ToString("R", CultureInfo.InvariantCulture));
            default:
                return Make(OpKind.Dropout, new int[0], Real("rate"));
        }
    }

    /// <summary><c>layer.Forward(x)</c> on a built-in layer: one op carrying the layer's path and settings.</summary>
    private Value BuiltinForward(IInvocationOperation call, Frame f)
    {
        var layer = Eval(call.Instance!, f);
        var x = TensorOf(Eval(call.Arguments[0].Value, f), call.Arguments[0].Value.Syntax, f);
        return layer switch
        {
            BuiltinLayerValue b => Emit(b.Kind, call.Syntax, f, new[] { x }, o => o with
                { Name = b.Path, Ints = b.Ints.ToEquatableArray(), Number = b.Number, Option = b.Option, Flag = b.Flag }),
            PoisonValue => layer,
            _ => throw Unsupported(call.Syntax, $"calling {call.TargetMethod.ContainingType.Name}.Forward on {Describe(layer)}"),
        };
    }

    /// <summary>The toolbox's Nn functions and Tensor methods; null when <paramref name="name"/> is none of them.</summary>
    private Value? ToolboxFunction(IInvocationOperation call, string name, int x, int firstArgument, Frame f)
    {
        // An omitted optional argument is its parameter's default (a nullable default is not a C# constant).
        Value Argument(int i) => call.Arguments[i] is { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { HasExplicitDefaultValue: true } p }
            ? new ConstValue(p.ExplicitDefaultValue, p.Type) : Eval(call.Arguments[i].Value, f);
        double Real(int i)
        {
            var argument = call.Arguments[i].Value;
            return Argument(i) switch
            {
                ConstValue { Constant: float v } => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                ConstValue { Constant: var c } when ConstantEvaluator.IsNumeric(c) => ConstantEvaluator.ToDouble(c!),
                PoisonValue => throw new PoisonedException(),
                _ => throw Error(DiagnosticDescriptors.NotConstant, argument.Syntax, argument.Syntax.ToString(), "op settings are fixed when the model is compiled"),
            };
        }
        int IntArg(int i) => Int(Argument(i), call.Arguments[i].Value.Syntax);

        switch (name)
        {
            case "LeakyRelu" or "Elu":
                var kind = name == "LeakyRelu" ? OpKind.LeakyRelu : OpKind.Elu;
                double setting = Real(firstArgument);
                return Emit(kind, call.Syntax, f, new[] { x }, o => o with { Number = setting });
            case "Softplus": return Emit(OpKind.Softplus, call.Syntax, f, new[] { x });
            case "Abs": return Emit(OpKind.Abs, call.Syntax, f, new[] { x });
            case "L1": return Emit(OpKind.L1, call.Syntax, f, new[] { x });
            case "L2": return Emit(OpKind.L2, call.Syntax, f, new[] { x });
            case "GlobalAvgPool2d": return Emit(OpKind.GlobalAvgPool2d, call.Syntax, f, new[] { x });
            case "MaxPool2d" or "AvgPool2d":
                int kernel = IntArg(firstArgument);
                var strideValue = Argument(firstArgument + 1);
                int stride = strideValue is ConstValue { Constant: null } ? kernel : Int(strideValue, call.Arguments[firstArgument + 1].Value.Syntax);
                int padding = IntArg(firstArgument + 2);
                return Emit(name == "MaxPool2d" ? OpKind.MaxPool2d : OpKind.AvgPool2d, call.Syntax, f, new[] { x },
                    o => o with { Ints = new[] { kernel, stride, padding }.ToEquatableArray() });
            default: return null;
        }
    }

    /// <summary><c>Nn.Concat(a, b, ...)</c>: the tensors of a params array (or one array value).</summary>
    private Value Concat(IInvocationOperation call, Frame f)
    {
        var argument = call.Arguments[0].Value;
        var parts = Eval(argument, f) switch
        {
            ArrayValue a => a.Items.Select(item => TensorOf(item, argument.Syntax, f)).ToArray(),
            PoisonValue => throw new PoisonedException(),
            var single => new[] { TensorOf(single, argument.Syntax, f) },
        };
        return Emit(OpKind.Concat, call.Syntax, f, parts);
    }
}
