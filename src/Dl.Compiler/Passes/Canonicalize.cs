using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The normal form fusion sees. An ordered list of rewrite rules, tried first to last each time an op
/// is applied to already canonical inputs (Simplify imports inputs first); the first rule that answers
/// wins, and the node it builds goes through the rules again (<see cref="Canonical.Make"/>), so
/// <c>0.5 * (2 * x)</c> becomes <c>Scale(x, 0.5)</c> then <c>Scale(x, 1)</c> then <c>x</c>. Why it
/// matters: fusion recognises patterns by their exact shape (the cross-entropy gradient is
/// <c>Scale(Softmax - OneHot)</c>); without one form, <c>0.5f * CrossEntropy(...)</c> wrote its gradient
/// as <c>Scale(Mul(Softmax - OneHot, 0.5))</c> and silently lost the fused kernel.
/// Every rule is exact in float arithmetic except merging nested Scales (one rounding instead of two),
/// which the compiler did before these rules were listed.
/// </summary>
public static class Canonicalize
{
    /// <summary>The node to use for <paramref name="op"/> applied to <paramref name="x"/> (output <paramref name="shape"/>), or null: not this rule.</summary>
    public delegate Node? Rewrite(Canonical c, Op op, Node[] x, Shape shape);

    public sealed class Rule(string name, Rewrite apply)
    {
        /// <summary>What it rewrites, as <c>pattern -> result</c>.</summary>
        public string Name { get; } = name;
        public Rewrite Apply { get; } = apply;
        public override string ToString() => Name;
    }

    /// <summary>The rules in the order they are tried: identities and zeros first, then constant folding, then the normal form of scaling.</summary>
    public static IReadOnlyList<Rule> Rules { get; } = new Rule[]
    {
        new("Mul(x, 1) -> x", (c, op, x, s) => op is MulOp ? (IsConst(x[1], 1) && Fits(x[0], s) ? x[0] : IsConst(x[0], 1) && Fits(x[1], s) ? x[1] : null) : null),
        new("Mul(x, 0) -> 0", (c, op, x, s) => op is MulOp && (IsConst(x[0], 0) || IsConst(x[1], 0)) ? c.G.Constant(0, s) : null),
        new("Add(x, 0) -> x", (c, op, x, s) => op is AddOp ? (IsConst(x[1], 0) && Fits(x[0], s) ? x[0] : IsConst(x[0], 0) && Fits(x[1], s) ? x[1] : null) : null),
        new("Sub(x, 0) -> x", (c, op, x, s) => op is SubOp && IsConst(x[1], 0) && Fits(x[0], s) ? x[0] : null),
        new("Div(x, 1) -> x", (c, op, x, s) => op is DivOp && IsConst(x[1], 1) && Fits(x[0], s) ? x[0] : null),
        // Elementwise math on uniform constants (batch-independent, so Scale is left to its own rule).
        new("Binary(Const, Const) -> Const", (c, op, x, s) =>
            op is BinaryOp b && x[0].Op is ConstantOp l && x[1].Op is ConstantOp r ? c.G.Constant(b.Apply(l.Value, r.Value), s) : null),
        new("Unary(Const) -> Const", (c, op, x, s) =>
            op is UnaryOp u && op is not ScaleOp && x[0].Op is ConstantOp k ? c.G.Constant(u.Apply(k.Value, new EvalContext(1)), s) : null),
        // The normal form of multiplying by a constant: one Scale, never a Mul, a Neg or two Scales.
        new("Mul(x, Const c) -> Scale(x, c)", (c, op, x, s) =>
            op is MulOp && x[1].Op is ConstantOp k1 && Fits(x[0], s) ? c.Make(new ScaleOp(k1.Value, 0), x[0])
            : op is MulOp && x[0].Op is ConstantOp k0 && Fits(x[1], s) ? c.Make(new ScaleOp(k0.Value, 0), x[1]) : null),
        new("Neg(Neg(x)) -> x", (c, op, x, s) => op is NegOp && x[0].Op is NegOp ? x[0][0] : null),
        new("Neg(Scale(x, c)) -> Scale(x, -c)", (c, op, x, s) =>
            op is NegOp && x[0].Op is ScaleOp inner ? c.Make(new ScaleOp(-inner.Factor, inner.BatchPower), x[0][0]) : null),
        new("Scale(Neg(x), c) -> Scale(x, -c)", (c, op, x, s) =>
            op is ScaleOp outer && x[0].Op is NegOp ? c.Make(new ScaleOp(-outer.Factor, outer.BatchPower), x[0][0]) : null),
        new("Scale(Scale(x, a), b) -> Scale(x, a*b)", (c, op, x, s) =>
            op is ScaleOp outer && x[0].Op is ScaleOp inner
                ? c.Make(new ScaleOp(outer.Factor * inner.Factor, outer.BatchPower + inner.BatchPower), x[0][0]) : null),
        new("Scale(x, 1) -> x", (c, op, x, s) => op is ScaleOp { Factor: 1, BatchPower: 0 } ? x[0] : null),
        new("Scale(Const) -> Const", (c, op, x, s) =>
            op is ScaleOp { BatchPower: 0 } f && x[0].Op is ConstantOp k ? c.G.Constant(k.Value * f.Factor, s) : null),
        new("BroadcastTo(Const) -> Const", (c, op, x, s) => op is BroadcastToOp && x[0].Op is ConstantOp k ? c.G.Constant(k.Value, s) : null),
        new("Reshape(Const) -> Const", (c, op, x, s) => op is ReshapeOp && x[0].Op is ConstantOp k ? c.G.Constant(k.Value, s) : null),
        // Each output element sums |in|/|out| copies of c; each batch axis summed away leaves a factor N.
        // The gradients of slices of one tensor (an LSTM's four gates) come back as zero-padded Concats;
        // their sum is one Concat of the pieces when no two pieces overlap: no zero fills, no adds.
        new("Add(Concat(a, 0), Concat(0, b)) -> Concat(a, b)", (c, op, x, s) =>
            op is AddOp && Fits(x[0], s) && Fits(x[1], s) ? DisjointConcats(c, x[0], x[1], s) : null),
        // Transposes cancel or move onto a product's operands, where the GEMM reads them as flags: the
        // gradient of a weight used transposed (an RNN's W_hh, every Dense weight read as [out, in]) is
        // then one product into the weight's own layout, not a product and a copy.
        new("Transpose(Transpose(x)) -> x", (c, op, x, s) =>
            op is TransposeOp outer && x[0].Op is TransposeOp inner && Composes(inner.Perm, outer.Perm) ? x[0][0] : null),
        new("Transpose(MatMul(Transpose(a), b)) -> MatMul(Transpose(b), a)", (c, op, x, s) =>
            op is TransposeOp { Perm: [1, 0] } && x[0].Op is MatMulOp && x[0][0].Shape.Rank == 2 && x[0][1].Shape.Rank == 2
                && (x[0][0].Op is TransposeOp || x[0][1].Op is TransposeOp)
                ? c.Make(new MatMulOp(), c.Make(new TransposeOp(new[] { 1, 0 }), x[0][1]), c.Make(new TransposeOp(new[] { 1, 0 }), x[0][0]))
                : null),
        new("Transpose(TransposedMatMul(a, b)) -> TransposedMatMul(b, a)", (c, op, x, s) =>
            op is TransposeOp { Perm: [1, 0] } && x[0].Op is TransposedMatMulOp ? c.Make(new TransposedMatMulOp(), x[0][1], x[0][0]) : null),
        // A slice of a sum is the sum of the slices: an LSTM's four gate slices of x·W_ih + h·W_hh then
        // each read both products in place inside their own gate's loop, and the full-width sum is never stored.
        new("Slice(Add(a, b)) -> Add(Slice(a), Slice(b))", (c, op, x, s) =>
            op is SliceOp slice && x[0].Op is AddOp or SubOp or MulOp && x[0][0].Shape.Equals(x[0].Shape) && x[0][1].Shape.Equals(x[0].Shape)
                ? c.Make(x[0].Op, c.Make(slice, x[0][0]), c.Make(slice, x[0][1])) : null),
        // A many-to-one recurrence reads only the last step of its stacked hidden states: that step is
        // the loop's final carry, so it is read as such and the stacked copy (a strided row copy per
        // step) is dropped when nothing else reads it (its gradient already entered as the final
        // carry's: ScanOp.Vjp).
        new("Slice(Scan stacked carry, last step) -> Reshape(Scan final carry)", (c, op, x, s) =>
            op is SliceOp { Length: 1 } slice && LastCarryStep(x[0], slice) is int carry
                ? c.Make(new ReshapeOp(s), c.Make(((ScanOp)x[0].Op).With(ScanSelection.Final(carry)), x[0].Inputs.ToArray())) : null),
        new("SumTo(Const) -> Scale(Const, N^k)", (c, op, x, s) =>
            op is SumToOp && x[0].Op is ConstantOp k
                ? c.Make(new ScaleOp(1, x[0].Shape.BatchRank - s.BatchRank), c.G.Constant(k.Value * ((double)x[0].Shape.StaticCount / s.StaticCount), s))
                : null),
    };

    /// <summary><paramref name="op"/> applied to canonical <paramref name="inputs"/> in <paramref name="g"/>, in canonical form.</summary>
    public static Node Apply(GraphBuilder g, Op op, Node[] inputs, Shape shape) => new Canonical(g).Make(op, inputs, shape);

    private static bool IsConst(Node n, double value) => n.Op is ConstantOp c && c.Value == value;

    /// <summary>Applying <paramref name="first"/> then <paramref name="second"/> leaves every axis in place.</summary>
    private static bool Composes(int[] first, int[] second)
    {
        if (first.Length != second.Length) return false;
        for (int i = 0; i < second.Length; i++)
            if (first[second[i]] != i) return false;
        return true;
    }

    /// <summary>a + b as one Concat along their common axis, when both are Concats whose non-zero pieces do not overlap; else null.</summary>
    private static Node? DisjointConcats(Canonical c, Node a, Node b, Shape shape)
    {
        if (a.Op is not ConcatOp ca || b.Op is not ConcatOp cb || ca.Axis != cb.Axis) return null;
        int axis = ca.Axis;
        var pieces = new List<(int Start, Node Part)>();
        foreach (var concat in new[] { a, b })
        {
            int at = 0;
            foreach (var part in concat.Inputs)
            {
                if (!IsConst(part, 0)) pieces.Add((at, part));
                at += part.Shape[axis].Size;
            }
        }
        pieces.Sort((p, q) => p.Start.CompareTo(q.Start));
        var parts = new List<Node>();
        int end = 0, total = shape[axis].Size;
        foreach (var (start, part) in pieces)
        {
            if (start < end) return null; // two pieces overlap: a real sum
            if (start > end) parts.Add(c.G.Constant(0, shape.With(axis, Dim.Of(start - end))));
            parts.Add(part);
            end = start + part.Shape[axis].Size;
        }
        if (end < total) parts.Add(c.G.Constant(0, shape.With(axis, Dim.Of(total - end))));
        return parts.Count == 1 ? parts[0] : c.Make(new ConcatOp(axis), parts.ToArray());
    }

    /// <summary>
    /// The carry whose value at the loop's last step (in its own order) <paramref name="slice"/> takes
    /// from <paramref name="x"/>, when x stacks that carry's hand-on value along the sliced axis; else null.
    /// </summary>
    private static int? LastCarryStep(Node x, SliceOp slice)
    {
        if (x.Op is not ScanOp { Selection.IsFinal: false } scan || scan.Selection.Axis != slice.Axis) return null;
        if (slice.Start != (scan.Reverse ? 0 : scan.Length - 1)) return null;
        return scan.StackedCarry is >= 0 and var carry ? carry : null;
    }

    /// <summary>The operand already has the result's shape (no broadcast hides in the op).</summary>
    private static bool Fits(Node operand, Shape result) => operand.Shape.Equals(result);
}

/// <summary>Builds canonical nodes: every op goes through <see cref="Canonicalize.Rules"/> before it is applied.</summary>
public sealed class Canonical
{
    /// <summary>Rewrites of one node that rewrite again; far more than any rule chain needs, so a cycle between rules is an error, not a hang.</summary>
    private const int MaxDepth = 64;
    private int _depth;

    public Canonical(GraphBuilder g) => G = g;

    public GraphBuilder G { get; }

    public Node Make(Op op, params Node[] inputs) => Make(op, inputs, op.InferShape(inputs).Shape);

    public Node Make(Op op, Node[] inputs, Shape shape)
    {
        if (++_depth > MaxDepth)
            throw new InvalidOperationException($"canonicalisation of {op} does not terminate (rules rewrite each other's results)");
        try
        {
            foreach (var rule in Canonicalize.Rules)
                if (rule.Apply(this, op, inputs, shape) is { } rewritten)
                    return rewritten;
            return G.Apply(op, inputs);
        }
        finally { _depth--; }
    }
}
