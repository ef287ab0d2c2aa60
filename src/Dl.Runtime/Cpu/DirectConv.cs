using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

using Dl.Operators;

namespace Dl.Cpu;

/// <summary>
/// Direct convolution at every SIMD width (one body over <see cref="ISimdWidth{TV}"/>, tiles of its
/// lane count) for the common case for the common case (stride 1, no dilation, one group), where the
/// small channel counts of real networks make im2col + GEMM all overhead: per output row, up to
/// eight output channels accumulate in registers over every (channel, ky, kx) tap, one 16-wide load
/// of the zero-padded input row feeding eight FMAs. The input gradient is the same correlation over
/// the padded output gradient with flipped, channel-swapped weights; the weight gradient keeps a
/// block of (output channel, kx) accumulators in registers across every image and row.
/// </summary>
// The stack accumulators are stored before they are read: no zeroing per call of the row kernel.
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static unsafe partial class DirectConv
{
    /// <summary>The widest tile (AVX-512's 16 lanes): the padded layout is sized for it at every width.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Stride 1, dilation 1, one group, a square kernel of at most 7x7 and top/left padding below the
    /// kernel size (so the input gradient's padding, k - 1 - p, is not negative), with any SIMD.
    /// </summary>
    public static bool Supports(in ConvShape s) =>
        Vector128.IsHardwareAccelerated && s.Stride == 1 && s.Dilation == 1 && s.Groups == 1 && s.KernelH == s.KernelW && s.KernelH <= 7
        && s.PadTop < s.KernelH && s.PadLeft < s.KernelW;

    /// <summary>
    /// Row length of a padded plane for <paramref name="outWidth"/> outputs and a k-wide kernel: whole
    /// 16-lane tiles plus the kernel's reach (narrower tiles, 8 or 4 lanes, end within it too).
    /// </summary>
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
                if (to > from) CopyRow(x + ((long)c * h + i) * w + from, dst + ((long)c * hp + row) * wp + left + from, to - from);
            }
    }

    /// <summary>
    /// dst[0, n) = src[0, n) in whole vectors, the last one overlapping the one before: the rows here
    /// are short (LeNet's 28 and 10 floats), and a Memmove call per row was 4 % of a LeNet step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dst, int n)
    {
        if (Vector512.IsHardwareAccelerated && n >= 16) { CopyVectors<W512, Vector512<float>>(src, dst, n); return; }
        if (Vector256.IsHardwareAccelerated && n >= 8) { CopyVectors<W256, Vector256<float>>(src, dst, n); return; }
        if (Vector128.IsHardwareAccelerated && n >= 4) { CopyVectors<W128, Vector128<float>>(src, dst, n); return; }
        for (int i = 0; i < n; i++) dst[i] = src[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyVectors<TW, TV>(float* src, float* dst, int n) where TW : struct, ISimdWidth<TV> where TV : struct
    {
        int lanes = TW.Lanes, i = 0;
        for (; i <= n - lanes; i += lanes) TW.Store(TW.Load(src + i), dst + i);
        if (i < n) TW.Store(TW.Load(src + n - lanes), dst + n - lanes);
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
        if (Vector512.IsHardwareAccelerated) Correlate<W512, Vector512<float>, TAct>(xp, cin, hp, wp, dataTop, dataRows, wt, cout, k, bias, y, oh, ow, in activation);
        else if (Vector256.IsHardwareAccelerated) Correlate<W256, Vector256<float>, TAct>(xp, cin, hp, wp, dataTop, dataRows, wt, cout, k, bias, y, oh, ow, in activation);
        // AVX without AVX2 (DOTNET_EnableAVX2=0, Sandy/Ivy Bridge): AVX's 256-bit float math, as the GEMM does.
        else if (Avx.IsSupported) Correlate<W256Avx, Vector256<float>, TAct>(xp, cin, hp, wp, dataTop, dataRows, wt, cout, k, bias, y, oh, ow, in activation);
        else Correlate<W128, Vector128<float>, TAct>(xp, cin, hp, wp, dataTop, dataRows, wt, cout, k, bias, y, oh, ow, in activation);
    }

    private static void Correlate<TW, TV, TAct>(float* xp, int cin, int hp, int wp, int dataTop, int dataRows, float* wt, int cout, int k, float* bias, float* y, int oh, int ow, in TAct activation)
        where TW : struct, ISimdWidth<TV> where TV : struct where TAct : struct, IUnaryOperator
    {
        int rowFrom = Math.Max(0, dataTop), rowTo = Math.Min(hp, dataTop + dataRows);
        // Channel vectors fill their lanes, but each FMA takes a broadcast; row pairs (where 8 channels x 2
        // rows of accumulators fit the registers) share each broadcast between two FMAs. In-process A/B on
        // LeNet conv2 (rows of 10): row pairs 4-7 % faster than channel tiles at AVX-512; at AVX2, without
        // room for pairs of 8, channel tiles 1.42x faster than rows.
        if (PrefersChannelTiles(cout, ow, TW.Lanes) && 2 * 8 + 3 > Registers<TW, TV>())
        {
            ChannelTiles<TW, TV, TAct>(new RowJob(xp, cin, hp, wp, rowFrom, rowTo, wt, cout, k, bias, y, oh, ow, 0), in activation);
            return;
        }
        for (int o0 = 0; o0 < cout; o0 += 8)
        {
            int block = Math.Min(8, cout - o0);
            var job = new RowJob(xp, cin, hp, wp, rowFrom, rowTo, wt, cout, k, bias, y, oh, ow, o0);
            if (oh > 1 && 2 * block + 3 <= Registers<TW, TV>())
            {
                RowPairBlock<TW, TV, TAct>(in job, block, in activation);
                continue;
            }
            switch (block)
            {
                case 8: Rows<TW, TV, C8, TAct>(in job, in activation); break;
                case 7: Rows<TW, TV, C7, TAct>(in job, in activation); break;
                case 6: Rows<TW, TV, C6, TAct>(in job, in activation); break;
                case 5: Rows<TW, TV, C5, TAct>(in job, in activation); break;
                case 4: Rows<TW, TV, C4, TAct>(in job, in activation); break;
                case 3: Rows<TW, TV, C3, TAct>(in job, in activation); break;
                case 2: Rows<TW, TV, C2, TAct>(in job, in activation); break;
                default: Rows<TW, TV, C1, TAct>(in job, in activation); break;
            }
        }
    }

    private readonly struct RowJob(float* xp, int cin, int hp, int wp, int rowFrom, int rowTo, float* wt, int cout, int k, float* bias, float* y, int oh, int ow, int o0)
    {
        public readonly float* Xp = xp, Wt = wt, Bias = bias, Y = y;
        public readonly int Cin = cin, Hp = hp, Wp = wp, RowFrom = rowFrom, RowTo = rowTo, Cout = cout, K = k, Oh = oh, Ow = ow, O0 = o0;
    }

    /// <summary>One block of <typeparamref name="TB"/> output channels: rows [firstRow, oh), every column tile of TW's lanes.</summary>
    private static void Rows<TW, TV, TB, TAct>(in RowJob j, in TAct activation, int firstRow = 0)
        where TW : struct, ISimdWidth<TV> where TV : struct where TB : struct, IConst where TAct : struct, IUnaryOperator
    {
        int lanesPerTile = TW.Lanes;
        int nb = TB.Value, k = j.K, plane = j.Oh * j.Ow, cin = j.Cin, hp = j.Hp, wp = j.Wp, cout = j.Cout;
        float* xp = j.Xp;
        float* wt = j.Wt + j.O0;
        float* tmp = stackalloc float[Lanes];
        float* acc = stackalloc float[8 * Lanes];
        int* offsets = stackalloc int[MaxTaps];
        TapOffsets(offsets, k, wp);
        for (int t0 = 0; t0 < j.Ow; t0 += lanesPerTile)
        {
            int lanes = Math.Min(lanesPerTile, j.Ow - t0);
            for (int oy = firstRow; oy < j.Oh; oy++)
            {
                TV a0 = Init<TW, TV>(j, 0), a1 = nb > 1 ? Init<TW, TV>(j, 1) : default, a2 = nb > 2 ? Init<TW, TV>(j, 2) : default, a3 = nb > 3 ? Init<TW, TV>(j, 3) : default,
                    a4 = nb > 4 ? Init<TW, TV>(j, 4) : default, a5 = nb > 5 ? Init<TW, TV>(j, 5) : default, a6 = nb > 6 ? Init<TW, TV>(j, 6) : default, a7 = nb > 7 ? Init<TW, TV>(j, 7) : default;
                int ky0 = Math.Max(0, j.RowFrom - oy), ky1 = Math.Min(k, j.RowTo - oy);   // taps on data rows
                // One loop over a channel's taps on data rows, as in Pixels (see there).
                for (int c = 0; c < cin; c++)
                {
                    float* xc = xp + ((long)c * hp + oy) * wp + t0;
                    float* wc = wt + (long)c * k * k * cout;
                    for (int t = ky0 * k, end = ky1 * k; t < end; t++)
                    {
                        float* w = wc + (long)t * cout;
                        var xv = TW.Load(xc + offsets[t]);
                        a0 = TW.MulAdd(TW.SplatAt(w + 0), xv, a0);
                        if (nb > 1) a1 = TW.MulAdd(TW.SplatAt(w + 1), xv, a1);
                        if (nb > 2) a2 = TW.MulAdd(TW.SplatAt(w + 2), xv, a2);
                        if (nb > 3) a3 = TW.MulAdd(TW.SplatAt(w + 3), xv, a3);
                        if (nb > 4) a4 = TW.MulAdd(TW.SplatAt(w + 4), xv, a4);
                        if (nb > 5) a5 = TW.MulAdd(TW.SplatAt(w + 5), xv, a5);
                        if (nb > 6) a6 = TW.MulAdd(TW.SplatAt(w + 6), xv, a6);
                        if (nb > 7) a7 = TW.MulAdd(TW.SplatAt(w + 7), xv, a7);
                    }
                }
                // Park the accumulators before any call: the register allocator otherwise keeps a
                // value that lives across a call in memory, spilling all eight at every FMA of the loop above.
                TW.Store(a0, acc);
                if (nb > 1) TW.Store(a1, acc + Lanes);
                if (nb > 2) TW.Store(a2, acc + 2 * Lanes);
                if (nb > 3) TW.Store(a3, acc + 3 * Lanes);
                if (nb > 4) TW.Store(a4, acc + 4 * Lanes);
                if (nb > 5) TW.Store(a5, acc + 5 * Lanes);
                if (nb > 6) TW.Store(a6, acc + 6 * Lanes);
                if (nb > 7) TW.Store(a7, acc + 7 * Lanes);
                float* y = j.Y + (long)j.O0 * plane + oy * j.Ow + t0;
                for (int b = 0; b < nb; b++)
                    Store<TW, TV, TAct>(TW.Load(acc + b * Lanes), y + (long)b * plane, lanes, in activation, tmp);
            }
        }
    }

    /// <summary>Taps of the largest kernel <see cref="Supports"/> takes (7x7).</summary>
    private const int MaxTaps = 7 * 7;

    /// <summary>offsets[ky·k + kx] = tap (ky, kx)'s input offset in a channel's padded rows (wp floats apart): the kernels' one loop over taps reads through it.</summary>
    /// <remarks>A call: make it before any accumulator has a value, or the JIT keeps the accumulators on the stack (see ChannelTiles).</remarks>
    private static void TapOffsets(int* offsets, int k, int wp)
    {
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) offsets[ky * k + kx] = ky * wp + kx;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Init<TW, TV>(in RowJob j, int b) where TW : struct, ISimdWidth<TV> where TV : struct =>
        j.Bias == null ? default : TW.Splat(j.Bias[j.O0 + b]);

    private static readonly Vector256<float> s_laneNumbers = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TW, TV, TAct>(TV v, float* y, int lanes, in TAct activation, float* tmp)
        where TW : struct, ISimdWidth<TV> where TV : struct where TAct : struct, IUnaryOperator
    {
        v = TW.Apply(in activation, v);
        if (lanes == TW.Lanes) { TW.Store(v, y); return; }
        if (typeof(TV) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            // A row's last, partial tile (12 of LeNet's 28 columns) through a lane mask: a copy via the
            // stack cost a call per row and channel, 8 % of a LeNet step.
            Avx512F.MaskStore(y, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes)).AsSingle(), Unsafe.As<TV, Vector512<float>>(ref v));
            return;
        }
        // Likewise AVX's vmaskmovps at 256 and 128 bits (LeNet conv1's last 4 of 28 columns, the input
        // gradient's last 6 of 14): through the stack it was a Memmove call per row and channel.
        if (typeof(TV) == typeof(Vector256<float>) && Avx2.IsSupported)
        {
            Avx.MaskStore(y, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(lanes)).AsSingle(), Unsafe.As<TV, Vector256<float>>(ref v));
            return;
        }
        if (typeof(TV) == typeof(Vector256<float>) && Avx.IsSupported)
        {
            // AVX without AVX2 (W256Avx): the mask from a float compare, which AVX has (the integer one needs
            // AVX2), against lane numbers kept in a static rather than a stack array filled at every partial store.
            float count = lanes;
            Avx.MaskStore(y, Avx.CompareLessThan(s_laneNumbers, Avx.BroadcastScalarToVector256(&count)), Unsafe.As<TV, Vector256<float>>(ref v));
            return;
        }
        if (typeof(TV) == typeof(Vector128<float>) && Avx.IsSupported)
        {
            Avx.MaskStore(y, Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(lanes)).AsSingle(), Unsafe.As<TV, Vector128<float>>(ref v));
            return;
        }
        TW.Store(v, tmp);
        new ReadOnlySpan<float>(tmp, lanes).CopyTo(new Span<float>(y, lanes));
    }

    /// <summary>
    /// dw[o, c, ky, kx] += Σ over images and rows of dyp[o, oy, :] · xp[c, oy + ky, kx :], for images
    /// padded side by side: xs holds <paramref name="images"/> padded inputs [cin, hp, wp], dys the
    /// output gradients [cout, oh, wp] with zeros past each row's <paramref name="ow"/> values, or,
    /// where <see cref="WeightGradientIsPixelMajor"/>, each image's [oh·ow, cout] (<see cref="PixelMajor"/>) at the same offsets.
    /// </summary>
    public static void WeightGradient(float* xs, float* dys, int images, int cin, int hp, int wp, int cout, int k, int oh, int ow, float* dw)
    {
        if (WeightGradientIsPixelMajor(cout, ow))
        {
            ChannelWeightGradient(xs, dys, (long)cout * oh * wp, images, cin, hp, wp, cout, k, oh, ow, dw);
            return;
        }
        if (Vector512.IsHardwareAccelerated) WeightGradient<W512, Vector512<float>>(xs, dys, images, cin, hp, wp, cout, k, oh, ow, dw, 32);
        else if (Vector256.IsHardwareAccelerated) WeightGradient<W256, Vector256<float>>(xs, dys, images, cin, hp, wp, cout, k, oh, ow, dw, 16);
        else if (Avx.IsSupported) WeightGradient<W256Avx, Vector256<float>>(xs, dys, images, cin, hp, wp, cout, k, oh, ow, dw, 16);
        else WeightGradient<W128, Vector128<float>>(xs, dys, images, cin, hp, wp, cout, k, oh, ow, dw, AdvSimd.IsSupported ? 32 : 16);
    }

    /// <summary>The weight gradient at width TW, with <paramref name="registers"/> vector registers to hold a block's accumulators.</summary>
    private static void WeightGradient<TW, TV>(float* xs, float* dys, int images, int cin, int hp, int wp, int cout, int k, int oh, int ow, float* dw, int registers)
        where TW : struct, ISimdWidth<TV> where TV : struct
    {
        switch (k)
        {
            case 1: WeightBlocks<TW, TV, C1>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 2: WeightBlocks<TW, TV, C2>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 3: WeightBlocks<TW, TV, C3>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 4: WeightBlocks<TW, TV, C4>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 5: WeightBlocks<TW, TV, C5>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 6: WeightBlocks<TW, TV, C6>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            default: WeightBlocks<TW, TV, C7>(xs, dys, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
        }
    }

    /// <summary>
    /// Blocks of (input channel, ky, up to four output channels): the block's k·block accumulators, the
    /// k shifted input vectors and the gradient stay in registers over every image and row, so block is
    /// what fits: with 32 registers (AVX-512, NEON) four channels, three for 7x7; with AVX2's or SSE's 16,
    /// four for 3x3, two for 5x5, one for 7x7.
    /// </summary>
    private static void WeightBlocks<TW, TV, TK>(float* xs, float* dys, int images, int cin, int hp, int wp, int cout, int oh, int ow, float* dw, int registers)
        where TW : struct, ISimdWidth<TV> where TV : struct where TK : struct, IConst
    {
        int k = TK.Value, block = Math.Clamp((registers - k - 1) / k, 1, 4), w = TW.Lanes;
        long xImage = (long)cin * hp * wp, dyImage = (long)cout * oh * wp, dyChannel = (long)oh * wp;
        int tiles = (ow + w - 1) / w;
        for (int c = 0; c < cin; c++)
            for (int ky = 0; ky < k; ky++)
                for (int o0 = 0; o0 < cout; o0 += block)
                {
                    int nb = Math.Min(block, cout - o0);
                    TV a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default;
                    TV a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default;
                    TV a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default, a26 = default;
                    TV a30 = default, a31 = default, a32 = default, a33 = default, a34 = default, a35 = default, a36 = default;
                    for (int n = 0; n < images; n++)
                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* xr = xs + n * xImage + ((long)c * hp + oy + ky) * wp;
                            float* dr = dys + n * dyImage + o0 * dyChannel + (long)oy * wp;
                            for (int t = 0; t < tiles; t++, xr += w, dr += w)
                            {
                                var x0 = TW.Load(xr);
                                var x1 = k > 1 ? TW.Load(xr + 1) : default;
                                var x2 = k > 2 ? TW.Load(xr + 2) : default;
                                var x3 = k > 3 ? TW.Load(xr + 3) : default;
                                var x4 = k > 4 ? TW.Load(xr + 4) : default;
                                var x5 = k > 5 ? TW.Load(xr + 5) : default;
                                var x6 = k > 6 ? TW.Load(xr + 6) : default;
                                var d = TW.Load(dr);
                                a00 = TW.MulAdd(d, x0, a00); if (k > 1) a01 = TW.MulAdd(d, x1, a01); if (k > 2) a02 = TW.MulAdd(d, x2, a02); if (k > 3) a03 = TW.MulAdd(d, x3, a03);
                                if (k > 4) a04 = TW.MulAdd(d, x4, a04); if (k > 5) a05 = TW.MulAdd(d, x5, a05); if (k > 6) a06 = TW.MulAdd(d, x6, a06);
                                if (nb > 1)
                                {
                                    d = TW.Load(dr + dyChannel);
                                    a10 = TW.MulAdd(d, x0, a10); if (k > 1) a11 = TW.MulAdd(d, x1, a11); if (k > 2) a12 = TW.MulAdd(d, x2, a12); if (k > 3) a13 = TW.MulAdd(d, x3, a13);
                                    if (k > 4) a14 = TW.MulAdd(d, x4, a14); if (k > 5) a15 = TW.MulAdd(d, x5, a15); if (k > 6) a16 = TW.MulAdd(d, x6, a16);
                                }
                                if (nb > 2)
                                {
                                    d = TW.Load(dr + 2 * dyChannel);
                                    a20 = TW.MulAdd(d, x0, a20); if (k > 1) a21 = TW.MulAdd(d, x1, a21); if (k > 2) a22 = TW.MulAdd(d, x2, a22); if (k > 3) a23 = TW.MulAdd(d, x3, a23);
                                    if (k > 4) a24 = TW.MulAdd(d, x4, a24); if (k > 5) a25 = TW.MulAdd(d, x5, a25); if (k > 6) a26 = TW.MulAdd(d, x6, a26);
                                }
                                if (block > 3 && nb > 3)
                                {
                                    d = TW.Load(dr + 3 * dyChannel);
                                    a30 = TW.MulAdd(d, x0, a30); if (k > 1) a31 = TW.MulAdd(d, x1, a31); if (k > 2) a32 = TW.MulAdd(d, x2, a32); if (k > 3) a33 = TW.MulAdd(d, x3, a33);
                                    if (k > 4) a34 = TW.MulAdd(d, x4, a34); if (k > 5) a35 = TW.MulAdd(d, x5, a35); if (k > 6) a36 = TW.MulAdd(d, x6, a36);
                                }
                            }
                        }
                    float* row = dw + (((long)o0 * cin + c) * k + ky) * k;
                    long next = (long)cin * k * k;
                    Flush<TW, TV, TK>(row, a00, a01, a02, a03, a04, a05, a06);
                    if (nb > 1) Flush<TW, TV, TK>(row + next, a10, a11, a12, a13, a14, a15, a16);
                    if (nb > 2) Flush<TW, TV, TK>(row + 2 * next, a20, a21, a22, a23, a24, a25, a26);
                    if (block > 3 && nb > 3) Flush<TW, TV, TK>(row + 3 * next, a30, a31, a32, a33, a34, a35, a36);
                }
    }

    /// <summary>dw[ky, 0..k) += the lane sums of the k accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush<TW, TV, TK>(float* dw, TV a0, TV a1, TV a2, TV a3, TV a4, TV a5, TV a6)
        where TW : struct, ISimdWidth<TV> where TV : struct where TK : struct, IConst
    {
        int k = TK.Value;
        dw[0] += TW.Sum(a0);
        if (k > 1) dw[1] += TW.Sum(a1);
        if (k > 2) dw[2] += TW.Sum(a2);
        if (k > 3) dw[3] += TW.Sum(a3);
        if (k > 4) dw[4] += TW.Sum(a4);
        if (k > 5) dw[5] += TW.Sum(a5);
        if (k > 6) dw[6] += TW.Sum(a6);
    }
}
