using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// Replays the <see cref="OpSpec.LoopOp"/> ops of a spec as loop nodes (<see cref="ScanOp"/>): a loop's
/// body ops (the one traced step, just before its Loop ops) become the body graph, reading the carries
/// where the step read a carried variable and capturing everything else from outside (weights, values
/// computed before the loop); nested loops recurse. The body ops are skipped at the level the loop
/// sits in: their values exist only inside the loop.
/// </summary>
internal sealed class LoopLowering
{
    private readonly ModelSpec _spec;
    private readonly GraphBuilder _top;
    private readonly Node?[] _nodes;
    private readonly List<(int Start, int End)> _bodies = new();
    private readonly Dictionary<(GraphBuilder, int), ScanCall> _calls = new();

    public LoopLowering(ModelSpec spec, GraphBuilder top, Node?[] nodes)
    {
        _spec = spec; _top = top; _nodes = nodes;
        for (int i = 0; i < spec.Ops.Count; i++)
            if (spec.Ops[i].Op == OpSpec.LoopOp)
            {
                var ints = spec.Ops[i].Ints;
                _bodies.Add((i - ints[2], i - ints[2] + ints[3]));
            }
    }

    /// <summary>A shape error inside a loop's body or at the loop, with the op to report it at.</summary>
    public sealed class BodyError(ShapeException error, OpSpec op) : Exception(error.Message)
    {
        public ShapeException Error { get; } = error;
        public OpSpec Op { get; } = op;
    }

    /// <summary>The end of the widest loop body that starts at <paramref name="i"/> inside (and is not) the range [from, to).</summary>
    public int? BodyEnd(int i, int from, int to)
    {
        int? end = null;
        foreach (var (s, e) in _bodies)
            if (s == i && e <= to && !(s == from && e == to) && (end is null || e > end)) end = e;
        return end;
    }

    /// <summary>A model-level value; a parameter first read inside a loop body is made here on first use.</summary>
    public Node Top(int index)
    {
        if (_nodes[index] is { } node) return node;
        var op = _spec.Ops[index];
        if (op.Op != OpTable.Param) throw new InvalidOperationException($"op {index} ({op.Op}) is read outside the loop body it belongs to");
        return _nodes[index] = ModelLowering.Build(_top, op, Array.Empty<Node>());
    }

    /// <summary>The Loop op at <paramref name="index"/> on <paramref name="g"/>: one carry's final value.</summary>
    public Node Loop(GraphBuilder g, int index, Node[] inits, Func<int, Node> outside)
    {
        var op = _spec.Ops[index];
        var ints = op.Ints;
        int steps = ints[0], carry = ints[1], start = index - ints[2], length = ints[3], carries = ints[4];
        if (!_calls.TryGetValue((g, start), out var call))
            _calls[(g, start)] = call = Build(g, op, steps, start, length, carries, inits, outside);
        return call.Final(carry);
    }

    private ScanCall Build(GraphBuilder g, OpSpec loop, int steps, int start, int length, int carryCount, Node[] inits, Func<int, Node> outside)
    {
        var ints = loop.Ints;
        var outs = Enumerable.Range(0, carryCount).Select(c => start + ints[5 + c]).ToList();
        var carryUse = new Dictionary<(int Op, int Operand), int>();
        for (int t = 5 + carryCount; t + 2 < ints.Count; t += 3)
            carryUse[(start + ints[t], ints[t + 1])] = ints[t + 2];

        var body = new ScanBodyBuilder();
        var captured = new List<Node>();
        var captureByNode = new Dictionary<Node, Node>();
        // Built-in layers (Dense, Conv2d) make their parameters as they are lowered: in the model's graph, captured.
        body.Graph.ParamSource = (name, shape, init) =>
        {
            var param = ParamOutside(g, name, shape, init);
            if (captureByNode.TryGetValue(param, out var slot)) return slot;
            captured.Add(param);
            return captureByNode[param] = body.Capture(param.Shape, param.Type);
        };
        var carrySlots = inits.Select(x => body.Carry(x.Shape, x.Type)).ToList();
        var captureSlots = new Dictionary<int, Node>();
        var values = new Dictionary<int, Node>();
        Node Capture(int index)
        {
            if (captureSlots.TryGetValue(index, out var slot)) return slot;
            var value = outside(index);
            if (!captureByNode.TryGetValue(value, out slot))
            {
                captured.Add(value);
                captureByNode[value] = slot = body.Capture(value.Shape, value.Type);
            }
            return captureSlots[index] = slot;
        }
        Node Inside(int index) => values.TryGetValue(index, out var v) ? v : Capture(index);

        int end = start + length;
        for (int i = start; i < end; i++)
        {
            if (BodyEnd(i, start, end) is int inner) { i = inner - 1; continue; }
            var op = _spec.Ops[i];
            var x = op.Inputs.Select((input, j) => carryUse.TryGetValue((i, j), out var c) ? carrySlots[c] : Inside(input)).ToArray();
            try
            {
                values[i] = op.Op switch
                {
                    OpTable.Param => Capture(i),
                    OpSpec.LoopOp => Loop(body.Graph, i, x, Inside),
                    _ => ModelLowering.Build(body.Graph, op, x),
                };
            }
            catch (ShapeException e) { throw new BodyError(e, op); }
        }
        try
        {
            var scan = body.Finish(outs.Select(o => values[o]).ToArray());
            return g.Scan(scan, steps, inits, Array.Empty<Node>(), captured);
        }
        catch (ShapeException e)
        {
            // A carry that changes shape: reported where the step computes its new value.
            int changed = Enumerable.Range(0, carryCount).FirstOrDefault(c => !values[outs[c]].Shape.Equals(inits[c].Shape));
            throw new BodyError(e, _spec.Ops[outs[changed]]);
        }
    }

    /// <summary>A parameter in the graph <paramref name="g"/> a loop sits in (the model's, or through its own captures).</summary>
    private static Node ParamOutside(GraphBuilder g, string name, Shape shape, Init init) => g.Param(name, shape, init);
}
