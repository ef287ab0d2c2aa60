using System;
using System.Collections.Generic;
using System.Linq;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// A stateful recurrent layer in the graph: it starts from its carried state (a source bound like a
/// constant), registers its final states as what the next call starts from, and its gradient with the
/// carried state held constant matches central differences (truncated BPTT); misuse is a shape error.
/// </summary>
public class StatefulRecurrentGraphTests
{
    private const int T = 4, I = 2, H = 3;

    private static RecurrentResult Stateful(GraphBuilder g, Node x, RecurrentCell cell, int layers = 1, bool bidirectional = false) =>
        Layers.Recurrent(g, cell, "rnn", x, I, H, layers, bidirectional, bias: true, h0: null, c0: null, stateful: true);

    [Theory]
    [InlineData(RecurrentCell.Lstm, 2, false)]
    [InlineData(RecurrentCell.Gru, 1, true)]
    [InlineData(RecurrentCell.RnnRelu, 2, false)]
    public void TheCarriedState_IsTheInitialState_AndTheFinalStateIsCarried(RecurrentCell cell, int layers, bool bidirectional)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{T},{I}"));
        var carried = Stateful(g, x, cell, layers, bidirectional);
        var states = S($"N,{layers * (bidirectional ? 2 : 1)},{H}");
        var h0 = g.Input("h0", states);
        var c0 = cell == RecurrentCell.Lstm ? g.Input("c0", states) : null;
        var given = Layers.Recurrent(g, cell, "rnn", x, I, H, layers, bidirectional, bias: true, h0, c0);

        var carries = g.Carries.ToDictionary(c => ((CarriedStateOp)c.State.Op).StateName);
        Assert.Equal(cell == RecurrentCell.Lstm ? new[] { "rnn.c", "rnn.h" } : new[] { "rnn.h" }, carries.Keys.OrderBy(k => k));
        Assert.Same(carried.FinalHidden, carries["rnn.h"].Value);
        if (cell == RecurrentCell.Lstm) Assert.Same(carried.FinalCell, carries["rnn.c"].Value);

        // Bound to the same values, the carried state and an explicit h0 (c0) give the same results.
        var rng = new Random(7);
        var values = new Dictionary<string, TensorValue>();
        TensorValue Bind(Node n)
        {
            string key = n.Op switch
            {
                CarriedStateOp s => s.StateName == "rnn.h" ? "h0" : "c0",
                InputOp i => i.InputName,
                ParamOp p => p.ParamName,
                _ => throw new InvalidOperationException($"no value for {n}"),
            };
            if (!values.TryGetValue(key, out var v)) values[key] = v = Random(n.Shape.Resolve(2), rng, r => -1 + 2 * r.NextDouble());
            return v;
        }
        var roots = new[] { carried.Output, carried.FinalHidden, given.Output, given.FinalHidden };
        var result = Evaluator.Run(roots, Bind, 2);
        Assert.Equal(result[given.Output].Data, result[carried.Output].Data);
        Assert.Equal(result[given.FinalHidden].Data, result[carried.FinalHidden].Data);
        Assert.Contains(result[carried.Output].Data, v => Math.Abs(v) > 1e-3);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 2)]
    [InlineData(RecurrentCell.Gru, 1)]
    [InlineData(RecurrentCell.RnnTanh, 1)]
    public void TheGradient_WithTheCarriedStateHeldConstant_MatchesFiniteDifferences(RecurrentCell cell, int layers)
    {
        var result = Check((g, x) => RecurrentGradTests.Everything(g, Stateful(g, x[0], cell, layers)), new[] { InputSpec.Float("x", S($"N,{T},{I}")) });
        Assert.True(result.Passed, result.ToString());
        // The parameters and the sequence, nothing for the carried state: no gradient flows into it.
        int rows = Layers.GateCount(cell) * H;
        int parameters = Enumerable.Range(0, layers).Sum(k => rows * (k == 0 ? I : H) + rows * H + 2 * rows);
        Assert.Equal(parameters + DefaultBatch * T * I, result.Compared);
    }

    [Fact]
    public void AStatefulLayer_GivenAnInitialState_IsAnError()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{T},{I}"));
        var h0 = g.Input("h0", S($"N,1,{H}"));
        var e = Assert.Throws<ShapeException>(() => Layers.Gru(g, "gru", x, I, H, h0: h0, stateful: true));
        Assert.Equal(ShapeErrorKind.BadArgument, e.Kind);
        Assert.Contains("Gru 'gru' is stateful", e.Message);
        Assert.Contains("no initial state h0", e.Message);
        Assert.Empty(g.Carries);
    }

    [Fact]
    public void AStatefulLayer_OnTwoSequences_IsAnError_ButTheSameSequenceTwiceIsOneLayerRun()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{T},{I}"));
        var once = Layers.Lstm(g, "lstm", x, I, H, stateful: true);
        var again = Layers.Lstm(g, "lstm", x, I, H, stateful: true);
        Assert.Same(once.Output, again.Output);
        Assert.Equal(2, g.Carries.Count);
        var e = Assert.Throws<ShapeException>(() => Layers.Lstm(g, "lstm", g.Tanh(x), I, H, stateful: true));
        Assert.Contains("'lstm' runs on two different sequences in one call", e.Message);
    }
}
