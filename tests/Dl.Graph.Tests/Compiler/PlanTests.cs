using System.Collections.Generic;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.Graph.Tests.Compiler;

/// <summary>What the compiler decides for the MLP: which nodes fuse, where values live, what is emitted.</summary>
public class PlanTests
{
    private static ModelGraph Mlp()
    {
        var g = new GraphBuilder();
        var x = g.Input("image", new Shape(Dim.Batch, 784));
        var y = g.Input("label", new Shape(Dim.Batch), DType.Int32);
        var h = Layers.Dense(g, "hidden", x, 784, 128, new ReluOp());
        var o = Layers.Dense(g, "output", h, 128, 10);
        return new ModelGraph("Mlp", g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1);
    }

    private static string[] Names(EntryPoint e) => e.Kernels.Select(k => k.Describe()).ToArray();

    [Fact]
    public void Forward_FusesBiasAndActivationIntoTheGemms()
    {
        var plan = ModelCompiler.Compile(Mlp());
        Assert.Equal(new[] { "MatMul_BiasAdd_Relu", "MatMul_BiasAdd" }, Names(plan.Predict));
    }

    [Fact]
    public void TrainingStep_IsEightKernels_WithFusedLossGradientAndReluMask()
    {
        var plan = ModelCompiler.Compile(Mlp());
        Assert.Equal(new[]
        {
            "MatMul_BiasAdd_Relu", "MatMul_BiasAdd",
            "Softmax_OneHot_Sub_Scale_SoftmaxCrossEntropy",   // loss and dlogits in one pass
            "SumTo", "MatMul",                                 // output layer's bias and weight gradients
            "MatMul_Step_Mul",                                 // dh = dlogits·W2ᵀ masked by the ReLU
            "SumTo", "MatMul",                                 // hidden layer's gradients, in backprop order
        }, Names(plan.Gradients!));
        // Transposed operands are GEMM flags, never copies.
        Assert.DoesNotContain(plan.Gradients!.Kernels, k => k.Fused.Any(n => n.Op is TransposeOp) && k is not GemmKernel);
        Assert.Contains(plan.Gradients!.Kernels.OfType<GemmKernel>(), k => k.TransA);
        Assert.Contains(plan.Gradients!.Kernels.OfType<GemmKernel>(), k => k.TransB);
    }

    [Fact]
    public void Gradients_AreWrittenStraightIntoTheGradientArray()
    {
        var plan = ModelCompiler.Compile(Mlp());
        var e = plan.Gradients!;
        Assert.DoesNotContain(e.Kernels, k => k is GradientCopyKernel);
        var written = e.Kernels.SelectMany(k => k.Writes).Where(n => e.Locations[n] is GradientLocation).ToList();
        Assert.Equal(4, written.Count);
    }

    [Fact]
    public void MemoryPlanner_ReusesDeadBuffers()
    {
        // Four layers: the gradient of the last hidden layer is dead by the time the first one's is computed.
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 32));
        var y = g.Input("y", new Shape(Dim.Batch), DType.Int32);
        var h = x;
        for (int i = 0; i < 3; i++) h = Layers.Dense(g, "h" + i, h, 32, 32, new ReluOp());
        var o = Layers.Dense(g, "o", h, 32, 10);
        var plan = ModelCompiler.Compile(new ModelGraph("Deep", g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1));
        var e = plan.Gradients!;
        long perSampleIfNoReuse = e.Kernels.SelectMany(k => k.Writes)
            .Where(n => e.Locations[n] is ArenaLocation { PerSample: true }).Sum(n => (n.Shape.StaticCount + 15) / 16 * 16);
        Assert.True(e.PerSampleSize < perSampleIfNoReuse, $"arena {e.PerSampleSize} floats/sample, without reuse {perSampleIfNoReuse}");
    }

    [Fact]
    public void MemoryPlanner_NeverOverlapsLiveValues()
    {
        var plan = ModelCompiler.Compile(Mlp());
        foreach (var e in plan.EntryPoints)
        {
            // Interval of each arena value: from the kernel writing it to its last reader (roots: to the end).
            var spans = new List<(long Start, long End, int From, int To, Node Node)>();
            for (int t = 0; t < e.Kernels.Count; t++)
                foreach (var w in e.Kernels[t].Writes)
                    if (e.Locations[w] is ArenaLocation a)
                    {
                        int last = e.Roots.Contains(w) ? int.MaxValue : Enumerable.Range(t, e.Kernels.Count - t).Where(u => e.Kernels[u].Reads.Any(r => MemoryPlanner.Base(r) == w)).DefaultIfEmpty(t).Max();
                        long size = w.Shape.StaticCount;
                        spans.Add((a.Offset + (a.PerSample ? 1L << 40 : 0), a.Offset + size + (a.PerSample ? 1L << 40 : 0), t, last, w));
                    }
            foreach (var p in spans)
                foreach (var q in spans)
                    if (p.Node != q.Node && p.Start < q.End && q.Start < p.End)
                        Assert.True(p.To < q.From || q.To < p.From, $"{e.Name}: {p.Node} and {q.Node} share memory while both live");
        }
    }

    [Fact]
    public void Emission_IsDeterministic()
    {
        var decl = new ModelDeclaration("Demo", "Mlp", "public", System.Array.Empty<string>());
        string a = ModelCompiler.Generate(Mlp(), decl), b = ModelCompiler.Generate(Mlp(), decl);
        Assert.Equal(a, b);
        Assert.StartsWith("// <auto-generated/>", a);
        Assert.Contains("#nullable enable", a);
        Assert.Contains("MatMul_BiasAdd_Relu_", a);
    }

    [Fact]
    public void InferenceOnlyModel_HasOnlyPredict()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 4));
        var y = Layers.Dense(g, "d", x, 4, 2, new SigmoidOp());
        var plan = ModelCompiler.Compile(new ModelGraph("Inf", g, new[] { x }, y, null));
        Assert.Null(plan.Gradients);
        string code = CpuEmitter.Emit(plan, new ModelDeclaration(null, "Inf", "internal", System.Array.Empty<string>()));
        Assert.Contains("Predict(", code);
        Assert.DoesNotContain("TrainStep(", code);
    }

    /// <summary>Any unary op, not just ReLU/sigmoid/tanh, fuses into a product's store as its operator struct.</summary>
    [Theory]
    [InlineData("Elu", "new global::Dl.Operators.Elu(0.5f)")]
    [InlineData("LeakyRelu", "new global::Dl.Operators.LeakyRelu(0.1f)")]
    [InlineData("Softplus", "default(global::Dl.Operators.Softplus)")]
    [InlineData("Silu", "default(global::Dl.Operators.Silu)")]
    [InlineData("GeluTanh", "default(global::Dl.Operators.GeluTanh)")]
    [InlineData("HardSigmoid", "default(global::Dl.Operators.HardSigmoid)")]
    [InlineData("Sqrt", "default(global::Dl.Operators.Sqrt)")]
    [InlineData("Pow", "new global::Dl.Operators.Pow(2.5f)")]
    [InlineData("Clamp", "new global::Dl.Operators.Clamp(-0.25f, 1.5f)")]
    [InlineData("Gelu", "default(global::Dl.Operators.Gelu)")]
    [InlineData("Scale", "new global::Dl.Operators.Scale((float)(0.5 / (double)n))")]
    public void AnyUnaryOp_FusesIntoTheGemmStore(string op, string emitted)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 4));
        var h = g.BiasAdd(g.MatMul(x, g.Param("w", new Shape(4, 3), Init.Glorot)), g.Param("b", new Shape(3), Init.Zeros));
        var y = op switch
        {
            "Elu" => g.Elu(h, 0.5),
            "LeakyRelu" => g.LeakyRelu(h, 0.1),
            "Softplus" => g.Softplus(h),
            "Silu" => g.Silu(h),
            "GeluTanh" => g.GeluTanh(h),
            "HardSigmoid" => g.HardSigmoid(h),
            "Sqrt" => g.Sqrt(h),
            "Pow" => g.Pow(h, 2.5),
            "Clamp" => g.Clamp(h, -0.25, 1.5),
            "Gelu" => g.Gelu(h),
            _ => g.Scale(h, 0.5, -1),
        };
        var plan = ModelCompiler.Compile(new ModelGraph("Any", g, new[] { x }, y, null));
        Assert.Equal(new[] { "MatMul_BiasAdd_" + op }, Names(plan.Predict));
        string code = CpuEmitter.Emit(plan, new ModelDeclaration(null, "Any", "internal", System.Array.Empty<string>()));
        Assert.Contains("new global::Dl.Cpu.GemmEpilogue { Bias = bias }, " + emitted + ");", code);
    }

    /// <summary>A comparison, a Where and the ops around them (three operands, one broadcast) are one elementwise loop after the product.</summary>
    [Fact]
    public void ComparisonAndWhere_FuseIntoOneElementwiseLoop()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 4));
        var h = g.MatMul(x, g.Param("w", new Shape(4, 3), Init.Glorot));
        var threshold = g.Param("t", new Shape(3), Init.Zeros);
        var y = g.Where(g.Greater(h, threshold), g.Clamp(h, -1, 1), g.Pow(h, 3));
        var plan = ModelCompiler.Compile(new ModelGraph("Any", g, new[] { x }, y, null));
        var names = Names(plan.Predict);
        Assert.Equal(2, names.Length);
        Assert.Equal("MatMul", names[0]);
        foreach (var op in new[] { "Greater", "Clamp", "Pow", "Where" }) Assert.Contains(op, names[1]);
        string code = CpuEmitter.Emit(plan, new ModelDeclaration(null, "Any", "internal", System.Array.Empty<string>()));
        Assert.Contains("default(global::Dl.Operators.Where)", code);
        Assert.Contains("default(global::Dl.Operators.Greater)", code);
    }
}
