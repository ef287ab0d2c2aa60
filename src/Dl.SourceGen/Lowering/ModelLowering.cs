using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// The second step: replays a <see cref="ModelSpec"/>'s traced ops on a <see cref="GraphBuilder"/>.
/// Shape rules run as each node is created, so a <see cref="ShapeException"/> is reported at the C#
/// expression that traced the failing op. Then checks the loss is a scalar and warns about fields
/// whose parameters are never used.
/// </summary>
internal static class ModelLowering
{
    internal sealed class Result(ModelGraph? graph, IReadOnlyList<DiagnosticInfo> diagnostics)
    {
        public ModelGraph? Graph { get; } = graph;
        public IReadOnlyList<DiagnosticInfo> Diagnostics { get; } = diagnostics;
        public bool HasErrors => Graph is null || Diagnostics.Any(d => d.IsError);
    }

    public static Result Lower(ModelSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (spec.Output < 0) return new Result(null, diagnostics);
        var g = new GraphBuilder();
        var nodes = new Node[spec.Ops.Count];
        var loops = new LoopLowering(spec, g, nodes);
        for (int i = 0; i < spec.Ops.Count; i++)
        {
            var op = spec.Ops[i];
            try
            {
                // A loop's body is lowered with its Loop ops, into the loop node's body graph.
                if (loops.BodyEnd(i, 0, spec.Ops.Count) is int end) { i = end - 1; continue; }
                var x = op.Inputs.Select(loops.Top).ToArray();
                nodes[i] = op.Kind == OpKind.Loop ? loops.Loop(g, i, x, loops.Top) : Build(g, op, x);
            }
            catch (ShapeException e)
            {
                diagnostics.Add(ShapeError(e, op.Location, op.Context, op.CallSite));
                return new Result(null, diagnostics);
            }
            catch (LoopLowering.BodyError e)
            {
                diagnostics.Add(ShapeError(e.Error, e.Op.Location, e.Op.Context, e.Op.CallSite));
                return new Result(null, diagnostics);
            }
        }

        var output = nodes[spec.Output];
        var loss = spec.Loss >= 0 ? nodes[spec.Loss] : null;
        if (loss is not null && loss.Shape.Rank != 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossNotScalar, spec.LossLocation ?? spec.Ops[spec.Loss].Location, loss.Shape.ToString()));
            return new Result(null, diagnostics);
        }
        var inputs = spec.Inputs.Select(i => nodes[i]).ToList();
        var withGradient = spec.Inputs.Where(i => spec.Ops[i].Flag).Select(i => nodes[i]).ToList();
        var graph = new ModelGraph(spec.ClassName, g, inputs, output, loss, withGradient, spec.ForwardInputCount);
        diagnostics.AddRange(UnusedFields(spec, graph));
        return new Result(graph, diagnostics);
    }

    public static DiagnosticInfo ShapeError(ShapeException e, LocationInfo location, string context, LocationInfo? callSite)
    {
        var descriptor = e.Kind switch
        {
            ShapeErrorKind.WrongRank => DiagnosticDescriptors.WrongRank,
            ShapeErrorKind.ChannelMismatch => DiagnosticDescriptors.ChannelMismatch,
            ShapeErrorKind.KernelTooLarge => DiagnosticDescriptors.KernelTooLarge,
            ShapeErrorKind.EmptyOutput => DiagnosticDescriptors.EmptyOutput,
            ShapeErrorKind.BadStride => DiagnosticDescriptors.BadStride,
            ShapeErrorKind.PoolTooLarge => DiagnosticDescriptors.PoolTooLarge,
            ShapeErrorKind.TooLarge => DiagnosticDescriptors.TensorTooLarge,
            _ => DiagnosticDescriptors.ShapeMismatch,
        };
        string message = context.Length == 0 ? e.Message : $"{e.Message} (in {context})";
        var diagnostic = DiagnosticInfo.Create(descriptor, location, message);
        return callSite is { } site ? diagnostic with { AdditionalLocations = new[] { site }.ToEquatableArray() } : diagnostic;
    }

    /// <summary>DL0008 for each parameter-owning field none of whose parameters the output or loss reaches (outermost only).</summary>
    private static IEnumerable<DiagnosticInfo> UnusedFields(ModelSpec spec, ModelGraph graph)
    {
        var used = graph.Parameters.Select(p => ((ParamOp)p.Op).ParamName).ToList();
        var reported = new List<string>();
        foreach (var field in spec.ParamFields)
        {
            if (reported.Any(r => field.Path.StartsWith(r + ".", StringComparison.Ordinal))) continue;
            if (used.Any(u => u == field.Path || u.StartsWith(field.Path + ".", StringComparison.Ordinal))) continue;
            reported.Add(field.Path);
            yield return DiagnosticInfo.Create(DiagnosticDescriptors.UnusedParameter, field.Location, field.Path);
        }
    }

    internal static Node Build(GraphBuilder g, OpSpec op, Node[] x)
    {
        switch (op.Kind)
        {
            case OpKind.Input: return g.Input(op.Name, BatchShape($"input '{op.Name}'", op.Ints), DType.Float32);
            case OpKind.LabelsInput: return g.Input(op.Name, BatchShape($"input '{op.Name}'", op.Ints), DType.Int32);
            case OpKind.InputLike: return g.Input(op.Name, x[0].Shape, DType.Float32);
            case OpKind.LabelsLike:
                if (x[0].Shape.Rank < 1)
                    throw new ShapeException(ShapeErrorKind.WrongRank, $"labels '{op.Name}': Forward's output is a scalar; labels need outputs with classes on a last axis");
                return g.Input(op.Name, new Shape(x[0].Shape.Take(x[0].Shape.Rank - 1)), DType.Int32);
            case OpKind.Param: return g.Param(op.Name, StaticShape($"parameter '{op.Name}'", op.Ints), ParseEnum<Init>(op.Option));
            case OpKind.Constant: return g.Constant(op.Number);
            case OpKind.Add: return g.Add(x[0], x[1]);
            case OpKind.Sub: return g.Sub(x[0], x[1]);
            case OpKind.Mul: return g.Mul(x[0], x[1]);
            case OpKind.Div: return g.Div(x[0], x[1]);
            case OpKind.Neg: return g.Neg(x[0]);
            case OpKind.Exp: return g.Exp(x[0]);
            case OpKind.Log: return g.Log(x[0]);
            case OpKind.Relu: return g.Relu(x[0]);
            case OpKind.Sigmoid: return g.Sigmoid(x[0]);
            case OpKind.Tanh: return g.Tanh(x[0]);
            case OpKind.Softmax: return g.Softmax(x[0]);
            case OpKind.LogSoftmax: return g.LogSoftmax(x[0]);
            case OpKind.MatMul: return g.MatMul(x[0], x[1]);
            case OpKind.BiasAdd: return g.BiasAdd(x[0], x[1]);
            case OpKind.Transpose: return g.Transpose(x[0]);
            case OpKind.Flatten: return g.Flatten(x[0]);
            case OpKind.Reshape: return g.Reshape(x[0], ReshapeTarget(op.Ints));
            case OpKind.Sum: return g.Sum(x[0], op.Ints.Count == 0 ? null : op.Ints.ToArray());
            case OpKind.Mean: return g.Mean(x[0], op.Ints.Count == 0 ? null : op.Ints.ToArray());
            case OpKind.Dense:
                return Layers.Dense(g, op.Name, x[0], op.Ints[0], op.Ints[1], ParseEnum<LayerActivation>(op.Option), op.Flag);
            case OpKind.Mse: return g.Mse(x[0], x[1]);
            case OpKind.CrossEntropy: return g.SoftmaxCrossEntropy(x[0], x[1]);
            case OpKind.BinaryCrossEntropy: return g.BinaryCrossEntropy(x[0], x[1]);
            default: return ToolboxLowering.Build(g, op, x) ?? throw new InvalidOperationException($"no lowering for {op.Kind}");
        }
    }

    private static T ParseEnum<T>(string name) where T : struct =>
        Enum.TryParse<T>(name, out var value) ? value : throw new InvalidOperationException($"'{name}' is not a {typeof(T).Name}");

    /// <summary>A per-sample shape with the batch prepended: [N, ...dims].</summary>
    private static Shape BatchShape(string what, EquatableArray<int> dims) =>
        new(new[] { Dim.Batch }.Concat(StaticShape(what, dims)));

    private static Shape StaticShape(string what, EquatableArray<int> dims)
    {
        if (dims.Any(d => d <= 0))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{what}: sizes must be positive, got [{string.Join(",", dims)}]");
        return new Shape(dims.Select(Dim.Of));
    }

    /// <summary>Reshape's target: -1 is the batch dimension (at most one), other sizes positive.</summary>
    private static Shape ReshapeTarget(EquatableArray<int> dims)
    {
        if (dims.Count(d => d == -1) > 1 || dims.Any(d => d == 0 || d < -1))
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"Reshape: [{string.Join(",", dims)}] is not a valid shape (sizes are positive; -1, at most once, is the batch dimension)");
        return new Shape(dims.Select(d => d == -1 ? Dim.Batch : Dim.Of(d)));
    }
}
