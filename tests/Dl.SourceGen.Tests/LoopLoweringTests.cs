using System.Diagnostics;
using System.Linq;
using Dl.Graph;
using Dl.SourceGen.Lowering;
using static Dl.SourceGen.Tests.DiagnosticTests;
using static Dl.SourceGen.Tests.GeneratorHarness;

namespace Dl.SourceGen.Tests;

/// <summary>
/// The reader lowers a long constant-bound loop whose body is the same at every step to a loop node
/// (one body, a <c>for</c> in the generated code) and unrolls short or irregular loops as before.
/// </summary>
public class LoopLoweringTests
{
    private static string SharedLayer(int steps) => Model($$"""
            readonly Dense d = new(8, 8, Activation.Tanh);
            public Tensor Forward([Input(8)] Tensor x)
            {
                for (int i = 0; i < {{steps}}; i++) x = d.Forward(x) * 0.5f + x;
                return x;
            }
            public Tensor Loss(Tensor y) => (y * y).Mean();
        """);

    private static int Loops(string source, string className = "M")
    {
        var graph = Assert.IsType<ModelGraph>(ModelLowering.Lower(Generate(source).Spec(className)).Graph);
        return GraphBuilder.Topological(graph.Roots).Count(n => n.Op is ScanOp);
    }

    [Fact]
    public void The2000StepSharedLayerLoop_CompilesToAFileOfNormalSizeInNormalTime()
    {
        // Unrolled, this loop passed the op budget (DL0018); before the budget, it made an 8.5 MB file that took 14 s to compile.
        var clock = Stopwatch.StartNew();
        string source = CompiledModelHarness.Source(SharedLayer(2000), "M");
        clock.Stop();
        Assert.True(source.Length < 100_000, $"{source.Length} characters");
        Assert.True(clock.Elapsed.TotalSeconds < 30, $"{clock.Elapsed.TotalSeconds:F1} s to generate and compile");
        Assert.Contains("for (int __t0 = 0; __t0 < 2000; __t0++)", source);
        Assert.Contains("for (int __t0 = 1999; __t0 >= 0; __t0--)", source);
        // Only numbers differ (the step count, the sizes of the per-step buffers it multiplies, the cost
        // table's figures and the spaces that align them): the same text with every number blanked out.
        static string Numbers(string s) => System.Text.RegularExpressions.Regex.Replace(s, " *[0-9][0-9,]*", "#");
        Assert.Equal(Numbers(source), Numbers(CompiledModelHarness.Source(SharedLayer(1000), "M")));
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(12, 5)]
    public void ALoweredLoop_TrainsWithGradientsMatchingTheReference(int steps, int batch)
    {
        Assert.Equal(1, Loops(SharedLayer(steps)));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(SharedLayer(steps), "M", batch));
    }

    [Fact]
    public void AShortLoop_IsUnrolled()
    {
        Assert.Equal(0, Loops(SharedLayer(8)));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(SharedLayer(8), "M", 3));
    }

    [Fact]
    public void ALoopWhoseBodyReadsTheStepIndex_IsUnrolled()
    {
        string source = Model("""
                readonly Dense d = new(4, 4, Activation.Tanh);
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for (int i = 0; i < 12; i++) x = i % 3 == 0 ? d.Forward(x) : x * 0.9f;
                    return x;
                }
                public Tensor Loss(Tensor y) => y.Sum();
            """);
        Assert.Equal(0, Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void ALoopOverTwoCarriesWithAWeightReadBeforeTheLoop_IsLowered()
    {
        // Two carried tensors, one step reading the other's value, and x (the first carry's initial value)
        // read inside the body as well: the loop must tell the carry from the captured x.
        string source = Model("""
                readonly Dense d = new(4, 4, Activation.Sigmoid);
                readonly Param scale = new(Init.Ones, 4);
                public Tensor Forward([Input(4)] Tensor x)
                {
                    var h = x;
                    var c = x * 0.5f;
                    for (int i = 0; i < 10; i++)
                    {
                        var gate = d.Forward(h);
                        c = c * gate + x * scale;
                        h = c.Tanh() * 0.5f;
                    }
                    return h + c;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """);
        Assert.Equal(2, Loops(source)); // one loop, two results (its final h and c)
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 3));
    }

    [Fact]
    public void NestedLoops_AreLoweredInsideEachOther()
    {
        string source = Model("""
                readonly Dense d = new(4, 4, Activation.Tanh);
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        for (int j = 0; j < 9; j++) x = d.Forward(x) * 0.5f + x * 0.5f;
                        x = x * 0.9f;
                    }
                    return x;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """);
        Assert.Equal(1, Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }

    [Fact]
    public void ALoopWhoseCarryChangesShape_IsAShapeErrorAtTheLoop()
    {
        var run = Generate(Model("""
                readonly Dense d = new(4, 3);
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for (int i = 0; i < 10; i++) x = d.Forward(x);
                    return x;
                }
            """));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("DL0001", diagnostic.Id);
        Assert.Equal("d.Forward(x)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains("keep its shape", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("int i = 20; i > 0; i -= 2", 1)]       // 10 steps, counted by arithmetic
    [InlineData("int i = 0; i <= 8; i++", 1)]          // 9 steps
    [InlineData("int i = 0; i < 8; i++", 0)]           // 8 steps: unrolled
    [InlineData("int i = 1; i < 2000; i *= 2", 1)]     // 11 steps, counted by running the header
    [InlineData("int i = 0, j = 0; i < 12 && j < 20; i++, j += 2", 1)]
    public void LoopHeaders_AreCountedAtBuildTime(string header, int loops)
    {
        string source = Model($$"""
                readonly Dense d = new(4, 4, Activation.Tanh);
                public Tensor Forward([Input(4)] Tensor x)
                {
                    for ({{header}}) x = d.Forward(x) * 0.5f + x;
                    return x;
                }
                public Tensor Loss(Tensor y) => (y * y).Mean();
            """);
        Assert.Equal(loops, Loops(source));
        CompiledModelHarness.AgreesWithReference(CompiledModelHarness.Run(source, "M", 2));
    }
}
