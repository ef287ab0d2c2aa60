using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

using Dl.Operators;

namespace Dl.Cpu;

// SkipLocalsInit (on the class, in DirectConv.cs) covers the stack tile too: it is stored before it is read.
internal static unsafe partial class DirectConv
{
    /// <summary>
    /// Whether a correlation wastes fewer lanes with vectors across output channels than along output
    /// rows: when the channels fill whole vectors and a row leaves a fifth or more of its tiles' lanes
    /// idle. LeNet conv2 (16 channels, rows of 10) is the case: a row tile of 16 lanes does 10 lanes of
    /// work, a channel tile 16. The weight gradient follows it at every width (1.9-2.0x the row kernel on
    /// conv2 at AVX-512); the forward pass only where row pairs do not fit (see Correlate).
    /// </summary>
    internal static bool PrefersChannelTiles(int cout, int ow, int lanes)
    {
        int rowLanes = (ow + lanes - 1) / lanes * lanes;
        return cout % lanes == 0 && 5 * ow < 4 * rowLanes;
    }

    /// <summary>
    /// The correlation of <see cref="Correlate{TAct}"/> with one vector of TW's lanes of output
    /// channels per output pixel: per row, blocks of up to twelve pixels accumulate in registers over
    /// every (channel, ky, kx) tap, one load of the tap's contiguous output-channel weights feeding
    /// one FMA per pixel with that pixel's input value broadcast. The block is then transposed
    /// through the stack into the channel-major output. A block is one FMA chain per pixel, and two FMA
    /// pipes of four cycles' latency need eight chains in flight: blocks of five pixels (rows of 10 cut
    /// in two) ran at 1.2 FMAs a cycle, no faster than the row tiles with their idle lanes.
    /// </summary>
    /// <summary>Pixels per block: twelve accumulators and the weight vector fit in x86's sixteen registers without AVX-512.</summary>
    private const int MaxPixels = 12;

    private static void ChannelTiles<TW, TV, TAct>(in RowJob j, in TAct activation)
        where TW : struct, ISimdWidth<TV> where TV : struct where TAct : struct, IUnaryOperator
    {
        int blocks = (j.Ow + MaxPixels - 1) / MaxPixels;
        // Built here, once, not in Pixels: there the call would come after the accumulators' first
        // values, and a vector live across a call lives on the stack (x64 has no callee-saved vector
        // registers), every FMA of the tap loop then a load and a store (78e54b7: LeNet at AVX2 1.6x slower).
        int* offsets = stackalloc int[MaxTaps];
        TapOffsets(offsets, j.K, j.Wp);
        for (int o0 = 0; o0 < j.Cout; o0 += TW.Lanes)
            for (int oy = 0; oy < j.Oh; oy++)
                for (int b = 0, ox0 = 0; b < blocks; b++)
                {
                    // Blocks of near-equal size (rows of 28: three of nine or ten) keep every block's chains many.
                    int pixels = (j.Ow - ox0) / (blocks - b);
                    switch (pixels)
                    {
                        case 12: Pixels<TW, TV, C12, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 11: Pixels<TW, TV, C11, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 10: Pixels<TW, TV, C10, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 9: Pixels<TW, TV, C9, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 8: Pixels<TW, TV, C8, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 7: Pixels<TW, TV, C7, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 6: Pixels<TW, TV, C6, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 5: Pixels<TW, TV, C5, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 4: Pixels<TW, TV, C4, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 3: Pixels<TW, TV, C3, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        case 2: Pixels<TW, TV, C2, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                        default: Pixels<TW, TV, C1, TAct>(in j, offsets, o0, oy, ox0, in activation); break;
                    }
                    ox0 += pixels;
                }
    }

    /// <summary>Output channels [o0, o0 + lanes) at pixels (oy, ox0 .. ox0 + TP) of one image; offsets from <see cref="TapOffsets"/>.</summary>
    private static void Pixels<TW, TV, TP, TAct>(in RowJob j, int* offsets, int o0, int oy, int ox0, in TAct activation)
        where TW : struct, ISimdWidth<TV> where TV : struct where TP : struct, IConst where TAct : struct, IUnaryOperator
    {
        int np = TP.Value, k = j.K, cout = j.Cout;
        TV init = j.Bias == null ? default : TW.Load(j.Bias + o0);
        TV a0 = init, a1 = init, a2 = init, a3 = init, a4 = init, a5 = init, a6 = init, a7 = init, a8 = init, a9 = init, a10 = init, a11 = init;
        int ky0 = Math.Max(0, j.RowFrom - oy), ky1 = Math.Min(k, j.RowTo - oy);   // taps on data rows
        // One loop over a channel's taps on data rows (contiguous in the weights): 25 trips for 5x5
        // rather than five of five, 5 % faster for LeNet conv2 than a loop per kernel row.
        for (int c = 0; c < j.Cin; c++)
        {
            float* xc = j.Xp + ((long)c * j.Hp + oy) * j.Wp + ox0;
            float* wc = j.Wt + (long)c * k * k * cout + o0;
            for (int t = ky0 * k, end = ky1 * k; t < end; t++)
            {
                float* x = xc + offsets[t];
                var wv = TW.Load(wc + (long)t * cout);
                a0 = TW.MulAdd(TW.SplatAt(x), wv, a0);
                if (np > 1) a1 = TW.MulAdd(TW.SplatAt(x + 1), wv, a1);
                if (np > 2) a2 = TW.MulAdd(TW.SplatAt(x + 2), wv, a2);
                if (np > 3) a3 = TW.MulAdd(TW.SplatAt(x + 3), wv, a3);
                if (np > 4) a4 = TW.MulAdd(TW.SplatAt(x + 4), wv, a4);
                if (np > 5) a5 = TW.MulAdd(TW.SplatAt(x + 5), wv, a5);
                if (np > 6) a6 = TW.MulAdd(TW.SplatAt(x + 6), wv, a6);
                if (np > 7) a7 = TW.MulAdd(TW.SplatAt(x + 7), wv, a7);
                if (np > 8) a8 = TW.MulAdd(TW.SplatAt(x + 8), wv, a8);
                if (np > 9) a9 = TW.MulAdd(TW.SplatAt(x + 9), wv, a9);
                if (np > 10) a10 = TW.MulAdd(TW.SplatAt(x + 10), wv, a10);
                if (np > 11) a11 = TW.MulAdd(TW.SplatAt(x + 11), wv, a11);
            }
        }
        float* tile = stackalloc float[MaxPixels * Lanes];
        int lanes = TW.Lanes;
        TW.Store(TW.Apply(in activation, a0), tile);
        if (np > 1) TW.Store(TW.Apply(in activation, a1), tile + lanes);
        if (np > 2) TW.Store(TW.Apply(in activation, a2), tile + 2 * lanes);
        if (np > 3) TW.Store(TW.Apply(in activation, a3), tile + 3 * lanes);
        if (np > 4) TW.Store(TW.Apply(in activation, a4), tile + 4 * lanes);
        if (np > 5) TW.Store(TW.Apply(in activation, a5), tile + 5 * lanes);
        if (np > 6) TW.Store(TW.Apply(in activation, a6), tile + 6 * lanes);
        if (np > 7) TW.Store(TW.Apply(in activation, a7), tile + 7 * lanes);
        if (np > 8) TW.Store(TW.Apply(in activation, a8), tile + 8 * lanes);
        if (np > 9) TW.Store(TW.Apply(in activation, a9), tile + 9 * lanes);
        if (np > 10) TW.Store(TW.Apply(in activation, a10), tile + 10 * lanes);
        if (np > 11) TW.Store(TW.Apply(in activation, a11), tile + 11 * lanes);
        int plane = j.Oh * j.Ow;
        float* y = j.Y + (long)o0 * plane + oy * j.Ow + ox0;
        for (int o = 0; o < lanes; o++, y += plane)
            for (int p = 0; p < np; p++)
                y[p] = tile[p * lanes + o];
    }

    /// <summary>
    /// Whether <see cref="WeightGradient"/> wants each image's output gradient pixel-major
    /// (<see cref="PixelMajor"/>) rather than padded rows: where the forward pass takes channel tiles.
    /// </summary>
    public static bool WeightGradientIsPixelMajor(int cout, int ow) => PrefersChannelTiles(cout, ow, SimdWidth.Lanes);

    /// <summary>dst[p, o] = dy[o, p] over one image's <paramref name="plane"/> output pixels: the layout of a pixel-major gradient.</summary>
    public static void PixelMajor(float* dy, int cout, int plane, float* dst)
    {
        // Contiguous writes, strided reads: the reads of one pass stay in a few cache lines per channel.
        for (int p = 0; p < plane; p++, dst += cout)
        {
            float* from = dy + p;
            for (int o = 0; o < cout; o++) dst[o] = from[(long)o * plane];
        }
    }

    private static void ChannelWeightGradient(float* xs, float* dys, long dyImage, int images, int cin, int hp, int wp, int cout, int k, int oh, int ow, float* dw)
    {
        if (Vector512.IsHardwareAccelerated) ChannelWeightGradient<W512, Vector512<float>>(xs, dys, dyImage, images, cin, hp, wp, cout, k, oh, ow, dw, 32);
        else if (Vector256.IsHardwareAccelerated) ChannelWeightGradient<W256, Vector256<float>>(xs, dys, dyImage, images, cin, hp, wp, cout, k, oh, ow, dw, 16);
        else if (Avx.IsSupported) ChannelWeightGradient<W256Avx, Vector256<float>>(xs, dys, dyImage, images, cin, hp, wp, cout, k, oh, ow, dw, 16);
        else ChannelWeightGradient<W128, Vector128<float>>(xs, dys, dyImage, images, cin, hp, wp, cout, k, oh, ow, dw, AdvSimd.IsSupported ? 32 : 16);
    }

    private static void ChannelWeightGradient<TW, TV>(float* xs, float* dys, long dyImage, int images, int cin, int hp, int wp, int cout, int k, int oh, int ow, float* dw, int registers)
        where TW : struct, ISimdWidth<TV> where TV : struct
    {
        switch (k)
        {
            case 1: ChannelWeightBlocks<TW, TV, C1>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 2: ChannelWeightBlocks<TW, TV, C2>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 3: ChannelWeightBlocks<TW, TV, C3>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 4: ChannelWeightBlocks<TW, TV, C4>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 5: ChannelWeightBlocks<TW, TV, C5>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            case 6: ChannelWeightBlocks<TW, TV, C6>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
            default: ChannelWeightBlocks<TW, TV, C7>(xs, dys, dyImage, images, cin, hp, wp, cout, oh, ow, dw, registers); break;
        }
    }

    /// <summary>
    /// The weight gradient with vectors across output channels: for each output pixel, one load of its
    /// gradient for TW's lanes of channels feeds an FMA for each tap of a block of kernel rows, the
    /// pixel's input values broadcast. dys holds each image's gradient pixel-major ([oh·ow, cout],
    /// images <paramref name="dyImage"/> floats apart), xs the padded inputs as for the row kernel.
    /// Every lane does work, where a row tile of LeNet conv2's rows of 10 idles 6 of 16.
    /// </summary>
    private static void ChannelWeightBlocks<TW, TV, TK>(float* xs, float* dys, long dyImage, int images, int cin, int hp, int wp, int cout, int oh, int ow, float* dw, int registers)
        where TW : struct, ISimdWidth<TV> where TV : struct where TK : struct, IConst
    {
        int k = TK.Value, rows = Math.Clamp((registers - 2) / k, 1, 4), lanes = TW.Lanes;
        long xImage = (long)cin * hp * wp, channelStride = (long)cin * k * k;
        float* tile = stackalloc float[Lanes];
        for (int c = 0; c < cin; c++)
            for (int ky0 = 0; ky0 < k; ky0 += rows)
            {
                int nr = Math.Min(rows, k - ky0);
                for (int o0 = 0; o0 < cout; o0 += lanes)
                {
                    TV a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default;
                    TV a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default;
                    TV a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default, a26 = default;
                    TV a30 = default, a31 = default, a32 = default, a33 = default, a34 = default, a35 = default, a36 = default;
                    for (int n = 0; n < images; n++)
                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* x = xs + n * xImage + ((long)c * hp + oy + ky0) * wp;
                            float* d = dys + n * dyImage + (long)oy * ow * cout + o0;
                            for (int ox = 0; ox < ow; ox++, x++, d += cout)
                            {
                                var g = TW.Load(d);
                                Taps<TW, TV, TK>(g, x, ref a00, ref a01, ref a02, ref a03, ref a04, ref a05, ref a06);
                                if (nr > 1) Taps<TW, TV, TK>(g, x + wp, ref a10, ref a11, ref a12, ref a13, ref a14, ref a15, ref a16);
                                if (nr > 2) Taps<TW, TV, TK>(g, x + 2 * wp, ref a20, ref a21, ref a22, ref a23, ref a24, ref a25, ref a26);
                                if (nr > 3) Taps<TW, TV, TK>(g, x + 3 * wp, ref a30, ref a31, ref a32, ref a33, ref a34, ref a35, ref a36);
                            }
                        }
                    float* row = dw + ((long)o0 * cin + c) * k * k + ky0 * k;
                    FlushChannels<TW, TV, TK>(row, channelStride, tile, a00, a01, a02, a03, a04, a05, a06);
                    if (nr > 1) FlushChannels<TW, TV, TK>(row + k, channelStride, tile, a10, a11, a12, a13, a14, a15, a16);
                    if (nr > 2) FlushChannels<TW, TV, TK>(row + 2 * k, channelStride, tile, a20, a21, a22, a23, a24, a25, a26);
                    if (nr > 3) FlushChannels<TW, TV, TK>(row + 3 * k, channelStride, tile, a30, a31, a32, a33, a34, a35, a36);
                }
            }
    }

    /// <summary>a_kx += g · x[kx] for one kernel row's k taps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Taps<TW, TV, TK>(TV g, float* x, ref TV a0, ref TV a1, ref TV a2, ref TV a3, ref TV a4, ref TV a5, ref TV a6)
        where TW : struct, ISimdWidth<TV> where TV : struct where TK : struct, IConst
    {
        int k = TK.Value;
        a0 = TW.MulAdd(g, TW.SplatAt(x), a0);
        if (k > 1) a1 = TW.MulAdd(g, TW.SplatAt(x + 1), a1);
        if (k > 2) a2 = TW.MulAdd(g, TW.SplatAt(x + 2), a2);
        if (k > 3) a3 = TW.MulAdd(g, TW.SplatAt(x + 3), a3);
        if (k > 4) a4 = TW.MulAdd(g, TW.SplatAt(x + 4), a4);
        if (k > 5) a5 = TW.MulAdd(g, TW.SplatAt(x + 5), a5);
        if (k > 6) a6 = TW.MulAdd(g, TW.SplatAt(x + 6), a6);
    }

    /// <summary>dw[i · stride + kx] += a_kx[i] for each lane i (an output channel) and tap kx of one kernel row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FlushChannels<TW, TV, TK>(float* dw, long stride, float* tile, TV a0, TV a1, TV a2, TV a3, TV a4, TV a5, TV a6)
        where TW : struct, ISimdWidth<TV> where TV : struct where TK : struct, IConst
    {
        int k = TK.Value;
        for (int kx = 0; kx < k; kx++)
        {
            TW.Store(kx switch { 0 => a0, 1 => a1, 2 => a2, 3 => a3, 4 => a4, 5 => a5, _ => a6 }, tile);
            for (int i = 0; i < TW.Lanes; i++) dw[i * stride + kx] += tile[i];
        }
    }
}
