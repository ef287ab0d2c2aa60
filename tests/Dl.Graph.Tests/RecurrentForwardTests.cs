using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// The recurrent layers' forward values against the textbook equations (<see cref="RecurrentReference"/>,
/// loops in double reading PyTorch's layout): this pins the gate order, the weights' layout, the
/// direction and stacking order and the final states' order. Also the parameter names and shapes,
/// one loop per (layer, direction) whatever result is read, and the shape errors.
/// </summary>
public class RecurrentForwardTests
{
    private static double[] Values(int count, Random rng) => Enumerable.Range(0, count).Select(_ => -1 + 2 * rng.NextDouble()).ToArray();

    [Theory]
    [InlineData(RecurrentCell.Lstm, 2, 3, 3, 1, false, true)]   // the brief's case: I=2, H=3, T=3
    [InlineData(RecurrentCell.Lstm, 2, 3, 4, 2, true, true)]
    [InlineData(RecurrentCell.Lstm, 3, 2, 3, 1, false, false)]
    [InlineData(RecurrentCell.Gru, 2, 3, 3, 1, false, true)]
    [InlineData(RecurrentCell.Gru, 2, 3, 4, 2, true, true)]
    [InlineData(RecurrentCell.RnnTanh, 2, 3, 3, 2, true, true)]
    [InlineData(RecurrentCell.RnnRelu, 2, 3, 5, 1, true, false)]
    public void Forward_EqualsTheTextbookEquations(RecurrentCell cell, int inputSize, int h, int t, int layers, bool bidirectional, bool bias)
    {
        const int n = 2;
        int d = bidirectional ? 2 : 1;
        var rng = new Random(7);
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{t},{inputSize}"));
        var h0 = g.Input("h0", S($"N,{layers * d},{h}"));
        var c0 = cell == RecurrentCell.Lstm ? g.Input("c0", S($"N,{layers * d},{h}")) : null;
        var layer = Layers.Recurrent(g, cell, "enc", x, inputSize, h, layers, bidirectional, bias, h0, c0);

        var bound = new Dictionary<Node, TensorValue>();
        foreach (var node in g.Nodes.Where(node => node.Op is InputOp or ParamOp))
        {
            var dims = node.Shape.Resolve(n);
            bound[node] = new TensorValue(dims, Values(dims.Aggregate(1, (p, s) => p * s), rng));
        }
        var byName = g.Nodes.Where(node => node.Op is ParamOp).ToDictionary(node => ((ParamOp)node.Op).ParamName, node => bound[node].Data);
        var roots = new List<Node> { layer.Output, layer.FinalHidden };
        if (layer.FinalCell is { } fc) roots.Add(fc);
        var values = Evaluator.Run(roots, node => bound[node], n);

        var (output, hn, cn) = RecurrentReference.Run(cell, name => byName.TryGetValue("enc." + name, out var v) ? v : null,
            bound[x].Data, n, t, inputSize, h, layers, bidirectional, bound[h0].Data, c0 is null ? null : bound[c0].Data);
        Eval.Close(output, values[layer.Output], new[] { n, t, d * h }, 1e-12);
        Eval.Close(hn, values[layer.FinalHidden], new[] { n, layers * d, h }, 1e-12);
        if (layer.FinalCell is { } cell0) Eval.Close(cn, values[cell0], new[] { n, layers * d, h }, 1e-12);
        else Assert.NotEqual(RecurrentCell.Lstm, cell);
        // No bias parameter without biases, and every parameter the reference read exists.
        Assert.Equal(bias, byName.Keys.Any(k => k.Contains("bias")));
    }

    [Fact]
    public void AnLstm_WithFixedNumbers_MatchesAHandComputedStep()
    {
        // One step, one unit, I = 1, all weights 0.5, biases 0.1, x = 1, h0 = c0 = 0:
        // every gate's pre-activation is 0.5·1 + 0.1 + 0.1 = 0.7, so i = f = o = σ(0.7), g = tanh(0.7),
        // c = i·g, h = o·tanh(c).
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,1,1"));
        var layer = Layers.Lstm(g, "l", x, 1, 1);
        TensorValue Bind(Node node) => node.Op switch
        {
            InputOp => new TensorValue(new[] { 1, 1, 1 }, new[] { 1.0 }),
            ParamOp p => TensorValue.Zeros(p.Shape.Resolve(1)).Map(_ => p.ParamName.Contains("bias") ? 0.1 : p.ParamName.Contains("hh") ? 0.5 : 0.5),
            _ => throw new InvalidOperationException(),
        };
        var values = Evaluator.Run(new[] { layer.Output, layer.FinalCell! }, Bind, 1);
        double s = 1 / (1 + Math.Exp(-0.7)), c = s * Math.Tanh(0.7);
        Eval.Close(new[] { s * Math.Tanh(c) }, values[layer.Output], tol: 1e-15);
        Eval.Close(new[] { c }, values[layer.FinalCell!], tol: 1e-15);
    }

    [Fact]
    public void Parameters_HavePyTorchsNamesAndShapes()
    {
        var g = new GraphBuilder();
        var layer = Layers.Lstm(g, "lstm", g.Input("x", S("N,5,7")), 7, 4, layers: 2, bidirectional: true);
        var parameters = GraphBuilder.Topological(new[] { layer.Output, layer.FinalHidden, layer.FinalCell! })
            .Where(n => n.Op is ParamOp).ToDictionary(n => ((ParamOp)n.Op).ParamName, n => n.Shape.ToString());
        var expected = new Dictionary<string, string>();
        foreach (var k in new[] { 0, 1 })
            foreach (var suffix in new[] { "", "_reverse" })
            {
                expected[$"lstm.weight_ih_l{k}{suffix}"] = $"[16,{(k == 0 ? 7 : 8)}]";
                expected[$"lstm.weight_hh_l{k}{suffix}"] = "[16,4]";
                expected[$"lstm.bias_ih_l{k}{suffix}"] = "[16]";
                expected[$"lstm.bias_hh_l{k}{suffix}"] = "[16]";
            }
        Assert.Equal(expected.OrderBy(e => e.Key), parameters.OrderBy(e => e.Key));
        Assert.All(GraphBuilder.Topological(new[] { layer.Output }).Where(n => n.Op is ParamOp), n => Assert.Equal(Init.LstmUniform, ((ParamOp)n.Op).Init));
        Assert.Equal("[N,5,8]", layer.Output.Shape.ToString());
        Assert.Equal("[N,4,4]", layer.FinalHidden.Shape.ToString());
    }

    [Fact]
    public void EachLayerAndDirection_IsOneLoop_AndEveryResultReadsTheSameLoops()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,6,3"));
        var first = Layers.Gru(g, "gru", x, 3, 4, layers: 2, bidirectional: true);
        var again = Layers.Gru(g, "gru", x, 3, 4, layers: 2, bidirectional: true);
        Assert.Same(first.Output, again.Output);
        Assert.Same(first.FinalHidden, again.FinalHidden);
        // Loop nodes are grouped as the compiler groups them: the same loop over the same inputs is run once.
        var loops = GraphBuilder.Topological(new[] { first.Output, again.FinalHidden }).Where(n => n.Op is ScanOp).ToList();
        var distinct = new List<(ScanOp Op, IReadOnlyList<Node> Inputs)>();
        foreach (var node in loops)
        {
            var op = (ScanOp)node.Op;
            if (!distinct.Any(d => d.Op.SameLoop(op) && d.Inputs.SequenceEqual(node.Inputs))) distinct.Add((op, node.Inputs));
        }
        Assert.Equal(4, distinct.Count); // 2 layers x 2 directions
        // One result node per loop: the final hidden state is sliced from the output, so the backward
        // pass (one reverse loop per result node) runs once per loop.
        Assert.Equal(4, loops.Count);
        Assert.All(loops, l => Assert.False(((ScanOp)l.Op).Selection.IsFinal));
        Assert.Equal(2, distinct.Count(l => l.Op.Reverse));
        Assert.All(distinct, l => Assert.Equal(6, l.Op.Length));
        // A transpose inside a step is W_hh's, read only by products (a GEMM flag, never a copy).
        Assert.All(distinct, l => Assert.All(l.Op.Body.Builder.Nodes.Where(n => n.Op is TransposeOp),
            t => Assert.All(l.Op.Body.Builder.Nodes.Where(u => u.Inputs.Contains(t)), u => Assert.IsType<MatMulOp>(u.Op))));
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    public void TheInputProjection_IsOneProductBeforeTheLoop_AndEachStepHasOneRecurrentProduct(RecurrentCell cell)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,7,3"));
        var layer = Layers.Recurrent(g, cell, "rnn", x, 3, 4, 1, false, true, null, null);
        var loop = Assert.Single(GraphBuilder.Topological(new[] { layer.Output }), n => n.Op is ScanOp);
        // The loop's one sequence is x·W_ihᵀ (+ biases) for all N·T rows at once, time-major [7, N, G·H]
        // so that each step's rows are contiguous (the loop reads its slice in place, along axis 0).
        var body = ((ScanOp)loop.Op).Body.Builder.Nodes;
        Assert.Single(body, n => n.Op is MatMulOp);
        var products = GraphBuilder.Topological(new[] { layer.Output }).Where(n => n.Op is MatMulOp).ToList();
        var projection = Assert.Single(products);
        var timeMajor = projection.Inputs[0];
        Assert.Equal(new[] { 1, 0, 2 }, Assert.IsType<TransposeOp>(timeMajor.Op).Perm);
        Assert.Same(x, timeMajor.Inputs[0]);
        Assert.Equal(S($"7,N,{Layers.GateCount(cell) * 4}"), projection.Shape);
        Assert.Equal(new[] { 0 }, ((ScanOp)loop.Op).SliceAxes);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, false)]
    [InlineData(RecurrentCell.Gru, true)]
    [InlineData(RecurrentCell.RnnRelu, false)]
    public void TheRecurrentWeightGradient_IsOneProductOverAllStepsAfterTheBackwardLoop(RecurrentCell cell, bool bidirectional)
    {
        const int h = 4, steps = 7;
        var g = new GraphBuilder();
        var x = g.Input("x", S($"N,{steps},3"));
        var layer = Layers.Recurrent(g, cell, "rnn", x, 3, h, 1, bidirectional, true, null, null);
        var loss = g.Mean(g.Mul(layer.Output, layer.Output));
        var whh = g.Nodes.Where(n => n.Op is ParamOp p && p.ParamName.StartsWith("rnn.weight_hh", StringComparison.Ordinal)).ToList();
        var grads = Autodiff.Gradients(g, loss, whh);
        int rows = Layers.GateCount(cell) * h;
        var graph = GraphBuilder.Topological(grads);
        // No backward loop sums an [H, G·H] product step by step: nothing of that shape is carried or multiplied inside.
        var backward = graph.Where(n => n.Op is ScanOp).Select(n => ((ScanOp)n.Op).Body).Distinct().ToList();
        Assert.NotEmpty(backward);
        Assert.All(backward, body => Assert.DoesNotContain(body.Builder.Nodes,
            n => n.Op is MatMulOp && (n.Shape.Equals(S($"{h},{rows}")) || n.Shape.Equals(S($"{rows},{h}")))));
        // Each direction's W_hh gradient is one GEMM over the T·N stacked rows into W_hh's own layout
        // [G·H, H]: [T, N, G·H]ᵀ x [T, N, H].
        var products = graph.Where(n => n.Op is TransposedMatMulOp && n.Shape.Equals(S($"{rows},{h}"))).ToList();
        Assert.Equal(bidirectional ? 2 : 1, products.Count);
        Assert.All(products, p => Assert.Equal(S($"{steps},N,{rows}"), p.Inputs[0].Shape));
        Assert.All(products, p => Assert.Equal(S($"{steps},N,{h}"), p.Inputs[1].Shape));
    }

    private static void Fails(ShapeErrorKind kind, Action build, params string[] mentions)
    {
        var ex = Assert.Throws<ShapeException>(build);
        Assert.Equal(kind, ex.Kind);
        foreach (var m in mentions)
            Assert.True(ex.Message.Contains(m, StringComparison.Ordinal), $"message should mention \"{m}\": {ex.Message}");
    }

    [Fact]
    public void MisfitInputsAndSettings_AreShapeErrors()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,5,3"));
        Fails(ShapeErrorKind.WrongRank, () => Layers.Lstm(g, "lstm", g.Input("flat", S("N,15")), 3, 4), "Lstm 'lstm'", "rank 3", "[N,15]");
        Fails(ShapeErrorKind.Mismatch, () => Layers.Gru(g, "gru", x, 4, 4), "Gru 'gru'", "[N,T,4]", "[N,5,3]");
        Fails(ShapeErrorKind.Mismatch, () => Layers.Rnn(g, "rnn", x, 3, 4, h0: g.Input("h0", S("N,1,5"))), "Rnn 'rnn'", "h0", "[N,1,4]", "[N,1,5]");
        Fails(ShapeErrorKind.Mismatch, () => Layers.Lstm(g, "lstm", x, 3, 4, layers: 2, h0: g.Input("h1", S("N,1,4"))), "h0", "[N,2,4]", "[N,1,4]");
        Fails(ShapeErrorKind.Mismatch, () => Layers.Lstm(g, "lstm", x, 3, 4, bidirectional: true, c0: g.Input("c0", S("N,1,4"))), "c0", "[N,2,4]");
        Fails(ShapeErrorKind.BadArgument, () => Layers.Lstm(g, "lstm", x, 3, 4, layers: 0), "at least one layer", "got 0");
        Fails(ShapeErrorKind.BadArgument, () => Layers.Gru(g, "gru", x, 3, 0), "positive", "hidden 0");
        Fails(ShapeErrorKind.BadArgument, () => Layers.Recurrent(g, RecurrentCell.Gru, "gru", x, 3, 4, 1, false, true, null, g.Input("c1", S("N,1,4"))), "only an LSTM");
        Fails(ShapeErrorKind.BadAxis, () => Layers.Lstm(g, "lstm", g.Input("batchTime", S("N,N,3")), 3, 4), "time axis", "fixed length");
        Fails(ShapeErrorKind.WrongType, () => Layers.Lstm(g, "lstm", g.Input("ints", S("N,5,3"), DType.Int32), 3, 4), "float");
    }
}
