using System;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// The loop node (<see cref="ScanOp"/>): its meaning equals the unrolled graph, its derived VJP (a
/// reverse loop over the body's VJP) matches central differences, a wrong VJP inside the body is
/// caught through the loop, and misfit shapes are reported.
/// </summary>
public class ScanTests
{
    private const int T = 5, F = 3, H = 4;

    /// <summary>The RNN step h' = tanh(x_t W + h U + b), with W, U, b captured.</summary>
    private static ScanBody RnnBody(Func<GraphBuilder, Node, Node>? activation = null)
    {
        var body = new ScanBodyBuilder();
        var g = body.Graph;
        var h = body.Carry(S("N,4"));
        var x = body.Slice(S("N,3"));
        var w = body.Capture(S("3,4"));
        var u = body.Capture(S("4,4"));
        var b = body.Capture(S("4"));
        var pre = g.BiasAdd(g.Add(g.MatMul(x, w), g.MatMul(h, u)), b);
        return body.Finish(activation is null ? g.Tanh(pre) : activation(g, pre));
    }

    private static (Node W, Node U, Node B) RnnParams(GraphBuilder g) =>
        (g.Param("w", S("3,4"), Init.Glorot), g.Param("u", S("4,4"), Init.Glorot), g.Param("b", S("4"), Init.Zeros));

    private static ScanCall Rnn(GraphBuilder g, Node xs, Node h0, int axis = 1, bool reverse = false, ScanBody? body = null)
    {
        var (w, u, b) = RnnParams(g);
        return g.Scan(body ?? RnnBody(), T, new[] { h0 }, new[] { xs }, new[] { w, u, b }, new[] { axis }, reverse);
    }

    /// <summary>The same recurrence written out step by step, slicing the sequence by hand.</summary>
    private static (Node Final, Node[] Steps) Unrolled(GraphBuilder g, Node xs, Node h0, bool reverse = false)
    {
        var (w, u, b) = RnnParams(g);
        var h = h0;
        var steps = new Node[T];
        for (int s = 0; s < T; s++)
        {
            int t = reverse ? T - 1 - s : s;
            var x = g.Reshape(g.Slice(xs, 1, t, 1), S("N,3"));
            h = steps[t] = g.Tanh(g.BiasAdd(g.Add(g.MatMul(x, w), g.MatMul(h, u)), b));
        }
        return (h, steps);
    }

    private static TensorValue Values(Shape shape, int batch, int seed) =>
        GradCheck.Random(shape.Resolve(batch), new Random(seed), r => -1 + 2 * r.NextDouble());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluator_EqualsTheUnrolledGraph(bool reverse)
    {
        const int batch = 2;
        var g = new GraphBuilder();
        var xs = g.Input("xs", S("N,5,3"));
        var h0 = g.Input("h0", S("N,4"));
        var loop = Rnn(g, xs, h0, reverse: reverse);
        var final = loop.Final();
        var stacked = loop.Stacked(loop.Loop.Body.CarriesOut[0], axis: 1);
        var (unrolledFinal, steps) = Unrolled(g, xs, h0, reverse);
        var unrolledStacked = g.Concat(steps.Select(s => g.Reshape(s, S("N,1,4"))).ToList(), 1);

        var bound = g.Nodes.Where(n => n.Op is InputOp or ParamOp).ToDictionary(n => n, n => Values(n.Shape, batch, n.Id));
        var values = Evaluator.Run(new[] { final, stacked, unrolledFinal, unrolledStacked }, n => bound[n], batch);
        Assert.Equal(new[] { batch, H }, values[final].Dims);
        Assert.Equal(new[] { batch, T, H }, values[stacked].Dims);
        Eval.Close(values[unrolledFinal].Data, values[final], tol: 1e-12);
        Eval.Close(values[unrolledStacked].Data, values[stacked], tol: 1e-12);
    }

    private static readonly InputSpec[] Sequence = { InputSpec.Float("xs", S("N,5,3")), InputSpec.Float("h0", S("N,4")) };

    [Fact]
    public void Gradients_OfTheFinalState_MatchFiniteDifferences()
    {
        // W, U, b (parameters, captured), h0 (the initial carry) and xs (the sequence) are all checked.
        var result = GradCheck.Verify((g, x) => Rnn(g, x[0], x[1]).Final(), Sequence);
        Assert.Equal(DefaultBatch * (T * F + H) + F * H + H * H + H, result.Compared);
    }

    [Fact]
    public void Gradients_OfEveryStep_MatchFiniteDifferences() =>
        GradCheck.Verify((g, x) => { var l = Rnn(g, x[0], x[1]); return l.Stacked(l.Loop.Body.CarriesOut[0], axis: 1); }, Sequence);

    [Fact]
    public void Gradients_OfTheFinalStateAndEveryStep_TogetherMatchFiniteDifferences() =>
        GradCheck.Verify((g, x) =>
        {
            var l = Rnn(g, x[0], x[1]);
            var all = g.Reshape(l.Stacked(l.Loop.Body.CarriesOut[0], axis: 1), S("N,20"));
            return g.Concat(new[] { all, g.Mul(l.Final(), l.Final()) }, 1);
        }, Sequence);

    [Fact]
    public void Gradients_OfAReverseLoop_MatchFiniteDifferences() =>
        GradCheck.Verify((g, x) => { var l = Rnn(g, x[0], x[1], reverse: true); return g.Add(l.Final(), g.Sum(l.Stacked(l.Loop.Body.CarriesOut[0], 1), new[] { 1 })); }, Sequence);

    [Fact]
    public void Gradients_OverALeadingLoopAxis_MatchFiniteDifferences() =>
        GradCheck.Verify((g, x) => Rnn(g, x[0], x[1], axis: 0).Final(),
            InputSpec.Float("xs", S("5,N,3")), InputSpec.Float("h0", S("N,4")));

    [Fact]
    public void Gradients_OfTwoCarries_MatchFiniteDifferences()
    {
        // An LSTM-like pair: c' = sigmoid(x W) * c + tanh(h U), h' = tanh(c') * sigmoid(h U); both carried.
        var body = new ScanBodyBuilder();
        var bg = body.Graph;
        var h = body.Carry(S("N,4"));
        var c = body.Carry(S("N,4"));
        var x = body.Slice(S("N,3"));
        var w = body.Capture(S("3,4"));
        var u = body.Capture(S("4,4"));
        var hu = bg.MatMul(h, u);
        var cNext = bg.Add(bg.Mul(bg.Sigmoid(bg.MatMul(x, w)), c), bg.Tanh(hu));
        var hNext = bg.Mul(bg.Tanh(cNext), bg.Sigmoid(hu));
        var cell = body.Finish(hNext, cNext);
        GradCheck.Verify((g, i) =>
        {
            var l = g.Scan(cell, T, new[] { i[1], i[2] }, new[] { i[0] }, new[] { g.Param("w", S("3,4"), Init.Glorot), g.Param("u", S("4,4"), Init.Glorot) }, new[] { 1 });
            return g.Add(l.Final(0), g.Mul(l.Final(1), g.Mean(l.Stacked(hNext, 0), new[] { 0 })));
        }, Sequence[0], Sequence[1], InputSpec.Float("c0", S("N,4")));
    }

    [Fact]
    public void Gradients_OfALoopInsideALoop_MatchFiniteDifferences()
    {
        // The outer step runs an inner RNN over the same sequence from its carry: the inner loop's
        // VJP is itself a loop inside the outer loop's reverse body.
        var outer = new ScanBodyBuilder();
        var og = outer.Graph;
        var h = outer.Carry(S("N,4"));
        var xs = outer.Capture(S("N,5,3"));
        var w = outer.Capture(S("3,4"));
        var u = outer.Capture(S("4,4"));
        var b = outer.Capture(S("4"));
        var inner = og.Scan(RnnBody(), T, new[] { h }, new[] { xs }, new[] { w, u, b }, new[] { 1 });
        var body = outer.Finish(og.Scale(inner.Final(), 0.5));
        GradCheck.Verify((g, i) =>
        {
            var (pw, pu, pb) = RnnParams(g);
            return g.Scan(body, 2, new[] { i[1] }, Array.Empty<Node>(), new[] { i[0], pw, pu, pb }).Final();
        }, Sequence);
    }

    [Fact]
    public void WrongVjpInsideTheBody_FailsTheCheck_AndTheRightOnePasses()
    {
        var right = Check((g, x) => Rnn(g, x[0], x[1], body: RnnBody((bg, p) => bg.Apply(new SquareOp(2), bg.Tanh(p)))).Final(), Sequence);
        Assert.True(right.Passed, right.ToString());
        var wrong = Check((g, x) => Rnn(g, x[0], x[1], body: RnnBody((bg, p) => bg.Apply(new SquareOp(3), bg.Tanh(p)))).Final(), Sequence);
        Assert.False(wrong.Passed);
        Assert.Contains(wrong.Mismatches, m => m.Source == "w");
        Assert.Contains(wrong.Mismatches, m => m.Source == "h0");
        Assert.Contains(wrong.Mismatches, m => m.Source == "xs");
    }

    private static ShapeException Fails(ShapeErrorKind kind, Action build, params string[] mentions)
    {
        var ex = Assert.Throws<ShapeException>(build);
        Assert.Equal(kind, ex.Kind);
        foreach (var m in mentions)
            Assert.True(ex.Message.Contains(m, StringComparison.Ordinal), $"message should mention \"{m}\": {ex.Message}");
        return ex;
    }

    [Fact]
    public void ACarryThatChangesShape_IsAShapeError()
    {
        var body = new ScanBodyBuilder();
        var h = body.Carry(S("N,4"));
        var wide = body.Capture(S("4,6"));
        Fails(ShapeErrorKind.Mismatch, () => body.Finish(body.Graph.MatMul(h, wide)), "Scan", "carry 0", "[N,4]", "[N,6]", "keep its shape");
    }

    [Fact]
    public void MisfitOuterInputs_AreShapeErrors()
    {
        var g = new GraphBuilder();
        var (w, u, b) = RnnParams(g);
        var h0 = g.Input("h0", S("N,4"));
        Fails(ShapeErrorKind.Mismatch, () => g.Scan(RnnBody(), T, new[] { h0 }, new[] { g.Input("short", S("N,4,3")) }, new[] { w, u, b }, new[] { 1 }),
            "sequence 0", "[N,4,3]", "4 steps", "runs 5");
        Fails(ShapeErrorKind.Mismatch, () => g.Scan(RnnBody(), T, new[] { h0 }, new[] { g.Input("narrow", S("N,5,2")) }, new[] { w, u, b }, new[] { 1 }),
            "sequence 0", "[N,2]", "expects [N,3]");
        Fails(ShapeErrorKind.Mismatch, () => g.Scan(RnnBody(), T, new[] { g.Input("h1", S("N,5")) }, new[] { g.Input("xs", S("N,5,3")) }, new[] { w, u, b }, new[] { 1 }),
            "initial carry 0", "[N,5]", "expects [N,4]");
        Fails(ShapeErrorKind.Mismatch, () => g.Scan(RnnBody(), T, new[] { h0 }, new[] { g.Input("xs", S("N,5,3")) }, new[] { u, u, b }, new[] { 1 }),
            "capture 0", "[4,4]", "expects [3,4]");
        Fails(ShapeErrorKind.BadArgument, () => g.Scan(RnnBody(), T, new[] { h0 }, new[] { g.Input("xs", S("N,5,3")) }, new[] { w, u }, new[] { 1 }),
            "5 inputs", "got 4");
        Fails(ShapeErrorKind.BadAxis, () => g.Scan(RnnBody(), T, new[] { h0 }, new[] { g.Input("xs", S("N,5,3")) }, new[] { w, u, b }, new[] { 3 }),
            "no axis 3");
        Fails(ShapeErrorKind.BadArgument, () => g.Scan(RnnBody(), 0, new[] { h0 }, new[] { g.Input("xs", S("N,5,3")) }, new[] { w, u, b }, new[] { 1 }),
            "at least one step");
    }

    [Fact]
    public void ABodyThatReadsAParameterDirectly_IsRejected()
    {
        var body = new ScanBodyBuilder();
        var h = body.Carry(S("N,4"));
        var p = body.Graph.Param("u", S("4,4"), Init.Glorot);
        Fails(ShapeErrorKind.BadArgument, () => body.Finish(body.Graph.MatMul(h, p)), "through its captures");
    }
}
