using System;
using System.Linq;
using System.Text.RegularExpressions;
using Dl.Graph;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.CompiledModelHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The built-in recurrent layers on the CPU backend: compiled outputs, losses and gradients (of the
/// parameters, the sequence and the initial states) equal to the reference evaluator at several batch
/// sizes and lengths; and the layers written in model source (<c>new Lstm(28, 128)</c>) compile with
/// no diagnostic, run one loop per layer and direction whatever results are read, and train.
/// </summary>
public class RecurrentCompileTests
{
    private const int I = 3, H = 4;

    /// <summary>A sequence model: every result of the layer against a target (MSE), the sequence's (and states') gradients asked for.</summary>
    private static ModelGraph Graph(RecurrentCell cell, int steps, int layers = 1, bool bidirectional = false, bool states = false, bool finalOnly = false)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, Dim.Of(steps), Dim.Of(I)));
        var stateShape = new Shape(Dim.Batch, Dim.Of(layers * (bidirectional ? 2 : 1)), Dim.Of(H));
        var h0 = states ? g.Input("h0", stateShape) : null;
        var c0 = states && cell == RecurrentCell.Lstm ? g.Input("c0", stateShape) : null;
        var layer = Layers.Recurrent(g, cell, "rnn", x, I, H, layers, bidirectional, bias: true, h0, c0);
        Node Flat(Node v) => g.Reshape(v, new Shape(Dim.Batch, Dim.Of(v.Shape.Skip(1).Aggregate(1, (p, d) => p * d.Size))));
        var results = finalOnly ? new[] { layer.FinalHidden } : new[] { layer.Output, layer.FinalHidden, layer.FinalCell };
        var parts = results.Where(n => n is not null).Select(n => Flat(n!)).ToList();
        var output = g.Concat(parts, 1);
        var target = g.Input("target", output.Shape);
        var inputs = new[] { x, h0, c0 }.Where(n => n is not null).Select(n => n!).ToList();
        var name = $"Rec{cell}{steps}L{layers}{(bidirectional ? "Bi" : "")}{(states ? "S" : "")}{(finalOnly ? "F" : "")}";
        return new ModelGraph(name, g, inputs.Append(target).ToList(), output, g.Mse(output, target), inputs, forwardInputCount: inputs.Count);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1)]
    [InlineData(RecurrentCell.Lstm, 5)]
    [InlineData(RecurrentCell.Lstm, 28)]
    [InlineData(RecurrentCell.Gru, 1)]
    [InlineData(RecurrentCell.Gru, 5)]
    [InlineData(RecurrentCell.Gru, 28)]
    public void Compiled_AgreesWithTheReference_AtEveryBatchSize(RecurrentCell cell, int steps)
    {
        var (outcomes, source) = RunGraphAt(Graph(cell, steps), 1, 3, 8);
        foreach (var outcome in outcomes) AgreesWithReference(outcome);
        Assert.Contains($"for (int __t0 = 0; __t0 < {steps}; __t0++)", source);
        Assert.Contains($"for (int __t0 = {steps - 1}; __t0 >= 0; __t0--)", source);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    [InlineData(RecurrentCell.RnnRelu)]
    public void Compiled_StackedBidirectional_WithInitialStates_AgreesWithTheReference(RecurrentCell cell)
    {
        var (outcomes, _) = RunGraphAt(Graph(cell, 6, layers: 2, bidirectional: true, states: true), 1, 3);
        foreach (var outcome in outcomes) AgreesWithReference(outcome);
        Assert.Equal(cell == RecurrentCell.Lstm ? 3 : 2, outcomes[0].ReferenceInputGradients.Length); // x, h0 (and c0)
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.RnnTanh)]
    public void Compiled_FinalHiddenStateAlone_StackedBidirectional_AgreesWithTheReference(RecurrentCell cell)
    {
        // Only the last step of each direction is read (the first in time for the reverse one): it is read as
        // the loop's final carry, and its gradient enters the reverse loop as that carry's initial cotangent.
        var (outcomes, _) = RunGraphAt(Graph(cell, 6, layers: 2, bidirectional: true, states: true, finalOnly: true), 1, 3);
        foreach (var outcome in outcomes) AgreesWithReference(outcome);
        Assert.Equal(cell == RecurrentCell.Lstm ? 3 : 2, outcomes[0].ReferenceInputGradients.Length);
    }

    private static string Model(string members) => $$"""
        using Dl;
        namespace Test;
        [Model]
        public partial class Seq
        {
        {{members}}
            public Tensor Loss(Tensor y, [Input] Labels l) => Nn.CrossEntropy(y, l);
        }
        """;

    [Theory]
    [InlineData("readonly Lstm lstm = new(28, 128);", "head.Forward(lstm.FinalHidden(x).Reshape(-1, 128))", 128)]
    [InlineData("readonly Gru gru = new(28, 32, layers: 2);", "head.Forward(gru.Forward(x).Mean(1))", 32)]
    [InlineData("readonly Rnn rnn = new(28, 16, bidirectional: true);", "head.Forward(rnn.FinalHidden(x).Reshape(-1, 32))", 32)]
    public void ALayerInModelSource_CompilesWithoutDiagnostics_AndTrains(string field, string forward, int features)
    {
        var source = Model($$"""
                {{field}}
                readonly Dense head = new({{features}}, 3);
                public Tensor Forward([Input(28, 28)] Tensor x) => {{forward}};
            """);
        var (losses, diagnostics, _) = Train(source, "Seq", batch: 8, steps: 25, rate: 0.2f);
        Assert.Empty(diagnostics);
        Assert.All(losses, l => Assert.True(float.IsFinite(l), string.Join(", ", losses)));
        Assert.True(losses[^1] < 0.7 * losses[0], $"the loss should fall: {string.Join(", ", losses)}");
    }

    [Theory]
    [InlineData("readonly Lstm rnn = new(4, 8, layers: 2, bidirectional: true);", 16)]
    [InlineData("readonly Gru rnn = new(4, 8);", 8)]
    public void TheGeneratedFile_DoesNotGrowWithTheSequenceLength(string field, int features)
    {
        string SourceFor(int steps) => Source(Model($$"""
                {{field}}
                readonly Dense head = new({{features}}, 3);
                public Tensor Forward([Input({{steps}}, 4)] Tensor x) => head.Forward(rnn.Forward(x).Mean(1));
            """), "Seq");
        string shortFile = SourceFor(28), longFile = SourceFor(1000);
        double growth = (double)longFile.Length / shortFile.Length - 1;
        Assert.True(Math.Abs(growth) < 0.10, $"T = 28: {shortFile.Length} characters, T = 1000: {longFile.Length} ({100 * growth:F1} %)");
        Assert.Contains("for (int __t0 = 0; __t0 < 1000; __t0++)", longFile);
    }

    /// <summary>An entry point's text, followed by that of each loop it runs split over the batch's rows (a method of its own: Dl.RowSplit).</summary>
    private static string Method(string source, string signature)
    {
        int start = source.IndexOf(signature, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {signature} in the generated code");
        int end = source.IndexOf("        public ", start + signature.Length, StringComparison.Ordinal);
        string text = end < 0 ? source[start..] : source[start..end];
        foreach (Match m in Regex.Matches(text, @"global::Dl\.RowSplit\.Run\(this\.__rowLoop\d+ \?\?= new global::System\.Action<int, int, int>\(this\.(__RowLoop\d+)\)"))
        {
            string header = $"private void {m.Groups[1].Value}(";
            int at = source.IndexOf(header, StringComparison.Ordinal);
            Assert.True(at >= 0, $"no {header} in the generated code");
            text += source[at..source.IndexOf("\n        }\n", at, StringComparison.Ordinal)];
        }
        return text;
    }

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheOutputAndTheFinalHiddenState_OfTheSameSequence_AreOneLoop_ForwardAndBackward(bool bidirectional)
    {
        int d = bidirectional ? 2 : 1;
        var source = Source(Model($$"""
                readonly Lstm lstm = new(3, 4, bidirectional: {{(bidirectional ? "true" : "false")}});
                readonly Dense head = new({{8 * d}}, 3);
                public Tensor Forward([Input(5, 3)] Tensor x) =>
                    head.Forward(Nn.Concat(lstm.Forward(x).Mean(1), lstm.FinalHidden(x).Reshape(-1, {{4 * d}})));
            """), "Seq");
        // Each direction's loop runs forward once; its backward loop runs the other way, once: a
        // second reverse loop for the final state (its own result's VJP) would show as a third loop.
        const string up = "for (int __t0 = 0; __t0 < 5; __t0++)", down = "for (int __t0 = 4; __t0 >= 0; __t0--)";
        var gradients = Method(source, "public float ComputeGradients(");
        Assert.Equal(d, Count(gradients, up));
        Assert.Equal(d, Count(gradients, down));
        var predict = Method(source, "public global::System.ReadOnlySpan<float> Predict(");
        Assert.Equal(1, Count(predict, up));
        Assert.Equal(d - 1, Count(predict, down));
    }
}
