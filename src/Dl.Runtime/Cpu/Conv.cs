using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

using System.Runtime.CompilerServices;
using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// 2-D convolutions over NCHW batches. Stride-1 convolutions run the direct AVX-512 kernels of
/// <see cref="DirectConv"/> (measured several times faster than im2col + GEMM at the channel counts
/// of LeNet and small ResNets); the rest use im2col + <see cref="Gemm"/>: per image and group the
/// input is unfolded into a [C/g·kh·kw, OH·OW] matrix and multiplied by the weights, with bias and
/// activation fused into the product's epilogue (a pointwise 1x1 convolution skips the unfolding).
/// The batch is cut in fixed parts, one per thread of the <see cref="WorkerPool"/>. Scratch is per
/// thread and grown only when a larger convolution arrives, so a training step allocates nothing; what
/// a worker writes for a caller (its part's weight gradient) lives in the caller's scratch, never in
/// the worker's own.
/// </summary>
public static unsafe partial class Conv
{
    /// <summary>Multiply-adds per part below which fewer threads are faster (a call of 400K splits in two).</summary>
    private const long MinPartWork = 200_000;

    /// <summary>y[n] = act(conv(x[n], w) + bias) for each of <paramref name="batch"/> images; bias may be empty.</summary>
    public static void Forward(in ConvShape s, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y) =>
        Forward(in s, batch, x, w, bias, y, default(Identity));

    /// <summary>y[n] = activation(conv(x[n], w) + bias): any unary operator fuses into the store.</summary>
    public static void Forward<TActivation>(in ConvShape s, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        TActivation activation) where TActivation : struct, IUnaryOperator
    {
        Check(s, batch, x.Length, s.InputSize, "x");
        Check(s, batch, y.Length, s.OutputSize, "y");
        if (w.Length != s.WeightSize) throw new ArgumentException($"w: expected {s.WeightSize} values, got {w.Length}");
        if (!bias.IsEmpty && bias.Length != s.OutChannels) throw new ArgumentException($"bias: expected {s.OutChannels} values, got {bias.Length}");
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            var job = new Activated<TActivation> { Job = new Job { Shape = s, X = px, W = pw, Bias = bias.IsEmpty ? null : pb, Y = py }, Activation = activation };
            if (DirectConv.Supports(s))
            {
                job.Job.Arranged = ArrangedWeights.Forward(pw, in s);
                WorkerPool.Run(&DirectForwardImages<TActivation>, Unsafe.AsPointer(ref job), batch, Parts(in s, batch));
                return;
            }
            WorkerPool.Run(&ForwardImages<TActivation>, Unsafe.AsPointer(ref job), batch, Parts(in s, batch));
        }
    }

    /// <summary>
    /// dx[n] = the adjoint of the convolution applied to dy[n]: the input gradient of a convolution,
    /// and the forward of a transposed convolution (with dy as its input). dx is overwritten.
    /// </summary>
    public static void BackwardData(in ConvShape s, int batch, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        Check(s, batch, dx.Length, s.InputSize, "dx");
        Check(s, batch, dy.Length, s.OutputSize, "dy");
        if (w.Length != s.WeightSize) throw new ArgumentException($"w: expected {s.WeightSize} values, got {w.Length}");
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            var job = new Job { Shape = s, X = pdx, W = pw, Y = pdy };
            if (DirectConv.Supports(s))
            {
                job.Arranged = ArrangedWeights.Flipped(pw, in s);
                WorkerPool.Run(&DirectBackwardDataImages, &job, batch, Parts(in s, batch));
                return;
            }
            WorkerPool.Run(&BackwardDataImages, &job, batch, Parts(in s, batch));
        }
    }

    /// <summary>dw = Σ over the batch of the correlation of x[n] with dy[n] (the weight gradient); dw is overwritten.</summary>
    public static void BackwardWeights(in ConvShape s, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw)
    {
        Check(s, batch, x.Length, s.InputSize, "x");
        Check(s, batch, dy.Length, s.OutputSize, "dy");
        if (dw.Length != s.WeightSize) throw new ArgumentException($"dw: expected {s.WeightSize} values, got {dw.Length}");
        dw.Clear();
        fixed (float* px = x, pdy = dy, pdw = dw)
        {
            var job = new Job { Shape = s, X = px, W = pdw, Y = pdy };
            int parts = Parts(in s, batch);
            delegate*<void*, int, int, int, void> body = DirectConv.Supports(s) ? &DirectBackwardWeightImages : &BackwardWeightImages;
            // Part i > 0 of the batch is summed into slice i - 1 of this thread's buffer, wherever it runs
            // (no other caller can reach it), and the slices are added in here in part order: the same
            // sum whether or not the pool was free. The order of that sum depends on the number of
            // parts, so the weight gradient differs in the last bits between thread counts.
            if (parts > 1) job.Partial = Scratch.Partial((long)(parts - 1) * s.WeightSize);
            if (WorkerPool.RunParts(body, &job, batch, parts))
                for (int i = 1; i < parts; i++) TensorPrimitives.Add(dw, new ReadOnlySpan<float>(job.Partial + (long)(i - 1) * s.WeightSize, s.WeightSize), dw);
            else body(&job, 0, batch, 0);
        }
    }

    /// <summary>The parts a call's batch is cut in: one per thread, each of at least <see cref="MinPartWork"/> multiply-adds.</summary>
    private static int Parts(in ConvShape s, int batch) => WorkerPool.Parts(batch, s.Work * batch, MinPartWork);

    private static void Check(in ConvShape s, int batch, int length, int perImage, string name)
    {
        if (batch < 0 || length != (long)batch * perImage)
            throw new ArgumentException($"{name}: {batch} images of {perImage} values need {(long)batch * perImage}, got {length}");
    }

    /// <summary>The operands of one call, shared with the workers through a pointer to the caller's stack.</summary>
    private struct Job
    {
        public ConvShape Shape;
        public float* X, W, Bias, Y, Partial, Arranged;
    }

    /// <summary>A forward job with the activation its stores apply.</summary>
    private struct Activated<TAct> where TAct : struct, IUnaryOperator
    {
        public Job Job;
        public TAct Activation;
    }

    private static void DirectForwardImages<TAct>(void* context, int begin, int end, int part) where TAct : struct, IUnaryOperator
    {
        ref var activated = ref Unsafe.AsRef<Activated<TAct>>(context);
        ref var job = ref activated.Job;
        var s = job.Shape;
        int k = s.KernelH, hp = s.OutHeight + k - 1, wp = DirectConv.PaddedWidth(s.OutWidth, k);
        long padded = (long)s.Channels * hp * wp;
        float* xp = Scratch.Columns(padded);
        new Span<float>(xp, (int)padded).Clear();   // the borders stay zero; every image rewrites the interior
        for (int n = begin; n < end; n++)
        {
            DirectConv.Pad(job.X + (long)n * s.InputSize, s.Channels, s.Height, s.Width, xp, hp, wp, s.PadTop, s.PadLeft);
            DirectConv.Correlate(xp, s.Channels, hp, wp, s.PadTop, s.Height, job.Arranged, s.OutChannels, k, job.Bias, job.Y + (long)n * s.OutputSize, s.OutHeight, s.OutWidth, in activated.Activation);
        }
    }

    private static void DirectBackwardDataImages(void* context, int begin, int end, int part)
    {
        ref var job = ref *(Job*)context;
        var s = job.Shape;
        int k = s.KernelH, hp = s.Height + k - 1, wp = DirectConv.PaddedWidth(s.Width, k);
        long padded = (long)s.OutChannels * hp * wp;
        float* dyp = Scratch.Columns(padded);
        new Span<float>(dyp, (int)padded).Clear();
        for (int n = begin; n < end; n++)
        {
            DirectConv.Pad(job.Y + (long)n * s.OutputSize, s.OutChannels, s.OutHeight, s.OutWidth, dyp, hp, wp, k - 1 - s.PadTop, k - 1 - s.PadLeft);
            DirectConv.Correlate(dyp, s.OutChannels, hp, wp, k - 1 - s.PadTop, s.OutHeight, job.Arranged, s.Channels, k, null, job.X + (long)n * s.InputSize, s.Height, s.Width, default(Identity));
        }
    }

    /// <summary>Images padded in chunks (inputs and output gradients side by side), each chunk's weight gradient added to this thread's sum.</summary>
    private static void DirectBackwardWeightImages(void* context, int begin, int end, int part)
    {
        const int Chunk = 16;
        ref var job = ref *(Job*)context;
        var s = job.Shape;
        float* dw = part == 0 ? job.W : ClearedPartial(in job, part);
        int k = s.KernelH, hp = s.OutHeight + k - 1, wp = DirectConv.PaddedWidth(s.OutWidth, k);
        long xImage = (long)s.Channels * hp * wp, dyImage = (long)s.OutChannels * s.OutHeight * wp;
        float* xs = Scratch.Columns(Chunk * (xImage + dyImage));
        float* dys = xs + Chunk * xImage;
        bool pixelMajor = DirectConv.WeightGradientIsPixelMajor(s.OutChannels, s.OutWidth);
        // Zeroed once: every chunk rewrites the same interiors (rows, or whole pixel-major images) and
        // leaves the zero borders as they were; a short last chunk's stale images are never read.
        new Span<float>(xs, (int)(Chunk * (xImage + dyImage))).Clear();
        for (int n0 = begin; n0 < end; n0 += Chunk)
        {
            int count = Math.Min(Chunk, end - n0);
            for (int i = 0; i < count; i++)
            {
                DirectConv.Pad(job.X + (long)(n0 + i) * s.InputSize, s.Channels, s.Height, s.Width, xs + i * xImage, hp, wp, s.PadTop, s.PadLeft);
                if (pixelMajor) DirectConv.PixelMajor(job.Y + (long)(n0 + i) * s.OutputSize, s.OutChannels, s.OutputPlane, dys + i * dyImage);
                else DirectConv.Pad(job.Y + (long)(n0 + i) * s.OutputSize, s.OutChannels, s.OutHeight, s.OutWidth, dys + i * dyImage, s.OutHeight, wp, 0, 0);
            }
            DirectConv.WeightGradient(xs, dys, count, s.Channels, hp, wp, s.OutChannels, k, s.OutHeight, s.OutWidth, dw);
        }
    }

    /// <summary>The caller's buffer for part <paramref name="part"/>'s weight gradient, zeroed.</summary>
    private static float* ClearedPartial(in Job job, int part)
    {
        float* partial = job.Partial + (long)(part - 1) * job.Shape.WeightSize;
        new Span<float>(partial, job.Shape.WeightSize).Clear();
        return partial;
    }

    private static void ForwardImages<TAct>(void* context, int begin, int end, int part) where TAct : struct, IUnaryOperator
    {
        ref var activated = ref Unsafe.AsRef<Activated<TAct>>(context);
        ref var job = ref activated.Job;
        var s = job.Shape;
        int og = s.GroupOutChannels, k = s.PatchSize, p = s.OutputPlane;
        float* col = s.IsPointwise ? null : Scratch.Columns((long)k * p);
        for (int n = begin; n < end; n++)
            for (int g = 0; g < s.Groups; g++)
            {
                float* x = job.X + (long)n * s.InputSize + (long)g * s.GroupChannels * s.InputPlane;
                float* y = job.Y + (long)n * s.OutputSize + (long)g * og * p;
                float* b = x;
                if (!s.IsPointwise) { Im2Col.Unfold(in s, x, col); b = col; }
                // The bias is per output channel, a row of this product: seed the rows with it and accumulate.
                if (job.Bias != null)
                    for (int o = 0; o < og; o++) new Span<float>(y + (long)o * p, p).Fill(job.Bias[g * og + o]);
                Gemm.Multiply(og, p, k, new ReadOnlySpan<float>(job.W + (long)g * og * k, og * k), k, false,
                    new ReadOnlySpan<float>(b, k * p), p, false, new Span<float>(y, og * p), p,
                    new GemmEpilogue { Accumulate = job.Bias != null }, activated.Activation);
            }
    }

    private static void BackwardDataImages(void* context, int begin, int end, int part)
    {
        ref var job = ref *(Job*)context;
        var s = job.Shape;
        int og = s.GroupOutChannels, k = s.PatchSize, p = s.OutputPlane;
        float* col = s.IsPointwise ? null : Scratch.Columns((long)k * p);
        for (int n = begin; n < end; n++)
        {
            float* dx = job.X + (long)n * s.InputSize;
            if (!s.IsPointwise) new Span<float>(dx, s.InputSize).Clear();
            for (int g = 0; g < s.Groups; g++)
            {
                float* dy = job.Y + (long)n * s.OutputSize + (long)g * og * p;
                float* dxg = dx + (long)g * s.GroupChannels * s.InputPlane;
                // col = Wᵀ · dy: W [og, k] read transposed in place.
                float* dst = s.IsPointwise ? dxg : col;
                Gemm.Multiply(k, p, og, new ReadOnlySpan<float>(job.W + (long)g * og * k, og * k), k, true,
                    new ReadOnlySpan<float>(dy, og * p), p, false, new Span<float>(dst, k * p), p);
                if (!s.IsPointwise) Im2Col.FoldAdd(in s, col, dxg);
            }
        }
    }

    private static void BackwardWeightImages(void* context, int begin, int end, int part)
    {
        ref var job = ref *(Job*)context;
        var s = job.Shape;
        int og = s.GroupOutChannels, k = s.PatchSize, p = s.OutputPlane;
        float* col = s.IsPointwise ? null : Scratch.Columns((long)k * p);
        float* dw = part == 0 ? job.W : ClearedPartial(in job, part);
        for (int n = begin; n < end; n++)
            for (int g = 0; g < s.Groups; g++)
            {
                float* x = job.X + (long)n * s.InputSize + (long)g * s.GroupChannels * s.InputPlane;
                float* dy = job.Y + (long)n * s.OutputSize + (long)g * og * p;
                float* b = x;
                if (!s.IsPointwise) { Im2Col.Unfold(in s, x, col); b = col; }
                // dW[og, k] += dy[og, p] · colᵀ: col [k, p] read transposed in place.
                Gemm.Multiply(og, k, p, new ReadOnlySpan<float>(dy, og * p), p, false,
                    new ReadOnlySpan<float>(b, k * p), p, true, new Span<float>(dw + (long)g * og * k, og * k), k,
                    new GemmEpilogue { Accumulate = true });
            }
    }

    /// <summary>Creates this thread's convolution scratch and weight arrangements now (<see cref="WorkerPool.PrepareThread"/>).</summary>
    internal static void PrepareThread()
    {
        Scratch.Prepare();
        ArrangedWeights.Prepare();
    }

    /// <summary>Per-thread native buffers, 64-byte aligned, grown on demand and kept.</summary>
    private static class Scratch
    {
        [ThreadStatic] private static Buffer? t_columns;
        [ThreadStatic] private static Buffer? t_partial;

        /// <summary>Creates this thread's two buffers now, empty (<see cref="WorkerPool.PrepareThread"/>).</summary>
        public static void Prepare() { t_columns ??= new Buffer(); t_partial ??= new Buffer(); }

        public static float* Columns(long floats) => (t_columns ??= new Buffer()).Get(floats);
        public static float* Partial(long floats) => (t_partial ??= new Buffer()).Get(floats);

        private sealed class Buffer
        {
            private float* _data;
            private long _capacity;

            public float* Get(long floats)
            {
                if (floats <= _capacity) return _data;
                if (_data != null) NativeMemory.AlignedFree(_data);
                _data = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
                _capacity = floats;
                return _data;
            }

            ~Buffer()
            {
                if (_data != null) NativeMemory.AlignedFree(_data);
            }
        }
    }
}
