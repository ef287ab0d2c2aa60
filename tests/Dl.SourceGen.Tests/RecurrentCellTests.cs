using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using Microsoft.CodeAnalysis;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// A recurrent cell written by hand: a <c>[Layer]</c> whose step returns a tuple (h, c), deconstructed
/// by the caller inside a constant-bound loop. The loop carries both tensors and lowers to one loop node.
/// </summary>
public class RecurrentCellTests
{
    /// <summary>An LSTM cell from Params: four gates, each x W + h U + b; the step returns (h', c').</summary>
    internal const string LstmCell = """
        [Layer]
        public partial class LstmCell(int inputs, int hidden)
        {
            readonly Param wi = new(Init.Glorot, inputs, hidden);
            readonly Param ui = new(Init.Glorot, hidden, hidden);
            readonly Param bi = new(Init.Zeros, hidden);
            readonly Param wf = new(Init.Glorot, inputs, hidden);
            readonly Param uf = new(Init.Glorot, hidden, hidden);
            readonly Param bf = new(Init.Ones, hidden);
            readonly Param wg = new(Init.Glorot, inputs, hidden);
            readonly Param ug = new(Init.Glorot, hidden, hidden);
            readonly Param bg = new(Init.Zeros, hidden);
            readonly Param wo = new(Init.Glorot, inputs, hidden);
            readonly Param uo = new(Init.Glorot, hidden, hidden);
            readonly Param bo = new(Init.Zeros, hidden);

            static Tensor Gate(Tensor x, Tensor h, Tensor w, Tensor u, Tensor b) => x.MatMul(w) + h.MatMul(u) + b;

            public (Tensor H, Tensor C) Step(Tensor x, Tensor h, Tensor c)
            {
                var i = Gate(x, h, wi, ui, bi).Sigmoid();
                var f = Gate(x, h, wf, uf, bf).Sigmoid();
                var g = Gate(x, h, wg, ug, bg).Tanh();
                var o = Gate(x, h, wo, uo, bo).Sigmoid();
                var next = f * c + i * g;
                return (o * next.Tanh(), next);
            }
        }
        """;

    /// <summary>A model running the cell <paramref name="steps"/> times; <paramref name="step"/> is the loop body.</summary>
    internal static string Lstm(int steps, string step = "(h, c) = cell.Step(x, h, c);") => $$"""
        using Dl;
        namespace Test;
        {{LstmCell}}
        [Model]
        public partial class M
        {
            readonly LstmCell cell = new(3, 4);
            readonly Dense start = new(3, 4, Activation.Tanh);
            readonly Dense head = new(4, 2);
            public Tensor Forward([Input(3)] Tensor x)
            {
                var h = start.Forward(x);
                var c = h * 0.5f;
                for (int t = 0; t < {{steps}}; t++) { {{step}} }
                return head.Forward(h + c);
            }
            public Tensor Loss(Tensor y) => (y * y).Mean();
        }
        """;

    private static int Loops(string source)
    {
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(Generate(source).Spec("M")).Graph);
        return GraphBuilder.Topological(graph.Roots).Count(n => n.Op is ScanOp);
    }

    [Theory]
    [InlineData("(h, c) = cell.Step(x, h, c);")]
    [InlineData("var (h2, c2) = cell.Step(x, h, c); h = h2; c = c2;")]
    [InlineData("(var h2, var c2) = cell.Step(x, h, c); (h, c) = (h2, c2);")]
    [InlineData("var s = cell.Step(x, h, c); h = s.H; c = s.Item2;")]
    [InlineData("(Tensor A, Tensor B) s = cell.Step(x, h, c); c = s.B; h = s.A;")]
    public void AnLstmCellReturningATuple_LowersToOneLoopCarryingHAndC(string step)
    {
        string source = Lstm(12, step);
        var run = Generate(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Equal(2, Loops(source)); // one loop, two results: the final h and c
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 3));
    }

    [Fact]
    public void TheLoweredLstm_IsOneForLoopWhateverTheStepCount()
    {
        string twelve = CompiledModelHarness.Source(Lstm(12), "M");
        string hundred = CompiledModelHarness.Source(Lstm(100), "M");
        Assert.Contains("for (int __t0 = 0; __t0 < 12; __t0++)", twelve);
        Assert.Contains("for (int __t0 = 11; __t0 >= 0; __t0--)", twelve); // the backward loop
        Assert.Contains("for (int __t0 = 0; __t0 < 100; __t0++)", hundred);
        // Only numbers differ (step counts, the per-step arena, the cost table's figures and the spaces that
        // align them): the same code, line for line.
        static string Digitless(string s) => System.Text.RegularExpressions.Regex.Replace(s, " *[0-9][0-9,]*", "#");
        Assert.Equal(Digitless(twelve), Digitless(hundred));
    }

    [Fact]
    public void AShortLstmLoop_IsUnrolledAndStillAgrees()
    {
        string source = Lstm(3);
        Assert.Equal(0, Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void AModelHelperMayReturnATupleAndANestedOne()
    {
        string source = Model("""
                readonly Dense d = new(4, 4, Activation.Tanh);
                (Tensor, (Tensor Low, Tensor High)) Split(Tensor x) => (d.Forward(x), (x * 0.5f, x * 2f));
                public Tensor Forward([Input(4)] Tensor x)
                {
                    var (a, (lo, _)) = Split(x);
                    var whole = Split(a);
                    return a + lo + whole.Item2.High + whole.Item1;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """);
        var run = Generate(source);
        Assert.Empty(run.Diagnostics);
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void ComparingTuples_IsStillUnsupportedAtTheComparison() => Single(Model("""
            public Tensor Forward([Input(4)] Tensor x)
            {
                var y = x * 2f;
                var same = [|(x, y) == (y, x)|];
                return x;
            }
        """), "DL0004", "comparing tuples");

    [Fact]
    public void DeconstructingALayer_IsUnsupportedAtTheValue() => Single("""
        using Dl;
        namespace Test;
        [Layer]
        public partial class Pair
        {
            readonly Param p = new(Init.Ones, 4);
            public Tensor Forward(Tensor x) => x * p;
            public void Deconstruct(out Tensor a, out Tensor b) { a = p; b = p; }
        }
        [Model]
        public partial class M
        {
            readonly Pair pair = new();
            public Tensor Forward([Input(4)] Tensor x)
            {
                var (a, b) = [|pair|];
                return pair.Forward(x);
            }
        }
        """, "DL0004", "deconstructing the layer 'pair'");
}
