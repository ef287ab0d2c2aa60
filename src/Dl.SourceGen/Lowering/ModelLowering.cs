using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// The second step: replays a <see cref="ModelSpec"/>'s traced ops on a <see cref="GraphBuilder"/>,
/// each through its row of <see cref="OpTable"/>.
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
                nodes[i] = op.Op == OpSpec.LoopOp ? loops.Loop(g, i, x, loops.Top) : Build(g, op, x);
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

    /// <summary>The op's table row builds it (shape rules run there and throw <see cref="ShapeException"/>).</summary>
    internal static Node Build(GraphBuilder g, OpSpec op, Node[] x) => OpTable.Get(op.Op).Build(g, op.Args, x);
}
