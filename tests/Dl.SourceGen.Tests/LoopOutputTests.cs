using System;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Per-step outputs (many-to-many): a loop body writes its step's value to an array element
/// (<c>hs[t] = h</c>) and <c>Nn.Stack(1, hs)</c> after the loop is the loop node's stacked output: still
/// one loop. Compiled, it computes what the reference evaluator and the unrolled loop compute.
/// </summary>
public class LoopOutputTests
{
    /// <summary>An LSTM over x [N, T, 5] whose Forward is <paramref name="forward"/> (h, c and x in scope, T a const).</summary>
    private static string Lstm(int steps, string forward) => $$"""
        using Dl;
        namespace Test;
        {{RecurrentCellTests.LstmCell}}
        [Model]
        public partial class M
        {
            const int T = {{steps}};
            readonly LstmCell cell = new(5, 4);
            readonly Dense start = new(5, 4, Activation.Tanh);
            readonly Dense map = new(5, 3, Activation.Tanh);
            readonly Dense head = new(4, 2);
            public Tensor Forward([Input(T, 5)] Tensor x)
            {
                var h = start.Forward(x.Mean(1));
                var c = h * 0.5f;
                var hs = new Tensor[T];
                {{forward}}
            }
            public Tensor Loss(Tensor y) => (y * y).Mean();
        }
        """;

    private const string Forward = "for (int t = 0; t < T; t++)";

    /// <summary>The loop over <paramref name="body"/> (the index written {i}), then <paramref name="after"/>.</summary>
    private static string Loop(string body, string after, string header = Forward) => $"{header} {{ {body.Replace("{i}", "t")} }} {after}";

    /// <summary>The same with the index copied to a local first: not an index site, so the loop is unrolled.</summary>
    private static string Unrolled(string body, string after, string header = Forward) => $"{header} {{ var k = t; {body.Replace("{i}", "k")} }} {after}";

    private static ScanOp[] Loops(string source)
    {
        var run = Generate(source);
        Assert.Empty(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(run.Spec("M")).Graph);
        return GraphBuilder.Topological(graph.Roots).Select(n => n.Op).OfType<ScanOp>().ToArray();
    }

    private static int Reverses(string source)
    {
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(Generate(source).Spec("M")).Graph);
        return GraphBuilder.Topological(graph.Roots).Count(n => n.Op is ReverseOp);
    }

    [Theory]
    [InlineData("(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h;", false, 0)]
    [InlineData("(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h * 2f + c;", false, 0)]
    // A backward recurrence whose outputs line up with its inputs: the loop's stack as it is.
    [InlineData("(h, c) = cell.Step(x.Select(1, T - 1 - {i}), h, c); hs[T - 1 - {i}] = h;", true, 0)]
    // A backward recurrence whose outputs are kept in the order they were made: the stack reversed.
    [InlineData("(h, c) = cell.Step(x.Select(1, T - 1 - {i}), h, c); hs[{i}] = h;", true, 1)]
    public void PerStepOutputsStacked_AreTheLoopsStackedOutput(string body, bool reverse, int reversed)
    {
        const string after = "return Nn.Stack(1, hs);";
        string source = Lstm(12, Loop(body, after)), unrolled = Lstm(12, Unrolled(body, after));
        var scan = Assert.Single(Loops(source));
        Assert.Equal(reverse, scan.Reverse);
        Assert.False(scan.Selection.IsFinal);
        Assert.Equal(1, scan.Selection.Axis);
        Assert.Equal(reversed, Reverses(source));
        Assert.Empty(Loops(unrolled));
        LoopIndexTests.SameModel(source, unrolled);
    }

    [Fact]
    public void ALoopWithoutCarries_MapsEachStep()
    {
        const string body = "hs[{i}] = map.Forward(x.Select(1, {i}));", after = "return Nn.Stack(-2, hs) + h.Sum(1).Reshape(-1, 1, 1);";
        string source = Lstm(10, Loop(body, after));
        var scan = Assert.Single(Loops(source));
        Assert.Empty(scan.Body.Carries);
        LoopIndexTests.SameModel(source, Lstm(10, Unrolled(body, after)));
    }

    [Fact]
    public void StepsReadOneByOne_ShareOneStackedOutput()
    {
        const string body = "(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h;", after = "return head.Forward(hs[T - 1] + hs[0] * 0.5f + h);";
        string source = Lstm(12, Loop(body, after));
        // The final h and the stacked h (each loop result is a node of its own; one loop runs them).
        Assert.Equal(new[] { true, false }, Loops(source).Select(s => s.Selection.IsFinal).OrderByDescending(b => b));
        LoopIndexTests.SameModel(source, Lstm(12, Unrolled(body, after)));
    }

    [Fact]
    public void ALaterLoopReadingAnEarlierLoopsOutput_IsUnrolledAroundIt()
    {
        // The second loop's steps each read one step of the first loop's output: a Loop op that points back
        // at the first loop's body from a different place each step, so the steps differ and the second
        // loop unrolls; the first stays one loop.
        const string body = "(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h;";
        const string after = "var z = h; for (int s = 0; s < 9; s++) z = z * 0.5f + hs[3]; return head.Forward(z);";
        string source = Lstm(12, Loop(body, after, "for (int t = 0; t < hs.Length; t++)"));
        Assert.Single(Loops(source), s => !s.Selection.IsFinal);
        LoopIndexTests.SameModel(source, Lstm(12, Unrolled(body, after, "for (int t = 0; t < hs.Length; t++)")));
    }

    [Fact]
    public void AShortLoopFillingAnArray_IsUnrolledAndAgrees()
    {
        string source = Lstm(4, Loop("(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h;", "return Nn.Stack(1, hs);"));
        Assert.Empty(Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void TheGeneratedFile_HardlyGrowsFrom28To1000Steps()
    {
        string loop = Loop("(h, c) = cell.Step(x.Select(1, {i}), h, c); hs[{i}] = h;", "return Nn.Stack(1, hs);");
        string short28 = CompiledModelHarness.Source(Lstm(28, loop), "M");
        string long1000 = CompiledModelHarness.Source(Lstm(1000, loop), "M");
        Assert.Contains("__t0 < 1000;", long1000);
        double growth = (double)Math.Abs(long1000.Length - short28.Length) / short28.Length;
        Assert.True(growth < 0.10, $"28 steps: {short28.Length} characters, 1000 steps: {long1000.Length} ({growth:P1} more)");
    }

    [Fact]
    public void ReadingAnElementNotWritten_IsUnsupportedAtTheElement() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                var hs = new Tensor[3];
                hs[0] = x;
                return x + [|hs[2]|];
            }
        """), "DL0004", "hs[2]", "before it is written");

    [Fact]
    public void WritingOutsideTheArray_IsAnErrorAtTheElement() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                var hs = new Tensor[3];
                for (int t = 0; t < 4; t++) [|hs[t]|] = x * t;
                return Nn.Stack(1, hs);
            }
        """), "DL0001", "index 3", "3 elements");
}
