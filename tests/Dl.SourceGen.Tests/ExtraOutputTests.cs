using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// An elementwise value that is read again after the loop that consumes it (or is a result) is stored
/// by that loop as an extra output instead of by a loop of its own; one read again before it stays a
/// loop of its own, and one read only inside the group is never stored. Each plan is checked, then its
/// compiled forward, loss and gradients against the reference evaluator.
/// </summary>
public class ExtraOutputTests
{
    private const int Features = 21;   // a vector body and a scalar tail at every width

    // The compiler works on its own copy of the graph: its nodes are found by their ops.
    private static bool IsE(Node n) => n.Op is SigmoidOp;

    private static ModelGraph ReadAgainLater()
    {
        // e = sigmoid(x·p); r1 = e + 1; s = Σ r1 over the row; y = e·s. The loop of r1 stores e as well;
        // y's loop (after the sum) reads it.
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(Features)));
        var target = g.Input("target", new Shape(Dim.Batch, Dim.Of(Features)));
        var e = g.Sigmoid(g.Mul(x, g.Param("p", new Shape(Features), Dl.Graph.Init.Glorot)));
        var r1 = g.Add(e, g.Constant(1));
        var y = g.Mul(e, g.Sum(r1, new[] { 1 }, keepDims: true));
        return new ModelGraph("ReadAgainLater", g, new[] { x, target }, y, g.Mse(y, target), forwardInputCount: 1);
    }

    [Fact]
    public void AValueReadAfterItsLoop_IsStoredByThatLoop()
    {
        var predict = ModelCompiler.Compile(ReadAgainLater()).Predict.Kernels;
        Assert.Equal(3, predict.Count);   // e and r1, the sum, y
        var first = Assert.IsType<ElementwiseKernel>(predict[0]);
        Assert.IsType<AddOp>(first.Output.Op);
        var e = Assert.Single(first.ExtraOutputs);
        Assert.True(IsE(e));
        Assert.Contains(e, first.Writes);
        // y's loop runs after the sum and reads e from memory: e is written once, by r1's loop.
        Assert.IsType<SumOp>(((SingleKernel)predict[1]).Node.Op);
        var last = Assert.IsType<ElementwiseKernel>(predict[2]);
        Assert.Contains(last.Leaves, l => l.Leaf == e);
        Assert.Single(predict, k => k.Writes.Contains(e));
    }

    [Fact]
    public void AValueReadAfterItsLoop_MatchesTheReference()
    {
        foreach (int batch in new[] { 1, 3 })
            AgreesWithReference(RunGraph(ReadAgainLater(), batch).Outcome);
    }

    private static ModelGraph ReadTwiceInside()
    {
        // y = e·e + exp(e): e has two readers, both in y's loop.
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(Features)));
        var target = g.Input("target", new Shape(Dim.Batch, Dim.Of(Features)));
        var e = g.Sigmoid(g.Mul(x, g.Param("p", new Shape(Features), Dl.Graph.Init.Glorot)));
        var y = g.Add(g.Mul(e, e), g.Exp(e));
        return new ModelGraph("ReadTwiceInside", g, new[] { x, target }, y, g.Mse(y, target), forwardInputCount: 1);
    }

    [Fact]
    public void AValueReadOnlyInsideTheGroup_IsNeverStored()
    {
        var graph = ReadTwiceInside();
        var predict = ModelCompiler.Compile(graph).Predict.Kernels;
        var loop = Assert.IsType<ElementwiseKernel>(Assert.Single(predict));
        Assert.Contains(loop.Body, IsE);
        Assert.Empty(loop.ExtraOutputs);
        Assert.Equal(new[] { loop.Output }, loop.Writes);
        foreach (int batch in new[] { 1, 3 })
            AgreesWithReference(RunGraph(graph, batch).Outcome);
    }

    [Theory]
    [InlineData("Tanh")]
    [InlineData("Gelu")]   // any op marked Op.IsTranscendental, not a list in the fusion pass
    public void AValueATranscendentalReadsLaterInTheGroup_KeepsItsOwnLoop(string op)
    {
        // e = x·p; r1 = op(e); y = e·Σ r1. e is read after r1's loop, but the transcendental follows it there.
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(Features)));
        var target = g.Input("target", new Shape(Dim.Batch, Dim.Of(Features)));
        var e = g.Mul(x, g.Param("p", new Shape(Features), Dl.Graph.Init.Glorot));
        var y = g.Mul(e, g.Sum(op == "Tanh" ? g.Tanh(e) : g.Apply(new GeluOp(), e), new[] { 1 }, keepDims: true));
        var graph = new ModelGraph(op + "After", g, new[] { x, target }, y, g.Mse(y, target), forwardInputCount: 1);
        var predict = ModelCompiler.Compile(graph).Predict.Kernels;
        Assert.Equal(4, predict.Count);   // e, tanh(e), the sum, y
        Assert.All(predict.OfType<ElementwiseKernel>(), k => Assert.Empty(k.ExtraOutputs));
        foreach (int batch in new[] { 1, 3 })
            AgreesWithReference(RunGraph(graph, batch).Outcome);
    }
}
