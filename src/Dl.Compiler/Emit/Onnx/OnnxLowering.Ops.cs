using System;
using System.Globalization;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The op table of ONNX export: how each op of an inference graph is written in ONNX (opset 17). Ops with one
/// ONNX counterpart map to it; the rest are short compositions of standard ops with the same formula as the
/// reference evaluator (GELU from Erf, SiLU as x·sigmoid(x), comparisons cast to the 0/1 floats our graph uses).
/// Training-only ops (gradients, losses, dropout masks) and the loop node are refused by name.
/// </summary>
internal sealed partial class OnnxLowering
{
    private void Lower(Node n)
    {
        string[] x = n.Inputs.Select(Name).ToArray();
        string y = _prefix + n.Id.ToString(CultureInfo.InvariantCulture);
        switch (n.Op)
        {
            case InputOp input:
                y = input.InputName;
                _w.Line($"__g.Input({Identifiers.StringLiteral(y)}, {Dims(n.Shape)}{ElementType(n)});");
                break;
            case ParamOp p:
                y = p.ParamName;
                var slot = _model.Parameters.First(s => s.Node == n);
                _w.Line($"__g.Initializer({Identifiers.StringLiteral(y)}, {Dims(n.Shape)}, this.Parameters.Slice({Sizes.Lit(slot.Offset)}, {Sizes.Lit(slot.Length)}));");
                break;
            case StateOp s:
                y = s.StateName;
                var state = _model.States.First(t => t.Node == n);
                _w.Line($"__g.Initializer({Identifiers.StringLiteral(y)}, {Dims(n.Shape)}, this.State.Slice({Sizes.Lit(state.Offset)}, {Sizes.Lit(state.Length)}));");
                break;
            case ConstantOp c when !n.Shape.HasBatch:
                _w.Line($"__g.Fill({Identifiers.StringLiteral(y)}, {Dims(n.Shape)}, {Sizes.Float(c.Value)});");
                break;
            case ConstantOp c:
                Emit("Expand", new[] { Scalar(c.Value), ShapeTensor(n.Shape) }, y);
                break;

            case NegOp: Emit("Neg", x, y); break;
            case ExpOp: Emit("Exp", x, y); break;
            case LogOp: Emit("Log", x, y); break;
            case ReluOp: Emit("Relu", x, y); break;
            case SigmoidOp: Emit("Sigmoid", x, y); break;
            case TanhOp: Emit("Tanh", x, y); break;
            case AbsOp: Emit("Abs", x, y); break;
            case SignOp: Emit("Sign", x, y); break;
            case SqrtOp: Emit("Sqrt", x, y); break;
            case SoftplusOp: Emit("Softplus", x, y); break;
            case RsqrtOp: Emit("Reciprocal", new[] { Temp("Sqrt", x) }, y); break;
            case StepOp: Emit("Cast", new[] { Temp("Greater", new[] { x[0], Scalar(0) }) }, y, ".Int(\"to\", 1)"); break;
            case LeakyReluOp l: Emit("LeakyRelu", x, y, $".Float(\"alpha\", {Sizes.Float(l.Slope)})"); break;
            case EluOp e: Emit("Elu", x, y, $".Float(\"alpha\", {Sizes.Float(e.Alpha)})"); break;
            // PyTorch's hard sigmoid, clamp(x/6 + 1/2, 0, 1), is ONNX's with alpha 1/6 and beta 1/2.
            case HardSigmoidOp: Emit("HardSigmoid", x, y, $".Float(\"alpha\", {Sizes.Float(1.0 / 6)}).Float(\"beta\", 0.5f)"); break;
            case ClampOp c: Emit("Clip", new[] { x[0], Scalar(c.Min), Scalar(c.Max) }, y); break;
            case PowOp p: Emit("Pow", new[] { x[0], Scalar(p.Exponent) }, y); break;
            case SiluOp: Emit("Mul", new[] { x[0], Temp("Sigmoid", x) }, y); break;
            // x·sigmoid(2u), 2u = TwoC·(x + Cubic·x³): the evaluator's own form of the tanh GELU.
            case GeluTanhOp:
                {
                    var cube = Temp("Mul", new[] { Temp("Mul", new[] { x[0], x[0] }), x[0] });
                    var inner = Temp("Add", new[] { x[0], Temp("Mul", new[] { cube, Scalar(GeluTanhOp.Cubic) }) });
                    Emit("Mul", new[] { x[0], Temp("Sigmoid", new[] { Temp("Mul", new[] { inner, Scalar(GeluTanhOp.TwoC) }) }) }, y);
                    break;
                }
            case NormalCdfOp: Emit("Mul", new[] { NormalCdfTimesTwo(x[0]), Scalar(0.5) }, y); break;
            case GeluOp: Emit("Mul", new[] { Temp("Mul", new[] { x[0], NormalCdfTimesTwo(x[0]) }), Scalar(0.5) }, y); break;
            case ScaleOp s when s.BatchPower == 0: Emit("Mul", new[] { x[0], Scalar(s.Factor) }, y); break;
            case ScaleOp s:
                Emit("Mul", new[] { Temp("Mul", new[] { x[0], Temp("Pow", new[] { BatchFloat(), Scalar(s.BatchPower) }) }), Scalar(s.Factor) }, y);
                break;

            case AddOp: Emit("Add", x, y); break;
            case SubOp: Emit("Sub", x, y); break;
            case MulOp: Emit("Mul", x, y); break;
            case DivOp: Emit("Div", x, y); break;
            case MaximumOp: Emit("Max", x, y); break;
            case MinimumOp: Emit("Min", x, y); break;
            case GreaterOp: Compare("Greater", x, y); break;
            case LessOp: Compare("Less", x, y); break;
            case GreaterEqualOp: Compare("GreaterOrEqual", x, y); break;
            case LessEqualOp: Compare("LessOrEqual", x, y); break;
            case EqualOp: Compare("Equal", x, y); break;
            // Our condition is a 0/1 float mask; a cast to bool makes every non-zero true, as Where reads it.
            case WhereOp: Emit("Where", new[] { Temp("Cast", new[] { x[0] }, ".Int(\"to\", 9)"), x[1], x[2] }, y); break;

            case MatMulOp: Emit("MatMul", x, y); break;
            case BiasAddOp: Emit("Add", x, y); break;
            case Conv2dOp conv:
                {
                    var g = conv.Geometry;
                    var w = n.Inputs[1].Shape;
                    Emit("Conv", x, y, $".Ints(\"kernel_shape\", {w[2].Size}, {w[3].Size}).Ints(\"strides\", {g.Stride}, {g.Stride})"
                        + $".Ints(\"dilations\", {g.Dilation}, {g.Dilation}).Ints(\"pads\", {g.PadTop}, {g.PadLeft}, {g.PadBottom}, {g.PadRight}).Int(\"group\", {g.Groups})");
                    break;
                }
            // Our weight [O, C/groups, KH, KW] over an input of O channels is ONNX's [C_in, C_out/group, kH, kW], and the
            // output size is ONNX's formula: (in - 1)·stride + output padding + dilated kernel - both paddings.
            case ConvTranspose2dOp conv:
                {
                    var g = conv.Geometry;
                    var w = n.Inputs[1].Shape;
                    Emit("ConvTranspose", x, y, $".Ints(\"kernel_shape\", {w[2].Size}, {w[3].Size}).Ints(\"strides\", {g.Stride}, {g.Stride})"
                        + $".Ints(\"dilations\", {g.Dilation}, {g.Dilation}).Ints(\"pads\", {g.PadTop}, {g.PadLeft}, {g.PadBottom}, {g.PadRight}).Int(\"group\", {g.Groups})"
                        + $".Ints(\"output_padding\", {conv.OutputPaddingH}, {conv.OutputPaddingW})");
                    break;
                }
            case MaxPool2dOp p: Emit("MaxPool", x, y, Window(p)); break;
            // Our average divides by the whole window, padding included (ONNX's count_include_pad = 1).
            case AvgPool2dOp p: Emit("AveragePool", x, y, Window(p) + ".Int(\"count_include_pad\", 1)"); break;
            case SoftmaxOp: Emit("Softmax", x, y, ".Int(\"axis\", -1)"); break;
            case LogSoftmaxOp: Emit("LogSoftmax", x, y, ".Int(\"axis\", -1)"); break;
            case SumOp s: Emit("ReduceSum", new[] { x[0], Longs(s.Axes.Select(a => (long)a).ToArray()) }, y, $".Int(\"keepdims\", {(s.KeepDims ? 1 : 0)})"); break;

            case ReshapeOp r:
                if (r.Target.BatchRank > 1) throw Unsupported(n, "a reshape to more than one batch-sized axis");
                // -1 stands for the batch axis: the static axes fix it.
                Emit("Reshape", new[] { x[0], Longs(r.Target.Select(d => d.IsBatch ? -1L : d.Size).ToArray()) }, y);
                break;
            case TransposeOp t: Emit("Transpose", x, y, $".Ints(\"perm\", {LongList(t.Perm.Select(p => (long)p))})"); break;
            case BroadcastToOp b: Emit("Expand", new[] { x[0], ShapeTensor(b.Target) }, y); break;
            case SumToOp s: SumTo(n, s, x[0], y); break;
            case ConcatOp c: Emit("Concat", x, y, $".Int(\"axis\", {c.Axis})"); break;
            case SliceOp s: Emit("Slice", new[] { x[0], Longs(s.Start), Longs(s.Start + s.Length), Longs(s.Axis) }, y); break;
            case ReverseOp r: Emit("Slice", new[] { x[0], Longs(-1), Longs(long.MinValue), Longs(r.Axis), Longs(-1) }, y); break;
            case GatherRowsOp: Emit("Gather", x, y, ".Int(\"axis\", 0)"); break;
            case SequenceMaskOp: SequenceMask(n, x, y); break;

            case ScanOp scan: Scan(n, scan, y); break;
            case CarriedStateOp:
                throw Unsupported(n, "state a stateful recurrent layer carries from call to call");
            default:
                throw Unsupported(n, "no ONNX operator is written for it");
        }
        _names[n] = y;
    }

    /// <summary>
    /// x [N,T,...] times the 0/1 mask t &lt; lengths[n], the step index and the lengths reshaped to broadcast over
    /// [N,T,1,...]. (Our kernels throw for a length outside 0..T; the ONNX graph masks by the comparison alone.)
    /// </summary>
    private void SequenceMask(Node n, string[] x, string y)
    {
        int rank = n.Shape.Rank, steps = n.Shape[1].Size;
        var ones = Enumerable.Repeat(1L, rank - 2);
        var step = Temp("Reshape", new[] { Longs(Enumerable.Range(0, steps).Select(t => (long)t).ToArray()), Longs(new[] { 1L, steps }.Concat(ones).ToArray()) });
        var lengths = Temp("Reshape", new[] { Temp("Cast", new[] { x[1] }, ".Int(\"to\", 7)"), Longs(new[] { -1L, 1 }.Concat(ones).ToArray()) });
        var mask = Temp("Cast", new[] { Temp("Less", new[] { step, lengths }) }, ".Int(\"to\", 1)");
        Emit("Mul", new[] { x[0], mask }, y);
    }

    /// <summary>1 + erf(x/√2) = 2·Φ(x): GELU and the normal CDF in ONNX's Erf.</summary>
    private string NormalCdfTimesTwo(string x) =>
        Temp("Add", new[] { Temp("Erf", new[] { Temp("Mul", new[] { x, Scalar(1 / Math.Sqrt(2)) }) }), Scalar(1) });

    /// <summary>Comparison results are 0/1 floats in our graph, booleans in ONNX.</summary>
    private void Compare(string op, string[] x, string y) => Emit("Cast", new[] { Temp(op, x) }, y, ".Int(\"to\", 1)");

    private static string Window(PoolOpBase p) =>
        $".Ints(\"kernel_shape\", {p.Kernel}, {p.Kernel}).Ints(\"strides\", {p.Stride}, {p.Stride}).Ints(\"pads\", {p.Padding}, {p.Padding}, {p.Padding}, {p.Padding})";

    /// <summary>Sums a broadcast value back to its target (NumPy alignment on the right): ReduceSum over the stretched axes, then the target's shape.</summary>
    private void SumTo(Node n, SumToOp s, string x, string y)
    {
        var from = n.Inputs[0].Shape;
        int lead = from.Rank - s.Target.Rank;
        var axes = Enumerable.Range(0, from.Rank).Where(a => a < lead || (s.Target[a - lead] == Dim.Of(1) && from[a] != Dim.Of(1))).Select(a => (long)a).ToArray();
        var summed = axes.Length == 0 ? x : Temp("ReduceSum", new[] { x, Longs(axes) }, ".Int(\"keepdims\", 1)");
        Emit("Reshape", new[] { summed, ShapeTensor(s.Target) }, y);
    }
}
