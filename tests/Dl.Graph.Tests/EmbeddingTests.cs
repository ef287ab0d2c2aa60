using System;
using System.Collections.Generic;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>A scatter that writes each row instead of adding it: right for distinct indices, wrong when a token repeats.</summary>
public sealed class ScatterSetRowsOp : Op
{
    private readonly ScatterAddRowsOp _add;
    public ScatterSetRowsOp(int vocabulary) => _add = new ScatterAddRowsOp(vocabulary);
    public override string Name => "TestScatterSetRows";
    public override OpClass Class => OpClass.Composite;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _add.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int d = x[0].Dims[x[0].Rank - 1];
        var y = TensorValue.Zeros(new[] { _add.Vocabulary, d });
        for (int r = 0; r < x[1].Length; r++)
            Array.Copy(x[0].Data, r * d, y.Data, (int)x[1][r] * d, d);
        return y;
    }
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => throw new NotSupportedException();
}

/// <summary>A gather whose table gradient overwrites repeated tokens' rows instead of adding them.</summary>
public sealed class GatherWithAnOverwritingVjpOp : Op
{
    private readonly GatherRowsOp _gather = new("test");
    public override string Name => "TestGatherWithAnOverwritingVjp";
    public override OpClass Class => OpClass.Layout;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _gather.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => _gather.Evaluate(x, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) =>
        new[] { g.Apply(new ScatterSetRowsOp(node[0].Shape[0].Size), gradient, node[1]), null };
}

/// <summary>A scatter-add whose VJP forgets the values' gradient (zero).</summary>
public sealed class ScatterAddWithoutAGradientOp : Op
{
    private readonly ScatterAddRowsOp _add;
    public ScatterAddWithoutAGradientOp(int vocabulary) => _add = new ScatterAddRowsOp(vocabulary);
    public override string Name => "TestScatterAddWithoutAGradient";
    public override OpClass Class => OpClass.Composite;
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => _add.InferShape(inputs);
    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => _add.Evaluate(x, context);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => new[] { g.Constant(0, node[0].Shape), null };
}

public class EmbeddingTests
{
    private static readonly InputSpec[] TableAndTokens = { InputSpec.Float("table", S("3,2")), InputSpec.Labels("tokens", S("N,4"), 3) };

    [Fact]
    public void Gather_picks_rows_and_scatter_add_accumulates_repeated_tokens()
    {
        var g = new GraphBuilder();
        var table = g.Input("table", S("3,2"));
        var tokens = g.Input("tokens", S("N,2"), DType.Int32);
        var gathered = g.GatherRows(table, tokens);
        Assert.Equal(S("N,2,2"), gathered.Shape);
        var tv = Range(3, 2);
        var kv = T(new[] { 2, 2 }, 2, 0, 2, 2);
        Close(new double[] { 4, 5, 0, 1, 4, 5, 4, 5 }, Run(gathered, 2, ("table", tv), ("tokens", kv)));
        var values = g.Input("values", S("N,2,2"));
        var scattered = g.ScatterAddRows(values, tokens, 3);
        Assert.Equal(S("3,2"), scattered.Shape);
        var vv = T(new[] { 2, 2, 2 }, 1, 2, 10, 20, 100, 200, 1000, 2000);
        Close(new double[] { 10, 20, 0, 0, 1101, 2202 }, Run(scattered, 2, ("values", vv), ("tokens", kv)));
    }

    [Fact]
    public void A_token_outside_the_table_is_an_error_naming_it_not_a_read_outside()
    {
        var g = new GraphBuilder();
        var tokens = g.Input("tokens", S("N,2"), DType.Int32);
        var e = Layers.Embedding(g, "embed", tokens, 3, 2);
        TensorValue Bind(Node n) => n.Op is ParamOp ? Range(3, 2) : T(new[] { 1, 2 }, 1, 3);
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Evaluator.Run(new[] { e }, Bind, 1));
        Assert.Contains("Embedding 'embed'", ex.Message);
        Assert.Contains("index 3 (element 1 of the indices)", ex.Message);
        Assert.Contains("rows 0..2", ex.Message);
        TensorValue Negative(Node n) => n.Op is ParamOp ? Range(3, 2) : T(new[] { 1, 2 }, -1, 0);
        Assert.Contains("index -1 (element 0", Assert.Throws<IndexOutOfRangeException>(() => Evaluator.Run(new[] { e }, Negative, 1)).Message);
    }

    [Fact]
    public void Table_gradient_through_the_scatter_add() =>
        Verify((g, x) => g.Tanh(g.GatherRows(x[0], x[1])), TableAndTokens);

    [Fact]
    public void Scatter_add_gradient_gathers() =>
        Verify((g, x) => g.Tanh(g.ScatterAddRows(x[0], x[1], 3)), InputSpec.Float("values", S("N,4,2")), InputSpec.Labels("tokens", S("N,4"), 3));

    [Fact]
    public void Embedding_layer_gradient_reaches_its_weight() =>
        // The layer's weight is a parameter the check perturbs too.
        Verify((g, x) => g.Mul(Layers.Embedding(g, "embed", x[0], 3, 2), x[1]), InputSpec.Labels("tokens", S("N,4"), 3), InputSpec.Float("w", S("4,2")));

    [Fact]
    public void A_gather_whose_VJP_overwrites_repeated_tokens_fails_the_check()
    {
        // Four tokens of three: some token repeats in every sample, so overwriting loses a term.
        var result = Check((g, x) => g.Tanh(g.Apply(new GatherWithAnOverwritingVjpOp(), x[0], x[1])), TableAndTokens);
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(result.Mismatches, m => m.Source == "table");
    }

    [Fact]
    public void A_scatter_add_whose_VJP_forgets_the_gradient_fails_the_check()
    {
        var result = Check((g, x) => g.Tanh(g.Apply(new ScatterAddWithoutAGradientOp(3), x[0], x[1])),
            new[] { InputSpec.Float("values", S("N,4,2")), InputSpec.Labels("tokens", S("N,4"), 3) });
        Assert.False(result.Passed, result.ToString());
    }

    [Fact]
    public void Shape_rules_name_what_is_wrong()
    {
        var g = new GraphBuilder();
        var floats = g.Input("x", S("N,4"));
        var tokens = g.Input("t", S("N,4"), DType.Int32);
        Assert.Contains("integer tokens", Assert.Throws<ShapeException>(() => Layers.Embedding(g, "e", floats, 5, 2)).Message);
        Assert.Contains("sizes must be positive", Assert.Throws<ShapeException>(() => Layers.Embedding(g, "e", tokens, 0, 2)).Message);
        Assert.Contains("float matrix", Assert.Throws<ShapeException>(() => g.GatherRows(floats, tokens)).Message);
        Assert.Contains("plus one row axis", Assert.Throws<ShapeException>(() => g.ScatterAddRows(floats, tokens, 3)).Message);
    }
}
