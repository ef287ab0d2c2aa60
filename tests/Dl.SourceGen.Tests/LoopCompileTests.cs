using System;
using System.Linq;
using Dl.Graph;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Loops (<see cref="ScanOp"/>) on the CPU backend: one body in a <c>for</c> loop whatever the number
/// of steps, the backward loop over the body's derived VJP reading residuals the forward loop stored
/// per step in the arena, and forward, loss and gradients equal to the reference evaluator.
/// </summary>
public class LoopCompileTests
{
    private const int F = 3, H = 4;

    /// <summary>The RNN step h' = tanh(x_t W + h U + b), with W, U, b captured.</summary>
    private static ScanBody RnnBody()
    {
        var body = new ScanBodyBuilder();
        var g = body.Graph;
        var h = body.Carry(new Shape(Dim.Batch, Dim.Of(H)));
        var x = body.Slice(new Shape(Dim.Batch, Dim.Of(F)));
        var w = body.Capture(new Shape(F, H));
        var u = body.Capture(new Shape(H, H));
        var b = body.Capture(new Shape(H));
        return body.Finish(g.Tanh(g.BiasAdd(g.Add(g.MatMul(x, w), g.MatMul(h, u)), b)));
    }

    private static ScanCall Rnn(GraphBuilder g, Node xs, int steps, int axis)
    {
        var w = g.Param("rnn.w", new Shape(F, H), Dl.Graph.Init.Glorot);
        var u = g.Param("rnn.u", new Shape(H, H), Dl.Graph.Init.Glorot);
        var b = g.Param("rnn.b", new Shape(H), Dl.Graph.Init.Zeros);
        var h0 = g.Constant(0, new Shape(Dim.Batch, Dim.Of(H)));
        return g.Scan(RnnBody(), steps, new[] { h0 }, new[] { xs }, new[] { w, u, b }, new[] { axis });
    }

    /// <summary>Many-to-one: the last hidden state, then a dense layer to 3 classes.</summary>
    private static ModelGraph Classifier(int steps, string name = "LoopRnn")
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(steps), Dim.Of(F)));
        var labels = g.Input("labels", new Shape(Dim.Batch), DType.Int32);
        var logits = Layers.Dense(g, "head", Rnn(g, x, steps, axis: 1).Final(), H, 3);
        return new ModelGraph(name, g, new[] { x, labels }, logits, g.SoftmaxCrossEntropy(logits, labels), forwardInputCount: 1);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    public void ManyToOne_MatchesTheReference(int batch, int steps)
    {
        var (outcome, source) = RunGraph(Classifier(steps), batch);
        AgreesWithReference(outcome);
        Assert.Contains($"for (int __t0 = 0; __t0 < {steps}; __t0++)", source);
        Assert.Contains($"for (int __t0 = {steps - 1}; __t0 >= 0; __t0--)", source); // the backward loop
    }

    [Theory]
    [InlineData(2, 5, 1)]
    [InlineData(3, 4, 0)]
    public void ManyToMany_WithTheInputsGradient_MatchesTheReference(int batch, int steps, int axis)
    {
        // Every step's hidden state against a target, and the gradient of the sequence itself. Along a
        // leading loop axis ([T,N,F], read in place each step) the batch-first input is transposed.
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(steps), Dim.Of(F)));
        var loop = Rnn(g, axis == 1 ? x : g.Transpose(x, new[] { 1, 0, 2 }), steps, axis);
        var hs = loop.Stacked(loop.Loop.Body.CarriesOut[0], axis);
        if (axis == 0) hs = g.Transpose(hs, new[] { 1, 0, 2 });
        var target = g.Input("target", hs.Shape);
        var output = g.Add(hs, g.Mul(g.Reshape(loop.Final(), new Shape(Dim.Batch, Dim.Of(1), Dim.Of(H))), g.Constant(0.5)));
        var graph = new ModelGraph("LoopSeq" + axis, g, new[] { x, target }, output, g.Mse(output, target), new[] { x }, forwardInputCount: 1);
        var (outcome, _) = RunGraph(graph, batch);
        AgreesWithReference(outcome);
    }

    [Fact]
    public void TheGeneratedFile_DoesNotGrowWithTheNumberOfSteps()
    {
        var (shortRun, shortSource) = RunGraph(Classifier(28, "LoopRnn28"), 2);
        AgreesWithReference(shortRun);
        var (longRun, longSource) = RunGraph(Classifier(1000, "LoopRnn1000"), 2);
        AgreesWithReference(longRun, abs: 1e-3, rel: 1e-2);
        double ratio = (double)longSource.Length / shortSource.Length;
        Assert.True(Math.Abs(ratio - 1) < 0.1, $"T=28: {shortSource.Length} chars, T=1000: {longSource.Length} chars");
        int Methods(string s) => s.Split('\n').Count(l => l.TrimStart().StartsWith("internal static void ", StringComparison.Ordinal));
        Assert.Equal(Methods(shortSource), Methods(longSource));
    }

    [Fact]
    public void TheGpuBackend_EmitsALoop_AsAHostLoopOfLaunches()
    {
        var compiled = Dl.Compiler.ModelCompiler.Compile(Classifier(5));
        var gpu = Dl.Compiler.GpuEmitter.Emit(compiled, new Dl.Compiler.ModelDeclaration(null, "LoopRnn", "public", Array.Empty<string>()));
        Assert.DoesNotContain("NotSupportedReason", gpu);
        Assert.Contains("for (int __t0 = 0; __t0 < 5; __t0++)", gpu);
    }
}
