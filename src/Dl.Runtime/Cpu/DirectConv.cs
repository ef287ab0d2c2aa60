using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Direct AVX-512 convolution for the common case (stride 1, no dilation, one group), where the
/// small channel counts of real networks make im2col + GEMM all overhead: per output row, up to
/// eight output channels accumulate in registers over every (channel, ky, kx) tap, one 16-wide load
/// of the zero-padded input row feeding eight FMAs. The input gradient is the same correlation over
/// the padded output gradient with flipped, channel-swapped weights; the weight gradient keeps a
/// block of (output channel, kx) accumulators in registers across every image and row.
/// </summary>
internal static unsafe class DirectConv
{
    public const int Lanes = 16;

    /// <summary>
    /// Stride 1, dilation 1, one group, a square kernel of at most 7x7 and top/left padding below the
    /// kernel size (so the input gradient's padding, k - 1 - p, is not negative), on AVX-512.
    /// </summary>
    public static bool Supports(in ConvShape s) =>
        Vector512.IsHardwareAccelerated && s.Stride == 1 && s.Dilation == 1 && s.Groups == 1 && s.KernelH == s.KernelW && s.KernelH <= 7
        && s.PadTop < s.KernelH && s.PadLeft < s.KernelW;

    /// <summary>Row length of a padded plane for <paramref name="outWidth"/> outputs and a k-wide kernel: whole 16-lane tiles plus the kernel's reach.</summary>
    public static int PaddedWidth(int outWidth, int k) => (outWidth + Lanes - 1) / Lanes * Lanes + k - 1 + Lanes;

    /// <summary>Copies planes [channels, h, w] into zeroed planes [channels, hp, wp] at (top, left); the rest must already be zero.</summary>
    public static void Pad(float* x, int channels, int h, int w, float* dst, int hp, int wp, int top, int left)
    {
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < h; i++)
            {
                int row = top + i;
                if ((uint)row >= (uint)hp) continue;
                int from = Math.Max(0, -left), to = Math.Min(w, wp - left);
                if (to > from)
                    new ReadOnlySpan<float>(x + ((long)c * h + i) * w + from, to - from).CopyTo(new Span<float>(dst + ((long)c * hp + row) * wp + left + from, to - from));
            }
    }

    /// <summary>
    /// y[o, oy, ox] = act(bias[o] + Σ_c Σ_ky Σ_kx wt[c, ky, kx, o] · xp[c, oy + ky, ox + kx]) for one
    /// image; xp is [cin, hp, wp] zero-padded (wp from <see cref="PaddedWidth"/>), wt the weights
    /// rearranged so a tap's output channels are contiguous. Only rows [dataTop, dataTop + dataRows)
    /// of xp may be nonzero: taps that reach only padding rows are skipped (for an input gradient, a
    /// full correlation over the padded output gradient, that is 2/7 of LeNet conv2's taps).
    /// </summary>
    public static void Correlate<TAct>(float* xp, int cin, int hp, int wp, int dataTop, int dataRows, float* wt, int cout, int k, float* bias, float* y, int oh, int ow, in TAct activation)
        where TAct : struct, IUnaryOperator
    {
        int rowFrom = Math.Max(0, dataTop), rowTo = Math.Min(hp, dataTop + dataRows);
        for (int o0 = 0; o0 < cout; o0 += 8)
        {
            int block = Math.Min(8, cout - o0);
            var job = new RowJob(xp, cin, hp, wp, rowFrom, rowTo, wt, cout, k, bias, y, oh, ow, o0);
            switch (block)
            {
                case 8: Rows<C8, TAct>(in job, in activation); break;
                case 7: Rows<C7, TAct>(in job, in activation); break;
                case 6: Rows<C6, TAct>(in job, in activation); break;
                case 5: Rows<C5, TAct>(in job, in activation); break;
                case 4: Rows<C4, TAct>(in job, in activation); break;
                case 3: Rows<C3, TAct>(in job, in activation); break;
                case 2: Rows<C2, TAct>(in job, in activation); break;
                default: Rows<C1, TAct>(in job, in activation); break;
            }
        }
    }

    private readonly struct RowJob(float* xp, int cin, int hp, int wp, int rowFrom, int rowTo, float* wt, int cout, int k, float* bias, float* y, int oh, int ow, int o0)
    {
        public readonly float* Xp = xp, Wt = wt, Bias = bias, Y = y;
        public readonly int Cin = cin, Hp = hp, Wp = wp, RowFrom = rowFrom, RowTo = rowTo, Cout = cout, K = k, Oh = oh, Ow = ow, O0 = o0;
    }

    /// <summary>One block of <typeparamref name="TB"/> output channels: every row, every 16-wide column tile.</summary>
    private static void Rows<TB, TAct>(in RowJob j, in TAct activation) where TB : struct, IConst where TAct : struct, IUnaryOperator
    {
        int nb = TB.Value, k = j.K, plane = j.Oh * j.Ow, cin = j.Cin, hp = j.Hp, wp = j.Wp, cout = j.Cout;
        float* xp = j.Xp;
        float* wt = j.Wt + j.O0;
        float* tmp = stackalloc float[Lanes];
        float* acc = stackalloc float[8 * Lanes];
        for (int t0 = 0; t0 < j.Ow; t0 += Lanes)
        {
            int lanes = Math.Min(Lanes, j.Ow - t0);
            for (int oy = 0; oy < j.Oh; oy++)
            {
                Vector512<float> a0 = Init(j, 0), a1 = nb > 1 ? Init(j, 1) : default, a2 = nb > 2 ? Init(j, 2) : default, a3 = nb > 3 ? Init(j, 3) : default,
                    a4 = nb > 4 ? Init(j, 4) : default, a5 = nb > 5 ? Init(j, 5) : default, a6 = nb > 6 ? Init(j, 6) : default, a7 = nb > 7 ? Init(j, 7) : default;
                int ky0 = Math.Max(0, j.RowFrom - oy), ky1 = Math.Min(k, j.RowTo - oy);   // taps on data rows
                for (int c = 0; c < cin; c++)
                    for (int ky = ky0; ky < ky1; ky++)
                    {
                        float* xr = xp + ((long)c * hp + oy + ky) * wp + t0;
                        float* w = wt + ((long)(c * k + ky) * k) * cout;
                        for (int kx = 0; kx < k; kx++, w += cout)
                        {
                            var xv = Vector512.Load(xr + kx);
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(w[0]), xv, a0);
                            if (nb > 1) a1 = Vector512.FusedMultiplyAdd(Vector512.Create(w[1]), xv, a1);
                            if (nb > 2) a2 = Vector512.FusedMultiplyAdd(Vector512.Create(w[2]), xv, a2);
                            if (nb > 3) a3 = Vector512.FusedMultiplyAdd(Vector512.Create(w[3]), xv, a3);
                            if (nb > 4) a4 = Vector512.FusedMultiplyAdd(Vector512.Create(w[4]), xv, a4);
                            if (nb > 5) a5 = Vector512.FusedMultiplyAdd(Vector512.Create(w[5]), xv, a5);
                            if (nb > 6) a6 = Vector512.FusedMultiplyAdd(Vector512.Create(w[6]), xv, a6);
                            if (nb > 7) a7 = Vector512.FusedMultiplyAdd(Vector512.Create(w[7]), xv, a7);
                        }
                    }
                // Park the accumulators before any call: the register allocator otherwise keeps a
                // value that lives across a call in memory, spilling all eight at every FMA of the loop above.
                a0.Store(acc);
                if (nb > 1) a1.Store(acc + Lanes);
                if (nb > 2) a2.Store(acc + 2 * Lanes);
                if (nb > 3) a3.Store(acc + 3 * Lanes);
                if (nb > 4) a4.Store(acc + 4 * Lanes);
                if (nb > 5) a5.Store(acc + 5 * Lanes);
                if (nb > 6) a6.Store(acc + 6 * Lanes);
                if (nb > 7) a7.Store(acc + 7 * Lanes);
                float* y = j.Y + (long)j.O0 * plane + oy * j.Ow + t0;
                for (int b = 0; b < nb; b++)
                    Store(Vector512.Load(acc + b * Lanes), y + (long)b * plane, lanes, in activation, tmp);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Init(in RowJob j, int b) => j.Bias == null ? Vector512<float>.Zero : Vector512.Create(j.Bias[j.O0 + b]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TAct>(Vector512<float> v, float* y, int lanes, in TAct activation, float* tmp) where TAct : struct, IUnaryOperator
    {
        v = activation.Invoke(v);
        if (lanes == Lanes) { v.Store(y); return; }
        if (Avx512F.IsSupported)
        {
            // A row's last, partial tile (12 of LeNet's 28 columns) through a lane mask: a copy via the
            // stack cost a call per row and channel, 8 % of a LeNet step.
            Avx512F.MaskStore(y, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes)).AsSingle(), v);
            return;
        }
        v.Store(tmp);
        new ReadOnlySpan<float>(tmp, lanes).CopyTo(new Span<float>(y, lanes));
    }

    /// <summary>
    /// dw[o, c, ky, kx] += Σ over images and rows of dyp[o, oy, :] · xp[c, oy + ky, kx :], for images
    /// padded side by side: xs holds <paramref name="images"/> padded inputs [cin, hp, wp], dys the
    /// output gradients [cout, oh, wp] with zeros past each row's <paramref name="ow"/> values.
    /// </summary>
    public static void WeightGradient(float* xs, float* dys, int images, int cin, int hp, int wp, int cout, int k, int oh, int ow, float* dw)
    {
        switch (k)
        {
            case 1: WeightBlocks<C1>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            case 2: WeightBlocks<C2>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            case 3: WeightBlocks<C3>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            case 4: WeightBlocks<C4>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            case 5: WeightBlocks<C5>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            case 6: WeightBlocks<C6>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
            default: WeightBlocks<C7>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw); break;
        }
    }

    /// <summary>
    /// Blocks of (input channel, ky, up to four output channels): the block's k·4 accumulators and the
    /// k shifted input vectors stay in registers over every image and row (three channels for 7x7, to fit 32 registers).
    /// </summary>
    private static void WeightBlocks<TK>(float* xs, float* dys, int images, int cin, int hp, int wp, int cout, int oh, int ow, float* dw) where TK : struct, IConst
    {
        int k = TK.Value, block = TK.Value >= 7 ? 3 : 4;
        long xImage = (long)cin * hp * wp, dyImage = (long)cout * oh * wp, dyChannel = (long)oh * wp;
        int tiles = (ow + Lanes - 1) / Lanes;
        for (int c = 0; c < cin; c++)
            for (int ky = 0; ky < k; ky++)
                for (int o0 = 0; o0 < cout; o0 += block)
                {
                    int nb = Math.Min(block, cout - o0);
                    Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default;
                    Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default;
                    Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default, a26 = default;
                    Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default, a34 = default, a35 = default, a36 = default;
                    for (int n = 0; n < images; n++)
                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* xr = xs + n * xImage + ((long)c * hp + oy + ky) * wp;
                            float* dr = dys + n * dyImage + o0 * dyChannel + (long)oy * wp;
                            for (int t = 0; t < tiles; t++, xr += Lanes, dr += Lanes)
                            {
                                var x0 = Vector512.Load(xr);
                                var x1 = k > 1 ? Vector512.Load(xr + 1) : default;
                                var x2 = k > 2 ? Vector512.Load(xr + 2) : default;
                                var x3 = k > 3 ? Vector512.Load(xr + 3) : default;
                                var x4 = k > 4 ? Vector512.Load(xr + 4) : default;
                                var x5 = k > 5 ? Vector512.Load(xr + 5) : default;
                                var x6 = k > 6 ? Vector512.Load(xr + 6) : default;
                                var d = Vector512.Load(dr);
                                a00 = Fma(d, x0, a00); if (k > 1) a01 = Fma(d, x1, a01); if (k > 2) a02 = Fma(d, x2, a02); if (k > 3) a03 = Fma(d, x3, a03);
                                if (k > 4) a04 = Fma(d, x4, a04); if (k > 5) a05 = Fma(d, x5, a05); if (k > 6) a06 = Fma(d, x6, a06);
                                if (nb > 1)
                                {
                                    d = Vector512.Load(dr + dyChannel);
                                    a10 = Fma(d, x0, a10); if (k > 1) a11 = Fma(d, x1, a11); if (k > 2) a12 = Fma(d, x2, a12); if (k > 3) a13 = Fma(d, x3, a13);
                                    if (k > 4) a14 = Fma(d, x4, a14); if (k > 5) a15 = Fma(d, x5, a15); if (k > 6) a16 = Fma(d, x6, a16);
                                }
                                if (nb > 2)
                                {
                                    d = Vector512.Load(dr + 2 * dyChannel);
                                    a20 = Fma(d, x0, a20); if (k > 1) a21 = Fma(d, x1, a21); if (k > 2) a22 = Fma(d, x2, a22); if (k > 3) a23 = Fma(d, x3, a23);
                                    if (k > 4) a24 = Fma(d, x4, a24); if (k > 5) a25 = Fma(d, x5, a25); if (k > 6) a26 = Fma(d, x6, a26);
                                }
                                if (block > 3 && nb > 3)
                                {
                                    d = Vector512.Load(dr + 3 * dyChannel);
                                    a30 = Fma(d, x0, a30); if (k > 1) a31 = Fma(d, x1, a31); if (k > 2) a32 = Fma(d, x2, a32); if (k > 3) a33 = Fma(d, x3, a33);
                                    if (k > 4) a34 = Fma(d, x4, a34); if (k > 5) a35 = Fma(d, x5, a35); if (k > 6) a36 = Fma(d, x6, a36);
                                }
                            }
                        }
                    float* row = dw + (((long)o0 * cin + c) * k + ky) * k;
                    long next = (long)cin * k * k;
                    Flush<TK>(row, a00, a01, a02, a03, a04, a05, a06);
                    if (nb > 1) Flush<TK>(row + next, a10, a11, a12, a13, a14, a15, a16);
                    if (nb > 2) Flush<TK>(row + 2 * next, a20, a21, a22, a23, a24, a25, a26);
                    if (block > 3 && nb > 3) Flush<TK>(row + 3 * next, a30, a31, a32, a33, a34, a35, a36);
                }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    /// <summary>dw[ky, 0..k) += the lane sums of the k accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush<TK>(float* dw, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6) where TK : struct, IConst
    {
        int k = TK.Value;
        dw[0] += Vector512.Sum(a0);
        if (k > 1) dw[1] += Vector512.Sum(a1);
        if (k > 2) dw[2] += Vector512.Sum(a2);
        if (k > 3) dw[3] += Vector512.Sum(a3);
        if (k > 4) dw[4] += Vector512.Sum(a4);
        if (k > 5) dw[5] += Vector512.Sum(a5);
        if (k > 6) dw[6] += Vector512.Sum(a6);
    }

    /// <summary>Compile-time small integers: the JIT specialises a method per struct argument, dropping dead accumulators.</summary>
    internal interface IConst { static abstract int Value { get; } }
    internal struct C1 : IConst { public static int Value => 1; }
    internal struct C2 : IConst { public static int Value => 2; }
    internal struct C3 : IConst { public static int Value => 3; }
    internal struct C4 : IConst { public static int Value => 4; }
    internal struct C5 : IConst { public static int Value => 5; }
    internal struct C6 : IConst { public static int Value => 6; }
    internal struct C7 : IConst { public static int Value => 7; }
    internal struct C8 : IConst { public static int Value => 8; }
}
