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
/// DepthwiseSeparableConv2d, BatchNorm2d/1d, Dropout, Embedding): its path and settings, already encoded as the
/// attributes of the op its Forward traces (its row of <see cref="Dl.Graph.OpTable"/> says what they mean).
/// </summary>
internal sealed class BuiltinLayerValue(string op, string path, ImmutableArray<int> ints, double number, string option, bool flag) : Value
{
    /// <summary>The layer's row in the op table (its C# type name).</summary>
    public string Op { get; } = op;
    public string Path { get; } = path;
    public ImmutableArray<int> Ints { get; } = ints;
    public double Number { get; } = number;
    public string Option { get; } = option;
    public bool Flag { get; } = flag;
    /// <summary>Dropout has none: it is never reported as an unused parameter.</summary>
    public bool HasParameters => Dl.Graph.OpTable.Get(Op).HasParameters;
}

/// <summary>The convolutional toolbox's layers: their construction and Forward (their functions are plain op-table calls).</summary>
internal sealed partial class Interpreter
{
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
        BuiltinLayerValue Make(int[] ints, double number = 0, string option = "", bool flag = false) =>
            new(type.Name, path, ints.ToImmutableArray(), number, option, flag);

        // The weights' sizes (groups divide the channels they group, when they do; the shape rules check that).
        void Weight(long outChannels, long inChannels, long kernel, long groups, string what) =>
            CheckElementCount(new[] { outChannels, groups > 0 && inChannels % groups == 0 ? inChannels / groups : inChannels, kernel, kernel }, creation, $"The weight of {what} '{path}'");
        switch (type.Name)
        {
            case "Conv2d":
                Weight(I("outChannels"), I("inChannels"), I("kernel"), I("groups"), "Conv2d");
                return Make(new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), Pad(), I("dilation"), I("groups") }, 0, Activation(), Bias());
            case "ConvTranspose2d":
                Weight(I("inChannels"), I("outChannels"), I("kernel"), I("groups"), "ConvTranspose2d");
                return Make(new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), I("padding"), I("outputPadding"), I("dilation"), I("groups") }, 0, Activation(), Bias());
            case "DepthwiseSeparableConv2d":
                Weight(I("inChannels"), 1, I("kernel"), 1, "DepthwiseSeparableConv2d");
                Weight(I("outChannels"), I("inChannels"), 1, 1, "DepthwiseSeparableConv2d");
                return Make(new[] { I("inChannels"), I("outChannels"), I("kernel"), I("stride"), Pad(), I("dilation") }, 0, Activation(), Bias());
            case "Rnn" or "Lstm" or "Gru":
            {
                // Ints[4], the result (output sequence, final hidden, final cell), is set by the method called; Ints[5] is stateful.
                int inputs = I("inputSize"), hidden = I("hiddenSize"), gates = type.Name == "Lstm" ? 4 : type.Name == "Gru" ? 3 : 1;
                bool bidirectional = arguments["bidirectional"] is ConstValue { Constant: bool bi } ? bi
                    : throw Error(DiagnosticDescriptors.NotConstant, at("bidirectional"), at("bidirectional").ToString(), "layer settings are fixed when the model is compiled");
                CheckElementCount(new long[] { (long)gates * hidden, System.Math.Max(inputs, (bidirectional ? 2L : 1L) * hidden) }, creation, $"The weights of {type.Name} '{path}'");
                bool stateful = arguments["stateful"] is ConstValue { Constant: bool st } ? st
                    : throw Error(DiagnosticDescriptors.NotConstant, at("stateful"), at("stateful").ToString(), "layer settings are fixed when the model is compiled");
                return Make(new[] { inputs, hidden, I("layers"), bidirectional ? 1 : 0, 0, stateful ? 1 : 0 }, 0,
                    type.Name == "Rnn" ? EnumName(arguments["nonlinearity"], at("nonlinearity")) : "", Bias());
            }
            case "Embedding":
                CheckElementCount(new long[] { I("vocabulary"), I("dimension") }, creation, $"The weight of Embedding '{path}'");
                return Make(new[] { I("vocabulary"), I("dimension") });
            case "BatchNorm2d":
                return Make(new[] { I("channels") }, Real("momentum"), Real("epsilon").ToString("R", CultureInfo.InvariantCulture));
            case "BatchNorm1d":
                return Make(new[] { I("features") }, Real("momentum"), Real("epsilon").ToString("R", CultureInfo.InvariantCulture));
            default:
                return Make(new int[0], Real("rate"));
        }
    }

    /// <summary>The methods of a recurrent layer and the result each reads (<see cref="Dl.Graph.RecurrentResult"/>).</summary>
    private static int? RecurrentResult(string layer, string method) => method switch
    {
        "Forward" => 0,
        "FinalHidden" => 1,
        "FinalCell" when layer == "Lstm" => 2,
        _ => null,
    };

    private static bool IsRecurrent(string layer) => layer is "Rnn" or "Lstm" or "Gru";

    /// <summary>
    /// <c>lstm.Forward(x)</c>, <c>lstm.FinalHidden(x, h0, c0)</c>...: one op with the layer's settings, the
    /// result the method reads, and the sequence and initial states as operands. Two calls on the same
    /// layer and tensors build the same loops (nodes are interned), so reading both results runs one loop.
    /// </summary>
    private Value RecurrentCall(IInvocationOperation call, Frame f, BuiltinLayerValue layer, int result)
    {
        var operands = call.Arguments.Select(a => TensorOf(Eval(a.Value, f), a.Value.Syntax, f)).ToArray();
        var ints = layer.Ints.ToArray();
        ints[4] = result;
        return Emit(layer.Op, call.Syntax, f, operands, o => o with
            { Name = layer.Path, Ints = ints.ToEquatableArray(), Number = layer.Number, Option = layer.Option, Flag = layer.Flag });
    }

    /// <summary><c>layer.Forward(x)</c> on a built-in layer: one op carrying the layer's path and settings.</summary>
    private Value BuiltinForward(IInvocationOperation call, Frame f)
    {
        var layer = Eval(call.Instance!, f);
        if (layer is BuiltinLayerValue r && IsRecurrent(r.Op))
            return RecurrentResult(r.Op, call.TargetMethod.Name) is int result ? RecurrentCall(call, f, r, result)
                : throw Error(DiagnosticDescriptors.UnknownCall, call.Syntax, Name(call.TargetMethod), KnownCalls);
        // Embedding's Forward takes Labels (its row's operand 0 is integer); the others take a Tensor.
        var argument = call.Arguments[0].Value;
        var x = layer is BuiltinLayerValue { Op: var row } && Dl.Graph.OpTable.Get(row).LabelOperands.Contains(0)
            ? LabelsOf(Eval(argument, f), argument.Syntax)
            : TensorOf(Eval(argument, f), argument.Syntax, f);
        return layer switch
        {
            BuiltinLayerValue b => Emit(b.Op, call.Syntax, f, new[] { x }, o => o with
                { Name = b.Path, Ints = b.Ints.ToEquatableArray(), Number = b.Number, Option = b.Option, Flag = b.Flag }),
            PoisonValue => layer,
            _ => throw Unsupported(call.Syntax, $"calling {call.TargetMethod.ContainingType.Name}.Forward on {Describe(layer)}"),
        };
    }
}
