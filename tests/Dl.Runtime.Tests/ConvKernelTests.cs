using System;
using System.Linq;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// The convolution and pooling kernels against naive double loops, over shapes that take both the
/// direct AVX-512 path (stride 1) and im2col + GEMM (strides, dilation, groups), batches split over
/// two threads, partial column tiles and every fused activation.
/// </summary>
[Collection(WorkerCollection.Name)]
public partial class ConvKernelTests
{
    internal static float[] Random(int n, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    // c, h, w, o, k, stride, padding, dilation, groups
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 1, 28, 28, 6, 5, 1, 2, 1, 1 },     // LeNet conv1 (two column tiles, 12 lanes in the second)
        { 6, 14, 14, 16, 5, 1, 0, 1, 1 },    // LeNet conv2: rows of 10; channel vectors (forward at 256 and 128 bits, weight gradient at all)
        { 5, 9, 12, 32, 3, 1, 1, 1, 1 },     // two vectors of output channels, rows of 12 (one block of twelve pixels)
        { 3, 7, 5, 16, 3, 1, 2, 1, 1 },      // channel vectors, rows of 7 (one block) over padding
        { 2, 4, 20, 16, 3, 1, 1, 1, 1 },     // rows of 20: two blocks of ten
        { 2, 3, 25, 16, 3, 1, 1, 1, 1 },     // rows of 25: blocks of eight, eight and nine
        { 16, 5, 9, 8, 3, 1, 1, 1, 1 },      // 8 output channels: channel vectors at 256 and 128 bits, row tiles at 512
        { 3, 9, 11, 5, 3, 1, 1, 1, 1 },      // odd channel counts, non-square input
        { 4, 6, 40, 3, 7, 1, 3, 1, 1 },      // 7x7, three column tiles
        { 2, 5, 5, 9, 1, 1, 0, 1, 1 },       // 1x1
        { 2, 6, 6, 3, 2, 1, 1, 1, 1 },       // even kernel
        { 2, 9, 9, 4, 3, 2, 1, 1, 1 },       // strided: im2col
        { 2, 9, 9, 4, 3, 1, 2, 2, 1 },       // dilated: im2col
        { 4, 7, 7, 6, 3, 1, 1, 1, 2 },       // grouped: im2col
        { 3, 8, 8, 3, 3, 2, 1, 1, 3 },       // depthwise, strided
    };

    internal static ConvShape Shape(int c, int h, int w, int o, int k, int stride, int padding, int dilation, int groups)
    {
        int span = dilation * (k - 1) + 1;
        return new ConvShape(c, h, w, o, k, k, stride, dilation, padding, padding, groups, (h + 2 * padding - span) / stride + 1, (w + 2 * padding - span) / stride + 1);
    }

    /// <summary>Calls tap(x index, w index, y index) for every multiply-add of one image's convolution.</summary>
    internal static void Taps(ConvShape s, int n, Action<int, int, int> tap)
    {
        int cg = s.GroupChannels, og = s.GroupOutChannels;
        for (int o = 0; o < s.OutChannels; o++)
            for (int ci = 0; ci < cg; ci++)
                for (int ky = 0; ky < s.KernelH; ky++)
                    for (int kx = 0; kx < s.KernelW; kx++)
                        for (int oy = 0; oy < s.OutHeight; oy++)
                            for (int ox = 0; ox < s.OutWidth; ox++)
                            {
                                int iy = oy * s.Stride - s.PadTop + ky * s.Dilation, ix = ox * s.Stride - s.PadLeft + kx * s.Dilation;
                                if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                int c = o / og * cg + ci;
                                tap(n * s.InputSize + (c * s.Height + iy) * s.Width + ix, ((o * cg + ci) * s.KernelH + ky) * s.KernelW + kx,
                                    n * s.OutputSize + (o * s.OutHeight + oy) * s.OutWidth + ox);
                            }
    }

    internal static void Close(ReadOnlySpan<float> actual, double[] expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 + 1e-4 * Math.Abs(expected[i]), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_BackwardData_BackwardWeights_MatchNaive(int c, int h, int w, int o, int k, int stride, int padding, int dilation, int groups)
    {
        var s = Shape(c, h, w, o, k, stride, padding, dilation, groups);
        foreach (int batch in new[] { 1, 5 })
        {
            var x = Random(batch * s.InputSize, 1);
            var wt = Random(s.WeightSize, 2);
            var bias = Random(o, 3);
            var dy = Random(batch * s.OutputSize, 4);
            var y = new double[batch * s.OutputSize];
            var dx = new double[batch * s.InputSize];
            var dw = new double[s.WeightSize];
            for (int n = 0; n < batch; n++)
                Taps(s, n, (xi, wi, yi) => { y[yi] += x[xi] * wt[wi]; dx[xi] += dy[yi] * wt[wi]; dw[wi] += x[xi] * dy[yi]; });

            var actual = new float[batch * s.OutputSize];
            Conv.Forward(s, batch, x, wt, default, actual);
            Close(actual, y, "y");
            foreach (var activation in new[] { "Relu", "Sigmoid", "Tanh" })
            {
                if (activation == "Relu") Conv.Forward(s, batch, x, wt, bias, actual, new Dl.Operators.Relu());
                else if (activation == "Sigmoid") Conv.Forward(s, batch, x, wt, bias, actual, new Dl.Operators.Sigmoid());
                else Conv.Forward(s, batch, x, wt, bias, actual, new Dl.Operators.Tanh());
                var expected = y.Select((v, i) => v + bias[i / s.OutputPlane % o]).Select(v => activation switch
                {
                    "Relu" => Math.Max(v, 0),
                    "Sigmoid" => 1 / (1 + Math.Exp(-v)),
                    _ => Math.Tanh(v),
                }).ToArray();
                Close(actual, expected, "y " + activation);
            }
            var gx = Random(batch * s.InputSize, 9);   // overwritten, not accumulated into
            Conv.BackwardData(s, batch, dy, wt, gx);
            Close(gx, dx, "dx");
            var gw = Random(s.WeightSize, 10);
            Conv.BackwardWeights(s, batch, x, dy, gw);
            Close(gw, dw, "dw");
        }
    }

    /// <summary>The shapes above reach both direct kernels at every width, so each is checked against the naive sum.</summary>
    [Theory]
    [InlineData(16, 10, 16, true)]    // LeNet conv2 at 512 bits: 10 of a row tile's 16 lanes busy
    [InlineData(6, 28, 16, false)]    // LeNet conv1: 6 channels fill no vector
    [InlineData(32, 12, 16, true)]
    [InlineData(16, 7, 16, true)]
    [InlineData(16, 7, 8, false)]     // rows of 7 waste one lane in eight
    [InlineData(8, 9, 8, true)]
    [InlineData(8, 9, 4, true)]
    [InlineData(8, 9, 16, false)]
    [InlineData(16, 16, 16, false)]   // whole row tiles
    public void ChannelTiles_ChosenWhereRowTilesIdleAFifthOfTheirLanes(int cout, int ow, int lanes, bool expected) =>
        Assert.Equal(expected, DirectConv.PrefersChannelTiles(cout, ow, lanes));

    [Fact]
    public void LargeBatch_TwoThreadsAgreeWithOne()
    {
        var s = Shape(6, 14, 14, 16, 5, 1, 0, 1, 1);
        const int batch = 64;
        var x = Random(batch * s.InputSize, 5);
        var wt = Random(s.WeightSize, 6);
        var dy = Random(batch * s.OutputSize, 7);
        var dw1 = new float[s.WeightSize];
        var dw2 = new float[s.WeightSize];
        Conv.BackwardWeights(s, batch, x, dy, dw1);
        for (int n = 0; n < batch; n++)
        {
            var part = new float[s.WeightSize];
            Conv.BackwardWeights(s, 1, x.AsSpan(n * s.InputSize, s.InputSize), dy.AsSpan(n * s.OutputSize, s.OutputSize), part);
            for (int i = 0; i < part.Length; i++) dw2[i] += part[i];
        }
        // The same sums in another order: equal up to rounding.
        Close(dw1, dw2.Select(v => (double)v).ToArray(), "dw");
    }

    [Theory]
    [InlineData(2, 2, 0, 8, 8)]
    [InlineData(2, 2, 0, 7, 9)]
    [InlineData(2, 2, 0, 4, 28)]        // 16-column vector steps, the last one moved back to overlap
    [InlineData(2, 2, 0, 5, 23)]
    [InlineData(2, 2, 0, 4, 28, true)]  // ReLU-like inputs: ties at zero go to the first maximum
    [InlineData(2, 2, 0, 5, 23, true)]
    [InlineData(3, 2, 1, 7, 9)]
    [InlineData(2, 1, 0, 5, 6)]
    [InlineData(2, 2, 0, 28, 28, true, 384)]    // LeNet's pool1 at batch 64: split by images with the helper thread
    [InlineData(2, 2, 0, 10, 10, true, 1024)]   // pool2: rows too short for vector steps, split as well
    public void Pooling_MatchesNaive(int k, int stride, int padding, int h, int w, bool ties = false, int planes = 6)
    {
        int oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1;
        var x = Random(planes * h * w, 11);
        if (ties) for (int i = 0; i < x.Length; i++) x[i] = x[i] > 0.3f ? x[i] : 0f;
        var dy = Random(planes * oh * ow, 12);
        var max = new float[planes * oh * ow];
        var avg = new float[planes * oh * ow];
        var dmax = new float[planes * h * w];
        var davg = new float[planes * h * w];
        Pooling.MaxForward(x, max, planes, h, w, k, stride, padding, oh, ow);
        Pooling.AvgForward(x, avg, planes, h, w, k, stride, padding, oh, ow);
        Pooling.MaxBackward(x, dy, dmax, planes, h, w, k, stride, padding, oh, ow);
        Pooling.AvgBackward(dy, davg, planes, h, w, k, stride, padding, oh, ow);
        var edmax = new double[dmax.Length];
        var edavg = new double[davg.Length];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int o = (p * oh + i) * ow + j, best = -1;
                    double sum = 0;
                    for (int a = i * stride - padding; a < i * stride - padding + k; a++)
                        for (int b = j * stride - padding; b < j * stride - padding + k; b++)
                        {
                            if (a < 0 || a >= h || b < 0 || b >= w) continue;
                            int at = (p * h + a) * w + b;
                            sum += x[at];
                            edavg[at] += dy[o] / (k * k);
                            if (best < 0 || x[at] > x[best]) best = at;
                        }
                    Assert.Equal(x[best], max[o]);
                    Assert.Equal(sum / (k * k), avg[o], 1e-6);   // a tolerance: rounding to 5 places flips at .5 boundaries
                    edmax[best] += dy[o];
                }
        Close(dmax, edmax, "dmax");
        Close(davg, edavg, "davg");
    }
}
