using System;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// A user's own recurrence over a sequence input: the loop body picks the step's entry with the step
/// index (<c>x.Select(1, t)</c>, <c>x.Select(1, T - 1 - t)</c>, <c>x.Slice(1, t, 1)</c>). It lowers to one
/// loop node whose slice slot is that entry, not to T copies of the body and not to a capture of the
/// whole sequence; compiled, it computes what the reference evaluator and the unrolled loop compute.
/// </summary>
public class LoopIndexTests
{
    private const int Features = 5;

    /// <summary>An LSTM over x [N, steps, 5] (the hand-written cell of <see cref="RecurrentCellTests"/>); <paramref name="step"/> is the loop.</summary>
    internal static string Lstm(int steps, string loop) => $$"""
        using Dl;
        namespace Test;
        {{RecurrentCellTests.LstmCell}}
        [Model]
        public partial class M
        {
            const int T = {{steps}};
            readonly LstmCell cell = new({{Features}}, 4);
            readonly Dense start = new({{Features}}, 4, Activation.Tanh);
            readonly Dense head = new(4, 2);
            public Tensor Forward([Input(T, {{Features}})] Tensor x)
            {
                var h = start.Forward(x.Mean(1));
                var c = h * 0.5f;
                {{loop}}
                return head.Forward(h);
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

    private static ScanOp[] Loops(string source) =>
        GraphBuilder.Topological(Graph(source).Roots).Select(n => n.Op).OfType<ScanOp>().ToArray();

    /// <summary>Compiled forward output and every gradient of two models (same parameters: same names, same seed) agree.</summary>
    internal static void SameModel(string source, string other)
    {
        var (a, b) = (CompiledModelHarness.Run(source, "M", 3), CompiledModelHarness.Run(other, "M", 3));
        CompiledModelHarness.AgreesWithReference(a);
        CompiledModelHarness.AgreesWithReference(b);
        CompiledModelHarness.Close(a.Output, b.Output.Select(v => (double)v).ToArray(), 1e-4, 1e-3, "output");
        Assert.Equal(a.Layout.Select(p => p.Name), b.Layout.Select(p => p.Name));
        foreach (var p in a.Layout)
            CompiledModelHarness.Close(a.Gradients.AsSpan(p.Offset, p.Length), b.Gradients.Skip(p.Offset).Take(p.Length).Select(v => (double)v).ToArray(), 1e-4, 1e-3, "d" + p.Name);
        for (int i = 0; i < a.ReferenceInputGradients.Length; i++)
            CompiledModelHarness.Close(a.InputGradients[i], b.InputGradients[i].Select(v => (double)v).ToArray(), 1e-4, 1e-3, $"input gradient {i}");
    }

    private const string Forward = "for (int t = 0; t < T; t++)", Backward = "for (int t = T - 1; t >= 0; t--)";

    /// <summary>The loop: <paramref name="header"/> over <paramref name="body"/> with the index (written {i}) read where the body reads it.</summary>
    private static string Loop(string header, string body) => $"{header} {{ {body.Replace("{i}", "t")} }}";

    /// <summary>The same loop with the index copied to a local first: not an index site, so the loop is unrolled.</summary>
    private static string Unrolled(string header, string body) => $"{header} {{ var k = t; {body.Replace("{i}", "k")} }}";

    [Theory]
    [InlineData(Forward, "(h, c) = cell.Step(x.Select(1, {i}), h, c);", false)]
    [InlineData(Forward, "(h, c) = cell.Step(x.Select(1, T - 1 - {i}), h, c);", true)]
    [InlineData(Backward, "(h, c) = cell.Step(x.Select(-2, {i}), h, c);", true)]
    [InlineData(Forward, "(h, c) = cell.Step(x.Select(1, {i} - T), h, c);", false)]
    [InlineData(Forward, "(h, c) = cell.Step(x.Slice(1, {i}, 1).Reshape(-1, 5), h, c);", false)]
    [InlineData(Backward, "(h, c) = cell.Step(x.Slice(1, {i}, 1).Flatten(), h, c);", true)]
    public void ARecurrenceOverTheInputsSteps_IsOneLoopSlicingTheSequence(string header, string body, bool reverse)
    {
        const int steps = 12;
        string source = Lstm(steps, Loop(header, body)), unrolled = Lstm(steps, Unrolled(header, body));
        var scan = Assert.Single(Loops(source)); // the final h only (c is not read after the loop)
        Assert.Equal(reverse, scan.Reverse);
        Assert.Equal(steps, scan.Length);
        var slice = Assert.Single(scan.Body.Slices);
        Assert.Equal("[N,5]", slice.Shape.ToString());
        Assert.Equal(new[] { 1 }, scan.SliceAxes);
        // The body reads the step's entry through its slot: no capture holds the sequence.
        Assert.DoesNotContain(scan.Body.Captures, n => n.Shape.Rank == 3);
        Assert.Empty(Loops(unrolled));
        SameModel(source, unrolled);
    }

    [Fact]
    public void TwoSlicesWalkingOppositeWays_AreOneLoopReadingOneSequenceReversed()
    {
        const string body = "(h, c) = cell.Step(x.Select(1, {i}) + x.Select(1, T - 1 - {i}) * 0.5f, h, c);";
        string source = Lstm(12, Loop(Forward, body));
        var scan = Assert.Single(Loops(source));
        Assert.False(scan.Reverse);
        Assert.Equal(2, scan.Body.Slices.Count);
        SameModel(source, Lstm(12, Unrolled(Forward, body)));
    }

    [Fact]
    public void AnIndexOffsetByOne_SlicesTheEntriesTheStepsRead()
    {
        // Steps read entries 1..11 of 12: the loop runs over that window (sliced before the loop).
        string source = Lstm(12, "for (int t = 0; t < T - 1; t++) (h, c) = cell.Step(x.Select(1, t + 1), h, c);");
        var scan = Assert.Single(Loops(source));
        Assert.Equal(11, scan.Length);
        SameModel(source, Lstm(12, Unrolled("for (int t = 0; t < T - 1; t++)", "(h, c) = cell.Step(x.Select(1, {i} + 1), h, c);")));
    }

    [Fact]
    public void AnIndexPastTheEnd_IsAShapeErrorAtTheSelect() => Single(Lstm(12, """
            for (int t = 0; t < T; t++) (h, c) = cell.Step([|x.Select(1, t + 1)|], h, c);
        """), "DL0001", "index 12", "step 11", "size 12");

    [Theory]
    [InlineData("2 * t", 6, 12)]   // jumps: unrolled
    [InlineData("t / 2", 12, 12)]  // repeats entries: unrolled
    [InlineData("t % 3", 12, 12)]
    public void AnIndexThatDoesNotWalkTheSequence_IsUnrolled(string index, int steps, int entries)
    {
        string source = Lstm(entries, $"for (int t = 0; t < {steps}; t++) (h, c) = cell.Step(x.Select(1, {index}), h, c);");
        Assert.Empty(Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void AJumpingIndexOverTheBudget_IsTheUnrollingDiagnostic()
    {
        var run = Generate(Lstm(2000, "for (int t = 0; t < 1000; t++) (h, c) = cell.Step(x.Select(1, 2 * t), h, c);"));
        Assert.Contains(run.Diagnostics, d => d.Id == "DL0018");
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "DL9999");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void TheGeneratedFile_HardlyGrowsFrom28To1000Steps()
    {
        const string loop = "for (int t = 0; t < T; t++) (h, c) = cell.Step(x.Select(1, t), h, c);";
        string short28 = CompiledModelHarness.Source(Lstm(28, loop), "M");
        string long1000 = CompiledModelHarness.Source(Lstm(1000, loop), "M");
        Assert.Contains("__t0 < 28;", short28);
        Assert.Contains("__t0 < 1000;", long1000);
        double growth = (double)Math.Abs(long1000.Length - short28.Length) / short28.Length;
        Assert.True(growth < 0.10, $"28 steps: {short28.Length} characters, 1000 steps: {long1000.Length} ({growth:P1} more)");
    }
}
