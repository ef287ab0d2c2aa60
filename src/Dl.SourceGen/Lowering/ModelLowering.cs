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
    internal sealed class Result(ModelGraph? graph, IReadOnlyList<DiagnosticInfo> diagnostics, OpOrigins? origins = null)
    {
        public ModelGraph? Graph { get; } = graph;
        public IReadOnlyList<DiagnosticInfo> Diagnostics { get; } = diagnostics;
        public bool HasErrors => Graph is null || Diagnostics.Any(d => d.IsError);
        /// <summary>Where in the model's source each op of the graph was traced.</summary>
        public OpOrigins Origins { get; } = origins ?? new OpOrigins();
    }

    public static Result Lower(ModelSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (spec.Output < 0) return new Result(null, diagnostics);
        var g = new GraphBuilder();
        var nodes = new Node[spec.Ops.Count];
        var loops = new LoopLowering(spec, g, nodes);
        var origins = new OpOrigins();
        for (int i = 0; i < spec.Ops.Count; i++)
        {
            var op = spec.Ops[i];
            try
            {
                // A loop's body is lowered with its Loop ops, into the loop node's body graph.
                if (loops.BodyEnd(i, 0, spec.Ops.Count) is int end) { i = end - 1; continue; }
                var x = op.Inputs.Select(loops.Top).ToArray();
                int created = g.Nodes.Count;
                nodes[i] = op.Op == OpSpec.LoopOp ? loops.Loop(g, i, x, loops.Top) : Build(g, op, x);
                // Every node this op made (a layer makes many) is this expression's.
                for (int k = created; k < g.Nodes.Count; k++) origins.Add(g.Nodes[k].Op, op.Location);
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
        var objectives = Objectives(spec, g, nodes, diagnostics);
        if (objectives is null) return new Result(null, diagnostics);
        var frozenPaths = spec.ParamFields.Where(f => f.Frozen).Select(f => f.Path).ToList();
        var frozen = g.Nodes.Where(n => n.Op is ParamOp p && frozenPaths.Any(f => Under(p.ParamName, f))).ToList();
        var graph = new ModelGraph(spec.ClassName, g, inputs, output, loss, withGradient, spec.ForwardInputCount, objectives, frozen);
        diagnostics.AddRange(UnusedFields(spec, graph));
        return new Result(graph, diagnostics, origins);
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

    /// <summary>
    /// The [Objective]s with their parts resolved to parameters: a part is a field or a parameter path, and names
    /// every parameter at or under it. DL0043 for a part that names none, DL0010 for a loss that is not a scalar.
    /// </summary>
    private static List<Objective>? Objectives(ModelSpec spec, GraphBuilder g, Node[] nodes, List<DiagnosticInfo> diagnostics)
    {
        var parameters = g.Nodes.Where(n => n.Op is ParamOp).ToList();
        var objectives = new List<Objective>();
        foreach (var o in spec.Objectives)
        {
            var loss = nodes[o.Loss];
            if (loss.Shape.Rank != 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossNotScalar, o.LossLocation ?? spec.Ops[o.Loss].Location, loss.Shape.ToString()));
                return null;
            }
            var trains = new List<Node>();
            foreach (var part in o.Trains)
            {
                var under = parameters.Where(p => Under(((ParamOp)p.Op).ParamName, part)).ToList();
                if (under.Count == 0)
                {
                    var fields = spec.ParamFields.Select(f => f.Path).Where(f => !f.Contains('.')).ToList();
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ObjectiveTrainsNothing, o.Location,
                        $"objective '{o.Name}' trains '{part}', which holds no parameter of the model (its fields with parameters: {(fields.Count == 0 ? "none" : string.Join(", ", fields))})"));
                    return null;
                }
                trains.AddRange(under.Where(p => !trains.Contains(p)));
            }
            objectives.Add(new Objective(o.Name, loss, o.Inputs.Select(i => nodes[i]).ToList(), trains.OrderBy(p => p.Id).ToList()));
        }
        return objectives;
    }

    private static bool Under(string name, string part) => name == part || name.StartsWith(part + ".", StringComparison.Ordinal);

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
