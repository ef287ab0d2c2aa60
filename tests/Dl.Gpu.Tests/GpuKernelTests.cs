using Dl.Cpu;
using Dl.Models.Tests;
using ILGPU;
using ILGPU.Runtime;

namespace Dl.Gpu.Tests;

/// <summary>Each hand-written runtime kernel on ILGPU's CPU accelerator against a plain double-precision loop.</summary>
[Collection(AcceleratorCollection.Name)]
public class GpuKernelTests
{
    private static GpuDevice Device => Accelerator.Device;
    private static AcceleratorStream Stream => Device.Stream;

    private static MemoryBuffer1D<T, Stride1D.Dense> Up<T>(T[] data) where T : unmanaged => Device.Accelerator.Allocate1D(data);

    private static float[] Down(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        Device.Synchronize();
        return buffer.GetAsArray1D();
    }

    /// <summary>Five shapes a kernel: with the epilogue rotating per shape, every transpose meets every epilogue.</summary>
    public static TheoryData<GemmVariant, int, int, int, int> GemmShapes => new()
    {
        { GemmVariant.Tile16, 0, 1, 1, 1 },
        { GemmVariant.Tile16, 1, 5, 7, 3 },
        { GemmVariant.Tile16, 2, 19, 17, 20 },
        { GemmVariant.Tile16, 3, 3, 18, 5 },
        { GemmVariant.Tile16, 4, 20, 2, 33 },
        { GemmVariant.Block128, 0, 3, 5, 2 },
        { GemmVariant.Block128, 1, 131, 7, 9 },
        { GemmVariant.Block128, 2, 5, 130, 3 },
        { GemmVariant.Block128, 3, 17, 20, 21 },
        { GemmVariant.Block128, 4, 2, 3, 17 },
    };

    private static readonly string[] s_epilogues = { "none", "bias+relu", "bias+sigmoid", "tanh", "mask" };

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void Gemm_matches_a_double_loop_for_every_transpose_and_epilogue(GemmVariant variant, int shape, int m, int n, int k)
    {
        int seed = shape * 10;
        foreach (var (transA, transB, t) in new[] { (false, false, 0), (true, false, 1), (false, true, 2), (true, true, 3) })
        {
            var epilogue = s_epilogues[(t + shape) % s_epilogues.Length];
            seed++;
            // Leading dimensions wider than the rows they hold: the kernels must honour them.
            int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
            var a = TestInputs.Floats((transA ? k : m) * lda, seed);
            var b = TestInputs.Floats((transB ? n : k) * ldb, seed + 100);
            var bias = TestInputs.Floats(n, seed + 200);
            var mask = TestInputs.Floats(m * n, seed + 300);
            var c = Enumerable.Repeat(7f, m * ldc).ToArray();
            var activation = epilogue switch
            {
                "bias+relu" => "Relu",
                "bias+sigmoid" => "Sigmoid",
                "tanh" => "Tanh",
                _ => "None",
            };
            bool hasBias = epilogue.StartsWith("bias"), hasMask = epilogue == "mask";

            using var da = Up(a); using var db = Up(b); using var dc = Up(c); using var dbias = Up(bias); using var dmask = Up(mask);
            var biasView = hasBias ? dbias.View : default;
            var maskView = hasMask ? dmask.View : default;
            // The activation is the kernels' operator type argument.
            if (activation == "Relu") Device.Kernels.Gemm(Stream, m, n, k, da.View, lda, transA, db.View, ldb, transB, dc.View, ldc, new Dl.Operators.Relu(), biasView, maskView, n, variant);
            else if (activation == "Sigmoid") Device.Kernels.Gemm(Stream, m, n, k, da.View, lda, transA, db.View, ldb, transB, dc.View, ldc, new Dl.Operators.Sigmoid(), biasView, maskView, n, variant);
            else if (activation == "Tanh") Device.Kernels.Gemm(Stream, m, n, k, da.View, lda, transA, db.View, ldb, transB, dc.View, ldc, new Dl.Operators.Tanh(), biasView, maskView, n, variant);
            else Device.Kernels.Gemm(Stream, m, n, k, da.View, lda, transA, db.View, ldb, transB, dc.View, ldc, biasView, maskView, n, variant);
            var got = Down(dc);

            var expected = (double[])c.Select(v => (double)v).ToArray();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int p = 0; p < k; p++)
                        v += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    if (hasBias) v += bias[j];
                    v = activation switch
                    {
                        "Relu" => Math.Max(v, 0),
                        "Sigmoid" => 1 / (1 + Math.Exp(-v)),
                        "Tanh" => Math.Tanh(v),
                        _ => v,
                    };
                    if (hasMask && !(mask[i * n + j] > 0)) v = 0;
                    expected[i * ldc + j] = v;
                }
            Near.All(got, expected, 1e-5, 1e-4, $"{variant} {m}x{n}x{k} transA={transA} transB={transB} {epilogue}: C");
        }
    }

    /// <summary>The activations added after the first five, as the GEMM store's operator on the accelerator, against the op's double meaning.</summary>
    [Theory]
    [InlineData("Silu")]
    [InlineData("GeluTanh")]
    [InlineData("HardSigmoid")]
    [InlineData("Pow")]
    [InlineData("Clamp")]
    [InlineData("Gelu")]
    public void Gemm_epilogue_applies_each_newer_activation_like_the_evaluator(string op)
    {
        switch (op)
        {
            case "Silu": GemmWith(new Dl.Operators.Silu(), new Dl.Graph.SiluOp()); break;
            case "GeluTanh": GemmWith(new Dl.Operators.GeluTanh(), new Dl.Graph.GeluTanhOp()); break;
            case "HardSigmoid": GemmWith(new Dl.Operators.HardSigmoid(), new Dl.Graph.HardSigmoidOp()); break;
            case "Gelu": GemmWith(new Dl.Operators.Gelu(), new Dl.Graph.GeluOp()); break;
            case "Clamp": GemmWith(new Dl.Operators.Clamp(-2f, 3f), new Dl.Graph.ClampOp(-2, 3)); break;
            case "Pow": GemmWith(new Dl.Operators.Pow(3f), new Dl.Graph.PowOp(3)); break;   // odd: defined on both sides
            default: throw new ArgumentException(op);
        }
    }

    private static void GemmWith<TOperator>(TOperator activation, Dl.Graph.UnaryOp reference) where TOperator : struct, Dl.Operators.IUnaryOperator
    {
        foreach (var variant in new[] { GemmVariant.Tile16, GemmVariant.Block128 })
        {
            const int m = 19, n = 17, k = 5;
            var a = TestInputs.Floats(m * k, 1).Select(v => v * 4).ToArray();   // products over about ±10: both tails of the activation
            var b = TestInputs.Floats(k * n, 2);
            var bias = TestInputs.Floats(n, 3);
            using var da = Up(a); using var db = Up(b); using var dc = Up(new float[m * n]); using var dbias = Up(bias);
            Device.Kernels.Gemm(Stream, m, n, k, da.View, k, false, db.View, n, false, dc.View, n, activation, dbias.View, default, n, variant);
            var got = Down(dc);
            var expected = new double[m * n];
            var context = new Dl.Graph.EvalContext(m);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = bias[j];
                    for (int p = 0; p < k; p++) v += (double)a[i * k + p] * b[p * n + j];
                    expected[i * n + j] = reference.Apply(v, context);
                }
            Near.All(got, expected, 1e-5, 1e-4, $"{variant} {reference.Name}: C");
        }
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(7, 10)]
    [InlineData(300, 5)]
    public void SoftmaxCrossEntropy_gives_the_mean_loss_and_the_scaled_gradient(int rows, int cols)
    {
        var z = TestInputs.Floats(rows * cols, rows, 3);
        var labels = TestInputs.Labels(rows, cols, rows + 1);
        float scale = 1f / rows;
        using var dz = Up(z); using var dl = Up(labels);
        using var loss = Device.Accelerator.Allocate1D<float>(1);
        using var grad = Device.Accelerator.Allocate1D<float>(rows * cols);
        Device.Kernels.SoftmaxCrossEntropy(Stream, dz.View, dl.View, rows, cols, loss.View, grad.View, scale);

        double total = 0;
        var expectedGrad = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            var row = z.Skip(r * cols).Take(cols).Select(v => (double)v).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            total += Math.Log(sum) - (row[labels[r]] - max);
            for (int j = 0; j < cols; j++)
                expectedGrad[r * cols + j] = (Math.Exp(row[j] - max) / sum - (j == labels[r] ? 1 : 0)) * scale;
        }
        Near.All(Down(loss), new[] { total / rows }, 1e-5, 1e-5, "loss");
        Near.All(Down(grad), expectedGrad, 1e-6, 1e-4, "dLogits");
    }

    [Fact]
    public void SoftmaxCrossEntropy_reports_a_label_out_of_range_as_NaN()
    {
        using var dz = Up(new float[] { 1, 2, 3, 4 }); using var dl = Up(new[] { 0, 2 });
        using var loss = Device.Accelerator.Allocate1D<float>(1);
        Device.Kernels.SoftmaxCrossEntropy(Stream, dz.View, dl.View, 2, 2, loss.View, default, 1f);
        Assert.True(float.IsNaN(Down(loss)[0]));
    }

    [Theory]
    [InlineData(1, 64, 128)]   // bias gradient of a 128-wide layer: one thread per column
    [InlineData(1, 1000, 1)]   // a long sum to a scalar: one group, shared-memory tree
    [InlineData(3, 300, 2)]
    [InlineData(5, 4, 1)]
    public void Sum_reduces_the_middle_axis(int outer, int reduce, int inner)
    {
        var x = TestInputs.Floats(outer * reduce * inner, reduce);
        using var dx = Up(x); using var dy = Device.Accelerator.Allocate1D<float>(outer * inner);
        Device.Kernels.Sum(Stream, dx.View, outer, reduce, inner, dy.View);
        var expected = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int r = 0; r < reduce; r++)
                for (int i = 0; i < inner; i++)
                    expected[o * inner + i] += x[(o * reduce + r) * inner + i];
        Near.All(Down(dy), expected, 1e-4, 1e-5, "sum");
    }

    [Fact]
    public void Softmax_LogSoftmax_Broadcast_Transpose_OneHot_Fill_Copy()
    {
        var x = TestInputs.Floats(12, 5, 4);
        using var dx = Up(x); using var dy = Device.Accelerator.Allocate1D<float>(12);
        Device.Kernels.Softmax(Stream, dx.View, 3, 4, dy.View);
        var soft = new float[12];
        Rows.Softmax(x, 3, 4, soft);
        Near.All(Down(dy), soft, 1e-6, 1e-5, "softmax");

        Device.Kernels.LogSoftmax(Stream, dx.View, 3, 4, dy.View);
        Rows.LogSoftmax(x, 3, 4, soft);
        Near.All(Down(dy), soft, 1e-5, 1e-5, "log-softmax");

        using var dz = Device.Accelerator.Allocate1D<float>(24);
        Device.Kernels.Broadcast(Stream, dx.View.SubView(0, 6), 2, 4, 3, dz.View);
        var broadcast = new float[24];
        Reduce.Broadcast(x.AsSpan(0, 6), 2, 4, 3, broadcast);
        Near.All(Down(dz), broadcast, 0, 0, "broadcast");

        Device.Kernels.Transpose(Stream, dx.View, 3, 4, dy.View);
        var transposed = new float[12];
        Reduce.Transpose(x, 3, 4, transposed);
        Near.All(Down(dy), transposed, 0, 0, "transpose");

        using var labels = Up(new[] { 2, 0, 9 });
        Device.Kernels.OneHot(Stream, labels.View, 3, 4, dy.View);
        Near.All(Down(dy), new float[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, 0, 0, "one-hot");

        Device.Kernels.Fill(Stream, dy.View.SubView(2, 3), 0.5f);
        Device.Kernels.Copy(Stream, dy.View.SubView(0, 4), dz.View.SubView(0, 4));
        Near.All(Down(dz).AsSpan(0, 4), new float[] { 0, 0, 0.5f, 0.5f }, 0, 0, "fill then copy");
    }

    [Fact]
    public void Losses_and_Sgd()
    {
        var a = TestInputs.Floats(37, 1, 2);
        var b = TestInputs.Floats(37, 2).Select(v => (v + 1) / 2).ToArray();
        using var da = Up(a); using var db = Up(b); using var y = Device.Accelerator.Allocate1D<float>(1);
        Device.Kernels.MeanSquaredError(Stream, da.View, db.View, 37, y.View);
        Near.All(Down(y), new[] { a.Zip(b, (u, v) => (double)(u - v) * (u - v)).Average() }, 1e-6, 1e-5, "mse");
        Device.Kernels.BinaryCrossEntropy(Stream, da.View, db.View, 37, y.View);
        Near.All(Down(y), new[] { a.Zip(b, (z, t) => Math.Max(z, 0) - (double)z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)))).Average() }, 1e-6, 1e-5, "bce");

        Device.Kernels.Sgd(Stream, da.View, db.View, 0.25f);
        Near.All(Down(da), a.Zip(b, (p, g) => (double)(p - 0.25f * g)).ToArray(), 1e-7, 1e-6, "sgd");
    }
}
