using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// The VJP of a loop, derived from its body: no cell has a backward pass of its own.
///
/// 1. The body is copied into a scratch graph with a cotangent placeholder for each carry it hands
///    on (and for the stacked value, when this node is one), and <see cref="ReverseMode"/> pulls
///    those back to the body's slots: one step's VJP.
/// 2. That VJP becomes the body of a reverse loop. Its carries are the carries' cotangents and the
///    captures' gradients summed over the steps; its sequences are this node's cotangent (for a
///    stacked result), the forward sequences it reads, and the residuals: every forward value of the
///    step the VJP reads, taken from the forward loop as a stacked result (a [T, ...] tensor; the
///    compiler runs it in the same loop as the forward results). Forward values that do not depend
///    on the step (a transposed weight) are recomputed from the captures instead of stacked.
/// 3. The reverse loop's results are the gradients: the initial carries' and the captures' as final
///    carries, the sequences' as stacked per-step values.
///
/// A capture whose per-step gradient is a product of rows, a_tᵀ·b_t (a recurrent weight's: the step's
/// input rows times its output gradients), is not summed step by step in a carry: the reverse loop
/// hands out b_t at every step and the sum over all steps is one GEMM over the stacked rows after the
/// loop, Σ_t a_tᵀ b_t = A ᵀ·B with T·N rows, instead of T small ones with N rows each.
/// </summary>
public sealed partial class ScanOp
{
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy)
    {
        var body = Body;
        int carries = body.Carries.Count, slices = body.Slices.Count;

        // 1. One step's VJP in a scratch copy of the body.
        var scratch = new GraphBuilder();
        var copy = scratch.Import(body.Builder.Nodes);
        var original = new Dictionary<Node, Node>();
        foreach (var kv in copy) if (!original.ContainsKey(kv.Value)) original[kv.Value] = kv.Key;
        var seeds = new List<(Node, Node)>();
        for (int i = 0; i < carries; i++)
            if (body.CarriesOut[i].Type == DType.Float32)
                seeds.Add((copy[body.CarriesOut[i]], scratch.Apply(new CotangentOp(i, body.CarriesOut[i].Shape))));
        // A stacked carry whose cotangent is zero at every step but the last (the gradient of a slice
        // that reads only the final hidden state) seeds that carry's cotangent at the start of the
        // reverse loop instead: no zero-padded [T, ...] cotangent, no per-step slice of it, no add.
        var (lastCarry, lastCotangent) = LastStepCotangent(dy);
        if (StackedNode is { } stacked && lastCotangent is null)
            seeds.Add((copy[stacked], scratch.Apply(new CotangentOp(StepCotangent, stacked.Shape))));
        var slots = body.Carries.Concat(body.Slices).Concat(body.Captures).Select(n => copy[n]).ToList();
        var grads = ReverseMode.Pullback(scratch, seeds, slots);
        Node? GradOf(Node slot) => grads.TryGetValue(copy[slot], out var d) ? d : null;

        var varying = new HashSet<Node>();
        foreach (var n in GraphBuilder.Topological(copy.Values))
            if (n.Op is LoopSlotOp { Kind: LoopSlotKind.Carry or LoopSlotKind.Slice } || n.Inputs.Any(varying.Contains))
                varying.Add(n);

        // 2. The reverse loop's body.
        var reverse = new ScanBodyBuilder();
        var rg = reverse.Graph;
        var carryCotangents = body.Carries.Select(c => reverse.Carry(c.Shape)).ToList();
        var sequences = new List<(Node Outer, int Axis)>();
        var captured = new List<Node>();
        var sequenceSlots = new Dictionary<(string, int), Node>();
        var captureSlots = new Dictionary<int, Node>();

        var slotSequences = new Dictionary<Node, (Node Outer, int Axis)>();
        Node Sequence(string what, int index, Node outer, int axis, Shape shape, DType type)
        {
            if (sequenceSlots.TryGetValue((what, index), out var slot)) return slot;
            sequences.Add((outer, axis));
            slot = sequenceSlots[(what, index)] = reverse.Slice(shape, type);
            slotSequences[slot] = (outer, axis);
            return slot;
        }
        Node Residual(Node bodyNode) =>
            Sequence("residual", bodyNode.Id, g.Apply(With(ScanSelection.Stacked(bodyNode.Id, 0)), node.Inputs.ToArray()), 0, bodyNode.Shape, bodyNode.Type);

        var memo = new Dictionary<Node, Node>();
        Node Map(Node n)
        {
            if (memo.TryGetValue(n, out var done)) return done;
            Node result;
            if (n.Op is CotangentOp cotangent)
                result = cotangent.Index == StepCotangent
                    ? Sequence("cotangent", 0, dy, Selection.Axis, n.Shape, DType.Float32)
                    : carryCotangents[cotangent.Index];
            else if (original.TryGetValue(n, out var bodyNode) && n.Op is LoopSlotOp slot)
                result = slot.Kind switch
                {
                    LoopSlotKind.Slice => Sequence("sequence", slot.Index, node.Inputs[carries + slot.Index], SliceAxes[slot.Index], n.Shape, n.Type),
                    LoopSlotKind.Capture => captureSlots.TryGetValue(slot.Index, out var c) ? c
                        : captureSlots[slot.Index] = CaptureSlot(node.Inputs[carries + slices + slot.Index]),
                    _ => Residual(bodyNode),
                };
            else if (original.TryGetValue(n, out bodyNode) && varying.Contains(n))
                result = Residual(bodyNode);
            else
                result = rg.Apply(n.Op, n.Inputs.Select(Map).ToArray());
            return memo[n] = result;
        }
        Node CaptureSlot(Node outer)
        {
            captured.Add(outer);
            return reverse.Capture(outer.Shape, outer.Type);
        }

        // Row products taken out of the loop (see the summary), decided before the carries that would sum them are made.
        // A pullback node changes with the step when it reads a cotangent or a forward value that does.
        var changes = new Dictionary<Node, bool>();
        bool Varies(Node n) => changes.TryGetValue(n, out bool v) ? v
            : changes[n] = varying.Contains(n) || n.Op is CotangentOp || n.Inputs.Any(Varies);
        var products = new (Node A, Node B, int Axis)?[body.Captures.Count];
        for (int k = 0; k < products.Length; k++)
            if (GradOf(body.Captures[k]) is { } d && RowProduct(d, Varies) is var (a, b))
            {
                Node ma = Map(a), mb = Map(b);
                // A side that is already a sequence of the reverse loop is read from outside as it is; the
                // other is stacked along the same axis, so row r of one meets row r of the other.
                (Node Outer, int Axis)? sa = slotSequences.TryGetValue(ma, out var x) ? x : null, sb = slotSequences.TryGetValue(mb, out var y) ? y : null;
                if (sa is { } p && sb is { } q && p.Axis != q.Axis) continue;
                products[k] = (ma, mb, sa?.Axis ?? sb?.Axis ?? 0);
            }
        var captureSums = body.Captures.Select((c, k) => GradOf(c) is null || products[k] is not null ? null : reverse.Carry(c.Shape)).ToList();

        var carriesOut = new List<Node>();
        for (int i = 0; i < carries; i++)
            carriesOut.Add(GradOf(body.Carries[i]) is { } d ? Map(d) : rg.Constant(0, body.Carries[i].Shape));
        for (int k = 0; k < captureSums.Count; k++)
            if (captureSums[k] is { } sum) carriesOut.Add(rg.Add(sum, Map(GradOf(body.Captures[k])!)));
        var sliceGradients = body.Slices.Select(x => GradOf(x) is { } d ? Map(d) : null).ToList();
        var backBody = reverse.Finish(carriesOut.ToArray());

        // 3. The reverse loop and its results.
        var init = body.Carries.Select((c, i) => Selection.IsFinal && Selection.Index == i ? dy
                : lastCotangent is not null && lastCarry == i ? g.Reshape(lastCotangent, c.Shape) : g.Constant(0, c.Shape))
            .Concat(captureSums.Where(s => s is not null).Select(s => g.Constant(0, s!.Shape))).ToList();
        var back = g.Scan(backBody, Length, init, sequences.Select(s => s.Outer).ToList(), captured, sequences.Select(s => s.Axis).ToList(), !Reverse);

        var result = new Node?[node.Inputs.Count];
        for (int i = 0; i < carries; i++)
            result[i] = body.Carries[i].Type == DType.Float32 ? back.Final(i) : null;
        for (int j = 0; j < slices; j++)
            result[carries + j] = sliceGradients[j] is { } d ? back.Stacked(d, SliceAxes[j]) : null;
        for (int k = 0, sum = carries; k < captureSums.Count; k++)
            if (captureSums[k] is not null) result[carries + slices + k] = back.Final(sum++);
        for (int k = 0; k < products.Length; k++)
            if (products[k] is var (a, b, axis))
                result[carries + slices + k] = g.TransposedMatMul(Outside(a, axis), Outside(b, axis));
        return result;

        // A side of a row product as a tensor of every step's rows: the sequence it reads, or its values stacked by the reverse loop.
        Node Outside(Node bodyNode, int axis) => slotSequences.TryGetValue(bodyNode, out var s) ? s.Outer : back.Stacked(bodyNode, axis);
    }

    /// <summary>
    /// The two sides of <paramref name="gradient"/> when it is a product of rows whose both sides change
    /// with the step: aᵀ·b as <c>MatMul(Transpose(a), b)</c> (a, b rank 2) or <c>TransposedMatMul(a, b)</c>,
    /// or the transpose of one of them.
    /// </summary>
    private static (Node A, Node B)? RowProduct(Node gradient, System.Func<Node, bool> varies)
    {
        (Node, Node)? sides = gradient.Op switch
        {
            MatMulOp when gradient.Inputs[0].Op is TransposeOp { Perm: [1, 0] } => (gradient.Inputs[0].Inputs[0], gradient.Inputs[1]),
            TransposedMatMulOp => (gradient.Inputs[0], gradient.Inputs[1]),
            // (aᵀ·b)ᵀ = bᵀ·a: the gradient of a weight the body uses transposed (W_hh).
            TransposeOp { Perm: [1, 0] } when RowProduct(gradient.Inputs[0], varies) is var (left, right) => (right, left),
            _ => null,
        };
        return sides is var (a, b) && varies(a) && varies(b) ? (a, b) : null;
    }

    /// <summary>
    /// For a stacked result that is a carry's hand-on value: when <paramref name="dy"/> is zero at every
    /// step but the loop's last (a Concat of a zero constant and one step, along the stacking axis),
    /// that carry and the last step's cotangent; else (-1, null).
    /// </summary>
    private (int Carry, Node? Cotangent) LastStepCotangent(Node dy)
    {
        if (StackedNode is not { Type: DType.Float32 } || dy.Op is not ConcatOp concat || concat.Axis != Selection.Axis || dy.Inputs.Count != 2) return (-1, null);
        int carry = StackedCarry;
        if (carry < 0) return (-1, null);
        // The last step in the loop's order: the end of the axis, or its start for a reverse loop.
        Node zeros = Reverse ? dy.Inputs[1] : dy.Inputs[0], step = Reverse ? dy.Inputs[0] : dy.Inputs[1];
        if (zeros.Op is not ConstantOp { Value: 0 } || step.Shape[Selection.Axis].Size != 1) return (-1, null);
        return (carry, step);
    }

    private const int StepCotangent = -1;

    /// <summary>A placeholder of the scratch VJP graph: the cotangent of a carry handed on, or of the stacked value.</summary>
    private sealed class CotangentOp : SourceOp
    {
        public CotangentOp(int index, Shape shape) : base(shape, DType.Float32) => Index = index;
        public int Index { get; }
        public override string Name => "Cotangent";
        public override string Attributes => $"{Index} {Shape}";
    }
}
