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
    private readonly Dictionary<(GraphBuilder, int), (ScanCall Call, Dictionary<int, Node> Body)> _calls = new();

    public LoopLowering(ModelSpec spec, GraphBuilder top, Node?[] nodes)
    {
        _spec = spec; _top = top; _nodes = nodes;
        for (int i = 0; i < spec.Ops.Count; i++)
            if (spec.Ops[i].Op == OpSpec.LoopOp)
            {
                var layout = LoopLayout.Decode(spec.Ops[i].Ints, i);
                _bodies.Add((layout.BodyStart, layout.BodyStart + layout.BodyLength));
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

    /// <summary>The Loop op at <paramref name="index"/> on <paramref name="g"/>: one value of the loop (see <see cref="LoopResultKind"/>).</summary>
    public Node Loop(GraphBuilder g, int index, Node[] inits, Func<int, Node> outside)
    {
        var layout = LoopLayout.Decode(_spec.Ops[index].Ints, index);
        if (!_calls.TryGetValue((g, layout.BodyStart), out var loop))
            _calls[(g, layout.BodyStart)] = loop = Build(g, layout, inits, outside);
        switch (layout.Result)
        {
            case LoopResultKind.Final:
                return loop.Call.Final(layout.ResultIndex);
            case LoopResultKind.Stacked:
            {
                var output = loop.Body[layout.BodyStart + layout.Outputs[layout.ResultIndex]];
                return loop.Call.Stacked(output, GraphBuilder.StackAxis(output.Shape, layout.ResultArgument));
            }
            default:
            {
                // One step's value: the stacked output just after its batch axis (all steps' reads share it), then that step.
                var output = loop.Body[layout.BodyStart + layout.Outputs[layout.ResultIndex]];
                int axis = Enumerable.Range(0, output.Shape.Rank).Where(k => output.Shape[k].IsBatch).Select(k => k + 1).DefaultIfEmpty(0).First();
                return g.Select(loop.Call.Stacked(output, axis), axis, layout.ResultArgument);
            }
        }
    }

    private (ScanCall, Dictionary<int, Node>) Build(GraphBuilder g, LoopLayout layout, Node[] inits, Func<int, Node> outside)
    {
        int start = layout.BodyStart, end = start + layout.BodyLength;
        var carryUse = layout.CarryUses.ToDictionary(u => (start + u.Op, u.Operand), u => u.Carry);
        var slices = layout.Slices.ToDictionary(s => start + s.Op);

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
        var sequences = new List<Node>();
        var sliceAxes = new List<int>();
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

        for (int i = start; i < end; i++)
        {
            if (BodyEnd(i, start, end) is int inner) { i = inner - 1; continue; }
            var op = _spec.Ops[i];
            try
            {
                if (slices.TryGetValue(i, out var slice))
                {
                    values[i] = SliceSlot(g, body, op, outside(op.Inputs[0]), layout, slice.First, slice.Stride, sequences, sliceAxes);
                    continue;
                }
                var x = op.Inputs.Select((input, j) => carryUse.TryGetValue((i, j), out var c) ? carrySlots[c] : Inside(input)).ToArray();
                values[i] = op.Op switch
                {
                    OpTable.Param => Capture(i),
                    OpSpec.LoopOp => Loop(body.Graph, i, x, Inside),
                    _ => ModelLowering.Build(body.Graph, op, x),
                };
            }
            catch (ShapeException e) { throw new BodyError(e, op); }
        }
        var outs = layout.CarryOuts.Select(o => start + o).ToList();
        try
        {
            var scan = body.Finish(outs.Select(o => values[o]).ToArray());
            return (g.Scan(scan, layout.Steps, inits, sequences, captured, sliceAxes, layout.Reverse), values);
        }
        catch (ShapeException e)
        {
            // A carry that changes shape: reported where the step computes its new value.
            int changed = Enumerable.Range(0, outs.Count).FirstOrDefault(c => !values[outs[c]].Shape.Equals(inits[c].Shape));
            throw new BodyError(e, _spec.Ops[outs[changed]]);
        }
    }

    /// <summary>
    /// A Select or Slice of the step's entry of a sequence (entry first + stride·s at step s): a slice slot
    /// of the loop over the entries the steps read, in the loop's direction (reversed outside when the
    /// index walks the other way). Its value in the body is the slot, with the axis kept for a Slice.
    /// </summary>
    private static Node SliceSlot(GraphBuilder g, ScanBodyBuilder body, OpSpec op, Node sequence, LoopLayout layout, int first, int stride,
        List<Node> sequences, List<int> sliceAxes)
    {
        var shape = sequence.Shape;
        int axis = shape.Axis(op.Ints[0], op.Op);
        if (shape[axis].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"{op.Op}: cannot take a loop step's entry along the batch axis of {shape} (axis {op.Ints[0]})");
        int size = shape[axis].Size, last = first + stride * (layout.Steps - 1);
        foreach (var (index, step) in new[] { (first, 0), (last, layout.Steps - 1) })
        {
            int at = index < 0 ? index + size : index;
            if (at < 0 || at >= size)
                throw new ShapeException(ShapeErrorKind.BadArgument,
                    $"{op.Op}: index {index} (at step {step} of {layout.Steps}) is not inside axis {axis} of {shape} (size {size})");
        }
        int low = Math.Min(first, last);
        var window = g.Slice(sequence, axis, low < 0 ? low + size : low, layout.Steps);
        sequences.Add(stride < 0 == layout.Reverse ? window : g.Reverse(window, axis));
        sliceAxes.Add(axis);
        var slot = body.Slice(new Shape(shape.Where((_, k) => k != axis)), sequence.Type);
        return op.Op == "Slice" ? body.Graph.Reshape(slot, new Shape(shape.Select((d, k) => k == axis ? Dim.Of(1) : d))) : slot;
    }

    /// <summary>A parameter in the graph <paramref name="g"/> a loop sits in (the model's, or through its own captures).</summary>
    private static Node ParamOutside(GraphBuilder g, string name, Shape shape, Init init) => g.Param(name, shape, init);
}
