using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Random graphs of elementwise ops in which values are read several times, before and after row sums
/// (the reads that decide whether a value is an extra output of a later loop, a leaf, or internal),
/// compiled and checked against the reference evaluator: forward, loss and every gradient.
/// </summary>
public class ExtraOutputFuzzTests
{
    private const int Features = 21, Ops = 10, Seeds = 48;

    /// <summary>A seeded graph: each op reads one or two earlier values (any of them, so most are read more than once).</summary>
    private static ModelGraph RandomGraph(int seed)
    {
        var random = new Random(seed);
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(Features)));
        var target = g.Input("target", new Shape(Dim.Batch, Dim.Of(Features)));
        var values = new List<Node> { g.Mul(x, g.Param("p", new Shape(Features), Dl.Graph.Init.Glorot)), x };
        Node Any() => values[random.Next(values.Count)];
        for (int i = 0; i < Ops; i++)
        {
            // Bounded ops only (sigmoid, tanh, a row mean), so no value grows past what float sums keep.
            values.Add(random.Next(6) switch
            {
                0 => g.Sigmoid(Any()),
                1 => g.Tanh(Any()),
                2 => g.Add(Any(), Any()),
                3 => g.Sub(Any(), Any()),
                4 => g.Mul(g.Tanh(Any()), Any()),
                _ => g.Mul(Any(), g.Mul(g.Sum(Any(), new[] { 1 }, keepDims: true), g.Constant(1.0 / Features))),
            });
        }
        var y = g.Add(values[values.Count - 1], Any());
        return new ModelGraph("Random" + seed, g, new[] { x, target }, y, g.Mse(y, target), forwardInputCount: 1);
    }

    [Fact]
    public void RandomGraphs_MatchTheReference_AndSomeStoreExtraOutputs()
    {
        int withExtras = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var graph = RandomGraph(seed);
            var plan = ModelCompiler.Compile(graph);
            if (plan.Gradients!.Kernels.Concat(plan.Predict.Kernels).OfType<ElementwiseKernel>().Any(k => k.ExtraOutputs.Count > 0)) withExtras++;
            try { AgreesWithReference(RunGraph(graph, 3).Outcome); }
            catch (Exception e) { throw new Exception($"seed {seed}: {e.Message}", e); }
        }
        // The feature under test must be exercised, not only the loops it leaves alone.
        Assert.True(withExtras >= Seeds / 2, $"{withExtras} of {Seeds} graphs have an extra output");
    }
}
