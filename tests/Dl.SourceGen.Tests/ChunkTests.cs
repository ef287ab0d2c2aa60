using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// <c>Tensor.Chunk(axis, count)</c>: equal parts as Slices. An LSTM cell with one fused gate product split
/// by <c>Chunk(1, 4)</c> computes what the cell with four products computes (its weights the four
/// side by side), inside a loop node; a size the count does not divide is DL0001 at the call.
/// </summary>
public class ChunkTests
{
    private const string FusedCell = """
        [Layer]
        public partial class LstmCell(int inputs, int hidden)
        {
            readonly Param w = new(Init.Glorot, inputs, 4 * hidden);
            readonly Param u = new(Init.Glorot, hidden, 4 * hidden);
            readonly Param b = new(Init.Zeros, 4 * hidden);

            public (Tensor H, Tensor C) Step(Tensor x, Tensor h, Tensor c)
            {
                var gates = x.MatMul(w) + h.MatMul(u) + b;
                var parts = gates.Chunk(1, 4);
                var i = parts[0].Sigmoid();
                var f = parts[1].Sigmoid();
                var g = parts[2].Tanh();
                var o = parts[3].Sigmoid();
                var next = f * c + i * g;
                return (o * next.Tanh(), next);
            }
        }
        """;

    private const int Steps = 10, Inputs = 5, Hidden = 4, Batch = 3;

    private static string Model(string cell) => $$"""
        using Dl;
        namespace Test;
        {{cell}}
        [Model]
        public partial class M
        {
            readonly LstmCell cell = new({{Inputs}}, {{Hidden}});
            readonly Dense head = new({{Hidden}}, 2);
            public Tensor Forward([Input({{Steps}}, {{Inputs}})] Tensor x)
            {
                var h = x.Mean(1).Slice(1, 0, {{Hidden}}).Tanh();
                var c = h * 0.5f;
                for (int t = 0; t < {{Steps}}; t++) (h, c) = cell.Step(x.Select(1, t), h, c);
                return head.Forward(h + c);
            }
            public Tensor Loss(Tensor y) => (y * y).Mean();
        }
        """;

    private static ModelGraph Graph(string source)
    {
        var run = Generate(source);
        Assert.Empty(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        return Assert.IsType<ModelGraph>(ModelLowering.Lower(run.Spec("M")).Graph);
    }

    /// <summary>The reference evaluator's output and parameter gradients with the given parameters.</summary>
    private static (double[] Output, Dictionary<string, double[]> Gradients) Evaluate(ModelGraph graph, Dictionary<string, double[]> parameters, double[] x)
    {
        TensorValue Bind(Node node) => node.Op is ParamOp p
            ? new TensorValue(node.Shape.Resolve(Batch), parameters[p.ParamName])
            : new TensorValue(node.Shape.Resolve(Batch), x);
        var output = Evaluator.Run(new[] { graph.Output }, Bind, new EvalContext(Batch, training: false))[graph.Output].Data;
        var gradients = Autodiff.Gradients(graph.Builder, graph.Loss!, graph.Parameters);
        var values = Evaluator.Run(gradients, Bind, new EvalContext(Batch, training: true));
        return (output, graph.Parameters.Zip(gradients).ToDictionary(t => ((ParamOp)t.First.Op).ParamName, t => values[t.Second].Data));
    }

    /// <summary>[rows, 4H] from four [rows, H] (or [4H] from four [H]): the gates side by side, in order.</summary>
    private static double[] SideBySide(double[][] gates, int rows) =>
        Enumerable.Range(0, rows).SelectMany(r => gates.SelectMany(gate => gate.Skip(r * Hidden).Take(Hidden))).ToArray();

    [Fact]
    public void AFusedGateProductSplitByChunk_ComputesTheFourProductCell()
    {
        var fused = Graph(Model(FusedCell));
        var four = Graph(Model(RecurrentCellTests.LstmCell));
        var scan = Assert.Single(GraphBuilder.Topological(fused.Roots).Select(n => n.Op).OfType<ScanOp>(), s => s.Selection.IsFinal && s.Selection.Index == 0);
        Assert.Equal(4, scan.Body.Builder.Nodes.Count(n => n.Op is SliceOp)); // the gates: Slices of the one product
        Assert.Equal(2, scan.Body.Builder.Nodes.Count(n => n.Op is MatMulOp));

        var random = new Random(7);
        double[] Draw(Node p) => Enumerable.Range(0, (int)p.Shape.ElementCount(1)).Select(_ => random.NextDouble() - 0.5).ToArray();
        var separate = four.Parameters.ToDictionary(p => ((ParamOp)p.Op).ParamName, Draw);
        double[] Joined(string kind, int rows) => SideBySide(new[] { "i", "f", "g", "o" }.Select(gate => separate[$"cell.{kind}{gate}"]).ToArray(), rows);
        var joined = separate.Where(kv => !kv.Key.StartsWith("cell.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        joined["cell.w"] = Joined("w", Inputs);
        joined["cell.u"] = Joined("u", Hidden);
        joined["cell.b"] = Joined("b", 1);
        var x = Enumerable.Range(0, Batch * Steps * Inputs).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        var (fusedOut, fusedGrad) = Evaluate(fused, joined, x);
        var (fourOut, fourGrad) = Evaluate(four, separate, x);
        Close(fusedOut, fourOut, "output");
        foreach (var (kind, rows) in new[] { ("w", Inputs), ("u", Hidden), ("b", 1) })
            Close(fusedGrad["cell." + kind], SideBySide(new[] { "i", "f", "g", "o" }.Select(gate => fourGrad[$"cell.{kind}{gate}"]).ToArray(), rows), "dcell." + kind);
        Close(fusedGrad["head.weight"], fourGrad["head.weight"], "dhead.weight");

        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(Model(FusedCell), "M", Batch));
    }

    private static void Close(double[] actual, double[] expected, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-9 + 1e-9 * Math.Abs(expected[i]), $"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void ChunkPartsMayBeReadInAnyOrderAndSome_NotAtAll()
    {
        string source = DiagnosticTests.Model("""
                readonly Param p = new(6);
                public Tensor Forward([Input(6)] Tensor x)
                {
                    var parts = (x * p).Chunk(-1, 3);
                    return Nn.Concat(1, parts[2], parts[0]) * parts.Length;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """);
        var graph = Graph(source);
        Assert.Equal("[N,4]", graph.Output.Shape.ToString());
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void AChunkTheSizeDoesNotDivide_IsDL0001AtTheCall() => Single(DiagnosticTests.Model("""
            public Tensor Forward([Input(16)] Tensor gates)
            {
                var parts = [|gates.Chunk(1, 3)|];
                return parts[0];
            }
        """), "DL0001", "Chunk", "[N,16]", "3 equal parts");

    [Fact]
    public void AChunkIntoNoParts_IsDL0001AtTheCount() => Single(DiagnosticTests.Model("""
            public Tensor Forward([Input(16)] Tensor gates) => gates.Chunk(1, [|0|])[0];
        """), "DL0001", "positive number of parts");
}
