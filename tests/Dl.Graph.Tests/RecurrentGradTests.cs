using System;
using System.Collections.Generic;
using System.Linq;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>tanh with its VJP written out (dy·(1 - y²)), right, or wrong in the usual way (the input where the output belongs).</summary>
public sealed class HandTanhOp : UnaryOp
{
    public HandTanhOp(bool right) => Right = right;
    public bool Right { get; }
    public override string Name => "TestHandTanh";
    public override string Attributes => Right ? "right" : "wrong";
    public override double Apply(double x, EvalContext c) => Math.Tanh(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var t = Right ? y : y[0];
        return new[] { g.Mul(dy, g.Sub(g.Constant(1), g.Mul(t, t))) };
    }
}

/// <summary>
/// Backpropagation through time of the built-in recurrent layers: the gradients autodiff derives
/// from each loop's body (a reverse loop over the step's VJP) against central differences in double,
/// through 10 steps of every cell, stacked and bidirectional, for the parameters, the input sequence
/// and the initial states; and a body whose VJP is wrong fails the same check.
/// </summary>
public class RecurrentGradTests
{
    private const int T = 10, I = 2;

    /// <summary>Every result of the layer as one [N, ...] tensor, so every result's gradient counts.</summary>
    public static Node Everything(GraphBuilder g, RecurrentResult r)
    {
        Node Flat(Node x) => g.Reshape(x, new Shape(Dim.Batch, Dim.Of(x.Shape.Skip(1).Aggregate(1, (p, d) => p * d.Size))));
        var parts = new List<Node> { Flat(r.Output), Flat(r.FinalHidden) };
        if (r.FinalCell is { } c) parts.Add(Flat(c));
        return g.Concat(parts, 1);
    }

    private static InputSpec[] Inputs(RecurrentCell cell, int h, int layers, bool bidirectional)
    {
        var states = S($"N,{layers * (bidirectional ? 2 : 1)},{h}");
        var inputs = new List<InputSpec> { InputSpec.Float("x", S($"N,{T},{I}")), InputSpec.Float("h0", states) };
        if (cell == RecurrentCell.Lstm) inputs.Add(InputSpec.Float("c0", states));
        return inputs.ToArray();
    }

    private static RecurrentResult Layer(GraphBuilder g, Node[] x, RecurrentCell cell, int h, int layers, bool bidirectional, bool bias = true) =>
        Layers.Recurrent(g, cell, "rnn", x[0], I, h, layers, bidirectional, bias, x[1], x.Length > 2 ? x[2] : null);

    [Theory]
    [InlineData(RecurrentCell.RnnTanh, 3, 1, false)]
    [InlineData(RecurrentCell.RnnTanh, 2, 2, true)]
    [InlineData(RecurrentCell.RnnRelu, 3, 1, false)]
    [InlineData(RecurrentCell.RnnRelu, 2, 2, true)]
    [InlineData(RecurrentCell.Lstm, 3, 1, false)]
    [InlineData(RecurrentCell.Lstm, 2, 2, false)]
    [InlineData(RecurrentCell.Lstm, 2, 1, true)]
    [InlineData(RecurrentCell.Lstm, 2, 2, true)]
    [InlineData(RecurrentCell.Gru, 3, 1, false)]
    [InlineData(RecurrentCell.Gru, 2, 2, true)]
    public void Bptt_ThroughTenSteps_MatchesFiniteDifferences(RecurrentCell cell, int h, int layers, bool bidirectional)
    {
        var inputs = Inputs(cell, h, layers, bidirectional);
        var result = Check((g, x) => Everything(g, Layer(g, x, cell, h, layers, bidirectional)), inputs);
        Assert.True(result.Passed, result.ToString());
        // Every parameter of every layer and direction, every step of the sequence and every initial state.
        int d = bidirectional ? 2 : 1, rows = Layers.GateCount(cell) * h;
        int parameters = Enumerable.Range(0, layers).Sum(k => d * (rows * (k == 0 ? I : d * h) + rows * h + 2 * rows));
        int states = (cell == RecurrentCell.Lstm ? 2 : 1) * DefaultBatch * layers * d * h;
        Assert.Equal(parameters + DefaultBatch * T * I + states, result.Compared);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    public void Bptt_WithoutBiases_MatchesFiniteDifferences(RecurrentCell cell)
    {
        var result = Check((g, x) => Everything(g, Layer(g, x, cell, 3, 1, false, bias: false)), Inputs(cell, 3, 1, false));
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Bptt_FromZeroInitialStates_MatchesFiniteDifferences()
    {
        // The default initial state (constant zeros) and only the last hidden state used, as a classifier does.
        var result = Check((g, x) => Layers.Lstm(g, "lstm", x[0], I, 3).FinalHidden, new[] { InputSpec.Float("x", S($"N,{T},{I}")) });
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    public void Bptt_OfTheFinalHiddenStateAlone_StackedBidirectional_MatchesFiniteDifferences(RecurrentCell cell)
    {
        // Only each direction's last step is read: its gradient seeds the reverse loop's carry (ScanOp.Vjp),
        // at the end of time for the forward direction and at its start for the reverse one.
        var result = Check((g, x) => Layer(g, x, cell, 2, 2, true).FinalHidden, Inputs(cell, 2, 2, true));
        Assert.True(result.Passed, result.ToString());
    }

    /// <summary>The loops under <paramref name="root"/> rebuilt with each body op <paramref name="replace"/> gives another for.</summary>
    private static Node ReplaceInBodies(GraphBuilder g, Node root, Func<Op, Op?> replace)
    {
        var bodies = new Dictionary<ScanBody, (ScanBody Body, Dictionary<Node, Node> Map)>(ReferenceEqualityComparer.Instance);
        var map = g.Import(new[] { root }, (gb, node, inputs) =>
        {
            if (node.Op is not ScanOp scan) return null;
            if (!bodies.TryGetValue(scan.Body, out var rewritten)) bodies[scan.Body] = rewritten = Rewrite(scan.Body, replace);
            var selection = scan.Selection.IsFinal ? scan.Selection : ScanSelection.Stacked(rewritten.Map[scan.StackedNode!].Id, scan.Selection.Axis);
            return gb.Apply(new ScanOp(rewritten.Body, scan.Length, scan.SliceAxes, scan.Reverse, selection), inputs);
        });
        return map[root];
    }

    private static (ScanBody, Dictionary<Node, Node>) Rewrite(ScanBody body, Func<Op, Op?> replace)
    {
        var b = new ScanBodyBuilder();
        var slots = new Dictionary<Node, Node>();
        foreach (var c in body.Carries) slots[c] = b.Carry(c.Shape, c.Type);
        foreach (var s in body.Slices) slots[s] = b.Slice(s.Shape, s.Type);
        foreach (var c in body.Captures) slots[c] = b.Capture(c.Shape, c.Type);
        var map = b.Graph.Import(body.Builder.Nodes, (gb, node, inputs) =>
            slots.TryGetValue(node, out var slot) ? slot : replace(node.Op) is { } op ? gb.Apply(op, inputs) : null);
        return (b.Finish(body.CarriesOut.Select(c => map[c]).ToArray()), map);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    public void AStepWithAWrongVjp_FailsTheBpttCheck_AndTheSameStepWithTheRightOnePasses(RecurrentCell cell)
    {
        // The same forward values either way: only the derivative of the step's tanh differs.
        GradCheckResult With(bool right) => Check((g, x) =>
            ReplaceInBodies(g, Everything(g, Layer(g, x, cell, 3, 1, false)), op => op is TanhOp ? new HandTanhOp(right) : null), Inputs(cell, 3, 1, false));
        var rightResult = With(true);
        Assert.True(rightResult.Passed, rightResult.ToString());
        var wrong = With(false);
        Assert.False(wrong.Passed);
        foreach (var source in new[] { "rnn.weight_ih_l0", "rnn.weight_hh_l0", "x", "h0" })
            Assert.Contains(wrong.Mismatches, m => m.Source == source);
    }

    [Fact]
    public void TheRewrittenLoop_IsReallyUsed()
    {
        // Guards the test above: the rewrite must reach the loop the layer built (not leave it in place).
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{T},{I}"));
        var original = Everything(g, Layers.Lstm(g, "rnn", x, I, 3));
        var rewritten = ReplaceInBodies(g, original, op => op is TanhOp ? new HandTanhOp(false) : null);
        Assert.NotEqual(original, rewritten);
        Assert.Contains(GraphBuilder.Topological(new[] { rewritten }), n => n.Op is ScanOp s && s.Body.Builder.Nodes.Any(b => b.Op is HandTanhOp));
    }
}
