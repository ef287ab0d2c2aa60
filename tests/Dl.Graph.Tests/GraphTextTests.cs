using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

public class GraphTextTests
{
    private static (GraphBuilder G, Node Loss, Node Grad) Build()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var h = Layers.Dense(g, "hidden", x, 4, 5, new ReluOp());
        var loss = g.SoftmaxCrossEntropy(Layers.Dense(g, "out", h, 5, 3), g.Input("y", S("N"), DType.Int32));
        var grad = Autodiff.Gradients(g, g.Scale(loss, 0.5), new[] { g.Param("hidden.weight", S("4,5"), Init.He) }).Single();
        return (g, loss, grad);
    }

    [Fact]
    public void Text_IsDeterministic_AndNamesEveryOp()
    {
        var (_, l1, g1) = Build();
        var (_, l2, g2) = Build();
        var t1 = GraphText.Text(new[] { l1, g1 });
        Assert.Equal(t1, GraphText.Text(new[] { l2, g2 }));
        foreach (var op in new[] { "Input{x [N,4]}", "Input{y [N] i32}", "Param{hidden.weight [4,5] He}", "MatMul", "BiasAdd", "Relu",
                     "SoftmaxCrossEntropy", "Softmax", "OneHot{3}", "Transpose{[1,0]}", "Step", "Scale{0.5}" })
            Assert.Contains(op, t1);
        var lines = t1.TrimEnd('\n').Split('\n');
        Assert.Equal(GraphBuilder.Topological(new[] { l1, g1 }).Count, lines.Length);
        Assert.Equal("%0 = Input{x [N,4]}() : [N,4]", lines[0]);
        Assert.Contains(lines, l => l.EndsWith(": [N] i32"));
    }

    [Fact]
    public void Text_WithLabels()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("3"));
        var y = g.Exp(x);
        var text = GraphText.Text(new[] { y }, new Dictionary<Node, string> { [y] = "slot 7" });
        Assert.Equal("%0 = Input{x [3]}() : [3]\n%1 = Exp(%0) : [3]  // slot 7\n", text);
    }

    [Fact]
    public void Dot_IsDeterministic_WithNodesEdgesAndOpNames()
    {
        var (_, l1, g1) = Build();
        var (_, l2, g2) = Build();
        var d1 = GraphText.Dot("mlp", new[] { l1, g1 });
        Assert.Equal(d1, GraphText.Dot("mlp", new[] { l2, g2 }));
        Assert.StartsWith("digraph \"mlp\" {", d1);
        Assert.EndsWith("}\n", d1);
        Assert.Contains("MatMul\\n[N,5]", d1);
        Assert.Contains("SoftmaxCrossEntropy\\n[]", d1);
        Assert.Contains("fillcolor=\"#dde8ff\"", d1); // params
        Assert.Contains("fillcolor=\"#e6ffe6\"", d1); // inputs
        int nodes = GraphBuilder.Topological(new[] { l1, g1 }).Count;
        Assert.Equal(nodes, d1.Split('\n').Count(l => l.Contains("[label=")));
        Assert.Contains("  n0 -> n", d1);
    }

    [Fact]
    public void Dot_SharedInputDrawsOneEdge_AndQuotesAreEscaped()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("2"));
        var sq = g.Mul(x, x);
        var dot = GraphText.Dot("a \"b\"", new[] { sq });
        Assert.StartsWith("digraph \"a \\\"b\\\"\" {", dot);
        Assert.Equal(1, dot.Split('\n').Count(l => l.Trim() == $"n{x.Id} -> n{sq.Id};"));
    }

    [Fact]
    public void Text_DoesNotDependOnTheCurrentCulture()
    {
        var saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            var g = new GraphBuilder();
            var y = g.Scale(g.Input("x", S("N,2")), 0.25, -1);
            var c = g.Add(y, g.Constant(1.5));
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var text = GraphText.Text(new[] { c });
            Assert.Contains("Scale{0.25 N^-1}", text);
            Assert.Contains("Const{1.5}", text);
            Assert.DoesNotContain("0,25", text);
        }
        finally { Thread.CurrentThread.CurrentCulture = saved; }
    }
}
